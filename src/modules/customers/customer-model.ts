/** The customer vault's vocabulary shared by server and screens; imports nothing. */

/** Why personal data is opened: a code for the audit log (a note, if any, is kept sealed apart). */
export const REVEAL_REASONS = [
  'customer_request',
  'data_subject_request',
  'incident_notification',
  'legal_obligation',
  'data_correction',
  'other',
] as const;
export type RevealReason = (typeof REVEAL_REASONS)[number];
