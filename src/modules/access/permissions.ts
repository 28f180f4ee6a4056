/**
 * DESIGN's "Who may do what" matrix as data. Every /api route names one
 * access rule; the authorization suite tries each route with each role.
 * Each capability adds its rows here.
 */
export const ROLES = ['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** users, roles, API tokens, organization settings, keys */
  'organization.manage': ['admin'],
  /** read and export the audit log */
  'audit.read': ['admin', 'incident_manager', 'legal'],
  /** see incidents, their timelines, tasks and clocks (restricted ones: members only) */
  'incidents.read': ['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer'],
  /** declare and edit incidents: moments, jurisdictions, affected systems, members */
  'incidents.manage': ['admin', 'incident_manager'],
  /** work on response-plan tasks; communications, legal and support only on tasks assigned to them */
  'tasks.work': ['admin', 'incident_manager', 'communications', 'legal', 'support'],
  /** read response plans and their check */
  'plans.read': ['admin', 'incident_manager', 'legal', 'viewer'],
  /** edit response plans */
  'plans.manage': ['admin', 'incident_manager'],
  /** the out-of-band contact list: read */
  'contacts.read': ['admin', 'incident_manager', 'communications', 'legal', 'support'],
  /** the out-of-band contact list: edit */
  'contacts.manage': ['admin', 'incident_manager'],
  /** read regulator reports and deadline clocks' evidence */
  'reports.read': ['admin', 'incident_manager', 'legal', 'viewer'],
  /** edit and export regulator reports */
  'reports.edit': ['admin', 'incident_manager', 'legal'],
  /** mark a regulator notification as filed */
  'reports.file': ['legal'],
  /** post alerts from detection tools (a scope for API tokens) */
  'intake.alerts': ['admin', 'incident_manager'],
  /** customers' clear fields (language, country, tags, consent): list, and find one by e-mail or phone */
  'customers.read': ['admin', 'incident_manager', 'legal'],
  /** create, update and delete customers */
  'customers.manage': ['admin', 'incident_manager'],
  /** personal data of customers: decrypted fields, each reveal audited with its reason */
  'customers.reveal': ['admin', 'incident_manager', 'legal'],
  /** public guidance of an incident ("Was I affected?"): write a new version */
  'guidance.draft': ['admin', 'incident_manager', 'communications'],
  /** approve one version of public guidance (never its author) */
  'guidance.approve': ['legal'],
  /** publish and unpublish an incident's "Was I affected?" page with its approved guidance */
  'lookup.publish': ['legal'],
  /** customer notices: read drafts, versions, candour flags and send requests */
  'notices.read': ['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer'],
  /** customer notices: write a new version, accept a candour flag with a reason */
  'notices.draft': ['admin', 'incident_manager', 'communications'],
  /** customer notices: preview as a chosen affected customer (their name, decrypted and audited) */
  'notices.preview': ['admin', 'incident_manager', 'communications', 'legal'],
  /** approve one version of a customer notice (never its author) */
  'notices.approve': ['legal'],
  /** send an approved notice, now or at a scheduled time; pause and cancel a send */
  'notices.send': ['admin', 'incident_manager', 'communications'],
  /** the organization's test recipients of notices (exercise sends reach only them) */
  'notices.test_recipients': ['admin', 'incident_manager'],
  /** the trust center: read the site's settings, incident pages and their updates in every state */
  'trust.read': ['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer'],
  /** the trust center: write an incident's public page and draft its updates */
  'trust.write': ['admin', 'incident_manager', 'communications'],
  /** the trust center: approve an update (never its author, nor the maker of the token that wrote it) */
  'trust.approve': ['legal'],
  /** the trust center: publish an update (approved, when the site requires approval) */
  'trust.publish': ['admin', 'incident_manager', 'communications'],
  /** the trust center: the site's address, publication, approval rule and support link */
  'trust.settings': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/**
 * Scopes an API token may carry: never the power to manage users and tokens. A token passes a
 * route only when the route's one permission is among its scopes (access-hooks.ts), never by
 * implication: a reports.file token may call POST /api/incidents/:id/clocks/:clockId/filed and
 * nothing else (not the clock list, the incident, its evidence or customers; the filed clock comes
 * back without the filing's evidence). A filing machine that must find its clocks also carries
 * incidents.read, named when the token is made. The token-scopes test walks every route.
 */
export const TOKEN_SCOPES = PERMISSION_NAMES.filter((p) => p !== 'organization.manage');

export function rolesGrant(roles: readonly string[], permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly string[]).some((role) => roles.includes(role));
}

export type Access =
  /** anyone, signed in or not */
  | { kind: 'public' }
  /** a session in any state, including one still waiting for its second factor */
  | { kind: 'session' }
  /** a session past its password (and second factor, if enrolled): may enrol MFA */
  | { kind: 'enrolled' }
  /** a fully signed-in staff user, whatever their roles (their own account) */
  | { kind: 'user' }
  /** a signed-in user whose roles grant it, or an API token scoped to it */
  | { kind: 'permission'; permission: Permission };
