/** The incident register's vocabulary: types, severities, lifecycle, moments, data categories. */

export const INCIDENT_TYPES = [
  'phishing',
  'malware',
  'ransomware',
  'denial_of_service',
  'social_engineering',
  'data_breach',
  'other',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** Written definitions live in the catalogs under incident.severity.<SEV>.definition. */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** NIST SP 800-61 phases, then the post-incident review. */
export const STATES = [
  'detected',
  'triaged',
  'contained',
  'eradicated',
  'recovered',
  'closed',
  'reviewed',
] as const;
export type IncidentState = (typeof STATES)[number];

/**
 * The transitions that make sense. Forward one phase at a time; back when an
 * incident flares up again (containment lost, reinfection after eradication);
 * straight to closed from triage for a false alarm; a closed incident reopened
 * goes back to triage.
 */
export const TRANSITIONS: Record<IncidentState, readonly IncidentState[]> = {
  detected: ['triaged', 'closed'],
  triaged: ['contained', 'closed'],
  contained: ['eradicated', 'triaged'],
  eradicated: ['recovered', 'contained'],
  recovered: ['closed', 'contained'],
  closed: ['reviewed', 'triaged'],
  reviewed: ['triaged'],
};

export function canTransition(from: IncidentState, to: IncidentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export const MOMENTS = [
  'occurred',
  'detected',
  'aware',
  'breach_determined',
  'materiality_determined',
  'contained',
  'resolved',
] as const;
export type Moment = (typeof MOMENTS)[number];

export const DATA_CATEGORIES = [
  'contact_details',
  'payment_card',
  'credentials',
  'government_id',
  'health',
  'financial',
  'location',
  'other',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

export const INCIDENT_ROLES = ['commander', 'communications_lead', 'legal_lead', 'member'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];
