/** The access module's public surface: what other modules and the composition root may import. */
export { registerAccess } from './access-hooks.js';
export { authOf, withCaller } from './acting.js';
export { PERMISSIONS, TOKEN_SCOPES, rolesGrant } from './permissions.js';
export type { Access, Permission, Role } from './permissions.js';
export { SECURITY_SCHEMES } from './route-docs.js';
export type { Actor, Auth, SessionState } from './caller.js';
