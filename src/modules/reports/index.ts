/** The reports module's public surface: what other modules and the composition root may import. */
export { reportRoutes } from './report-routes.js';
