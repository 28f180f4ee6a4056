/** The response-plan vocabulary as the API speaks it. */

export const PHASES = [
  'preparation',
  'detection',
  'containment',
  'eradication',
  'recovery',
  'post_incident',
] as const;
export type Phase = (typeof PHASES)[number];

export const INCIDENT_OWNER_ROLES = ['commander', 'communications_lead', 'legal_lead'] as const;
export const ORG_OWNER_ROLES = ['admin', 'incident_manager', 'communications', 'legal', 'support'] as const;
export const OWNER_ROLES = [...INCIDENT_OWNER_ROLES, ...ORG_OWNER_ROLES] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];
export type OrgOwnerRole = (typeof ORG_OWNER_ROLES)[number];

export const TASK_KINDS = [
  'customer_communication',
  'legal_review',
  'regulator_notification',
  'out_of_band',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface PlanTask {
  key: string;
  title: string;
  description: string;
  phase: Phase;
  owner: OwnerRole | null;
  dueAfterMinutes: number;
  kind: TaskKind | null;
}
