/** The customers module's public surface: what other modules and the composition root may import. */
export { affectedCustomerRoutes } from './affected-routes.js';
export { exportCustomer, resolveCustomerId } from './customer-export.js';
export { IMPORT_DELIMITERS, IMPORT_ENCODINGS, IMPORT_FIELDS } from './customer-model.js';
export { CHARSET_SAMPLE_BYTES, detectCharset } from './charset-model.js';
export type { ImportDelimiter, ImportEncoding, ImportField } from './customer-model.js';
export { runImport } from './customer-import.js';
export { findImport, loadMapping, saveMapping } from './import-repo.js';
export type { ImportMapping, ImportOptions, ImportSummary } from './import-types.js';
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
export { downloadErrorReport } from './import-service.js';
