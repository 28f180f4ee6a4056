/** The keys module's public surface: what other modules and the composition root may import. */
export { keyStatus, rotateKeys } from './key-rotation.js';
export { reencryptionTimer } from './keys-timer.js';
export { DeletionRefused, deleteOrganization } from './org-deletion.js';
export { organizationDeletionRoutes } from './org-deletion-routes.js';
export { openCustomerRecord, sealCustomerRecord, sealCustomerRecords } from './vault.js';
