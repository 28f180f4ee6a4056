/** The deadlines module's public surface: what other modules and the composition root may import. */
export { deadlineRoutes } from './deadline-routes.js';
export { clockDueTimes, clockReaction, followClocks } from './deadline-service.js';
export type { ClockDue, ClockFollower } from './deadline-service.js';
export { RULES_BY_ID } from './deadline-rules.js';
export type { DeadlineRule, RuleId } from './deadline-rules.js';
export { deadlineTimer } from './deadline-warnings.js';
export type { WarningDeps } from './deadline-warnings.js';
