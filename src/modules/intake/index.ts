/** The intake module's public surface: what other modules and the composition root may import. */
export { intakeRoutes } from './intake-routes.js';
