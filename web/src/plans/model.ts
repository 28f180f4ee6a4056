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

/** The legal clocks (deadline rules) a task can serve; their names are deadline.rule.<id>. */
export const CLOCK_RULES = [
  'gdpr_33_authority',
  'gdpr_34_data_subjects',
  'nis2_early_warning',
  'nis2_notification',
  'nis2_final_report',
  'cz_264_initial_report',
  'cz_264_notification',
  'cz_264_final_report',
  'sec_8k_item_105',
  'hipaa_individuals',
  'hipaa_hhs_500',
  'hipaa_hhs_annual',
  'hipaa_media',
  'ca_residents',
  'ca_attorney_general',
  'ny_residents',
  'ny_regulators',
  'tx_individuals',
  'tx_attorney_general',
  'fl_individuals',
  'fl_legal_affairs',
  'sa_sdaia',
  'sa_data_subjects',
  'eg_pdpc',
  'eg_data_subjects',
  'qa_authority',
  'qa_data_subjects',
  'ae_data_office',
  'ae_data_subjects',
  'difc_commissioner',
  'difc_data_subjects',
  'adgm_commissioner',
  'adgm_data_subjects',
  'pci_visa',
] as const;
export type ClockRule = (typeof CLOCK_RULES)[number];

export interface PlanTask {
  key: string;
  title: string;
  description: string;
  phase: Phase;
  owner: OwnerRole | null;
  /** Minutes after the incident's awareness. */
  dueAfterMinutes: number;
  kind: TaskKind | null;
  /** The legal clock it serves: on an incident, it falls due before that clock runs out. */
  clock: ClockRule | null;
}
