/** The customers module's public surface: what other modules and the composition root may import. */
export { affectedCustomerRoutes } from './affected-routes.js';
export { exportCustomer, resolveCustomerId } from './customer-export.js';
export {
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  findImport,
  loadMapping,
  openErrorReport,
  runImport,
  saveMapping,
} from './customer-import.js';
export type {
  ImportDelimiter,
  ImportEncoding,
  ImportField,
  ImportMapping,
  ImportOptions,
  ImportSummary,
} from './customer-import.js';
export {
  emailIndex,
  normalizeEmail,
  normalizePhone,
  normalizeWebhookUrl,
  openPersonal,
  phoneIndex,
} from './customer-repo.js';
export type { PersonalFields } from './customer-repo.js';
export { customerRoutes } from './customer-routes.js';
export { importRoutes } from './import-routes.js';
