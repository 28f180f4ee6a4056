/** The deadlines module's public surface: what other modules and the composition root may import. */
export { deadlineRoutes } from './deadline-routes.js';
export { clockReaction } from './deadline-service.js';
export { deadlineTimer } from './deadline-warnings.js';
export type { WarningDeps } from './deadline-warnings.js';
