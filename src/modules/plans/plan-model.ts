/** The response-plan vocabulary: phases, owners, task kinds, and a plan's tasks. */
import type { Locale } from '../../platform/i18n.js';
import type { RuleId } from '../deadlines/index.js';
import type { IncidentType } from '../incidents/incident-model.js';

/** NIST SP 800-61 phases, in the order a response moves through them. */
export const PHASES = [
  'preparation',
  'detection',
  'containment',
  'eradication',
  'recovery',
  'post_incident',
] as const;
export type Phase = (typeof PHASES)[number];

/** Roles held on one incident (incident_members): resolved to the people holding them when a plan starts. */
export const INCIDENT_OWNER_ROLES = ['commander', 'communications_lead', 'legal_lead'] as const;
/** Organization roles: a task owned by one stays in that role's queue. */
export const ORG_OWNER_ROLES = ['admin', 'incident_manager', 'communications', 'legal', 'support'] as const;
export const OWNER_ROLES = [...INCIDENT_OWNER_ROLES, ...ORG_OWNER_ROLES] as const;
export type IncidentOwnerRole = (typeof INCIDENT_OWNER_ROLES)[number];
export type OrgOwnerRole = (typeof ORG_OWNER_ROLES)[number];
export type OwnerRole = (typeof OWNER_ROLES)[number];

/** When nobody holds an incident role yet, its tasks wait in the queue of the organization role behind it. */
export const FALLBACK_QUEUE: Record<IncidentOwnerRole, OrgOwnerRole> = {
  commander: 'incident_manager',
  communications_lead: 'communications',
  legal_lead: 'legal',
};

export const isIncidentOwnerRole = (role: string): role is IncidentOwnerRole =>
  (INCIDENT_OWNER_ROLES as readonly string[]).includes(role);

/** The kinds of task the plan check looks for. */
export const TASK_KINDS = [
  'customer_communication',
  'legal_review',
  'regulator_notification',
  'out_of_band',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** One task of an organization's plan version, in the plan's own language. */
export interface PlanTask {
  /** Stable within a plan across its versions (lower-case letters, digits, dashes). */
  key: string;
  title: string;
  description: string;
  phase: Phase;
  /** null: the plan names no owner, which the plan check flags. */
  owner: OwnerRole | null;
  /** Due this many minutes after the incident's awareness (task-due.ts). */
  dueAfterMinutes: number;
  kind: TaskKind | null;
  /** The legal clock the task serves (a deadline rule): it falls due before that clock runs out. */
  clock: RuleId | null;
}

export type Localized = Record<Locale, string>;

/** A built-in playbook task, in every language Candor speaks. */
export interface PlaybookTask {
  key: string;
  phase: Phase;
  owner: OwnerRole;
  dueAfterMinutes: number;
  kind?: TaskKind;
  clock?: RuleId;
  title: Localized;
  description: Localized;
}

export interface Playbook {
  type: IncidentType;
  /** The playbook this one extends (ransomware runs the malware plan and its own tasks). */
  extends?: IncidentType;
  name: Localized;
  summary: Localized;
  tasks: PlaybookTask[];
}

export const minutes = (n: number) => n;
export const hours = (n: number) => n * 60;
export const days = (n: number) => n * 24 * 60;

export const TASK_KEY_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';
