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

export const IMPORT_ENCODINGS = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'windows-1250',
  'iso-8859-2',
  'windows-1252',
  'windows-1256',
] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];
export const IMPORT_DELIMITERS = [',', ';', '\t'] as const;
export type ImportDelimiter = (typeof IMPORT_DELIMITERS)[number];

/** The fields a column can be mapped to. */
export const IMPORT_FIELDS = [
  'externalId',
  'name',
  'email',
  'phone',
  'webhookUrl',
  'street',
  'locality',
  'postalCode',
  'addressRegion',
  'addressCountry',
  'language',
  'timeZone',
  'country',
  'region',
  'tags',
  'consentEmail',
  'consentSms',
  'consentWebhook',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
