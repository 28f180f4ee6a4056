/** The trust module's public surface: what other modules and the composition root may import. */
export { loadPublicIncident, loadSiteHome } from './trust-public.js';
export { trustRoutes } from './trust-routes.js';
export { trustLapseTimer } from './trust-lapse.js';
export { publicSiteRoutes } from './public-site-routes.js';
export { trustPreviewRoutes } from './trust-preview-routes.js';
