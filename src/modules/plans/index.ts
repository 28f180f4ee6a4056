/** The plans module's public surface: what other modules and the composition root may import. */
export { planRoutes } from './plan-routes.js';
export { taskClockFollower } from './task-due.js';
export { planReaction } from './task-service.js';
