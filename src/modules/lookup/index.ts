/** The lookup module's public surface: what other modules and the composition root may import. */
export { findPage, latestVersion } from './guidance-repo.js';
export type { GuidanceContent } from './guidance-repo.js';
export { guidanceRoutes } from './guidance-routes.js';
export { lookupJob, lookupWorker } from './lookup-job.js';
export type { LookupDeps } from './lookup-job.js';
export { countLookup } from './lookup-throttle.js';
export { publicLookupRoutes } from './public-routes.js';
