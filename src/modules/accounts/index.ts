/** The accounts module's public surface: what other modules and the composition root may import. */
export { actionMail } from './account-mail.js';
export { accountRoutes } from './account-routes.js';
export { OrganizationBrandSchema, Password } from './account-schemas.js';
export { brandOf, isBrandColor, type OrganizationBrand } from './organization-model.js';
export { authRoutes } from './auth-routes.js';
export { mfaRoutes } from './mfa-routes.js';
export { verifyPassword } from './password.js';
export { peopleRoutes } from './people-routes.js';
export { resolveAuth } from './session-service.js';
export type { Actor, Auth } from './session-service.js';
export { issueSetupLink, setupNeeded } from './setup-service.js';
export { findUser } from './user-repo.js';
export { resetMfa } from './mfa-service.js';
export { userRoutes } from './user-routes.js';
