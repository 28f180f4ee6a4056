/** The tokens module's public surface: what other modules and the composition root may import. */
export { tokenRoutes } from './token-routes.js';
export { madeTokenWithScope } from './token-repo.js';
