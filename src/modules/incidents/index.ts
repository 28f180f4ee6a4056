/** The incidents module's public surface: what other modules and the composition root may import. */
export { recordChange, recordEvent } from './incident-events.js';
export { onIncidentChanged, reactToIncidents } from './incident-hooks.js';
export type { IncidentReaction } from './incident-hooks.js';
export { DATA_CATEGORIES, INCIDENT_TYPES, MOMENTS } from './incident-model.js';
export type { DataCategory, IncidentType, Moment, Severity } from './incident-model.js';
export {
  affectedIn,
  findIncident,
  incidentJurisdictions,
  incidentMembers,
  isIncidentMember,
  listOpenIncidents,
  momentColumn,
  setDedupeKey,
} from './incident-repo.js';
export type { IncidentRow, MemberRow } from './incident-repo.js';
export { incidentRoutes } from './incident-routes.js';
export { declareIncident, mustFindIncident } from './incident-service.js';
