/** The audit module's public surface: what other modules and the composition root may import. */
export { auditRoutes } from './audit-routes.js';
export { appendAudit, requestActor, systemActor } from './audit-service.js';
export type { AuditActor, AuditEntry } from './audit-service.js';
export { verifyAuditChains } from './audit-verify.js';
