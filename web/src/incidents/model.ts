/** The incident register's vocabulary as the API speaks it, and the shapes it answers with. */

// One vocabulary for server and screens: the server's model, which imports nothing.
export {
  DATA_CATEGORIES,
  INCIDENT_ROLES,
  INCIDENT_TYPES,
  MOMENTS,
  SEVERITIES,
  STATES,
} from '../../../src/modules/incidents/incident-model';
export type {
  DataCategory,
  IncidentRole,
  IncidentState,
  IncidentType,
  Moment,
  Severity,
} from '../../../src/modules/incidents/incident-model';
import type {
  DataCategory,
  IncidentRole,
  IncidentState,
  IncidentType,
  Moment,
  Severity,
} from '../../../src/modules/incidents/incident-model';
import { instantFromLocal, localInputIn } from '../../../src/platform/time-format';

export interface IncidentSummary {
  id: string;
  number: number;
  title: string;
  type: IncidentType;
  severity: Severity;
  state: IncidentState;
  isExercise: boolean;
  restricted: boolean;
  detectedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Jurisdiction {
  code: string;
  estimatedAffected: number | null;
  countedAffected: number | null;
}

export interface Member {
  userId: string;
  role: IncidentRole;
  displayName: string;
}

export interface IncidentView extends IncidentSummary {
  summary: string;
  affectedSystems: string[];
  dataCategories: DataCategory[];
  moments: Record<Moment, string | null>;
  jurisdictions: Jurisdiction[];
  members: Member[];
  allowedTransitions: IncidentState[];
}

export interface TimelineEvent {
  id: string;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  kind: string;
  data: Record<string, unknown>;
  note: string | null;
}

export const SEVERITY_TONE: Record<Severity, 'danger' | 'warning' | 'info' | 'neutral'> = {
  SEV1: 'danger',
  SEV2: 'warning',
  SEV3: 'info',
  SEV4: 'neutral',
};

export const isOpenState = (state: IncidentState) => state !== 'closed' && state !== 'reviewed';

/** A jurisdiction code as the API takes it: ISO 3166-1 alpha-2, or a 3166-2 subdivision. */
export const JURISDICTION_PATTERN = '[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?';

/** A datetime-local value read in a zone (the organization's: useTimeZone) as an ISO instant, and back. */
export function toInstant(local: string, timeZone: string): string | null {
  if (!local) return null;
  return instantFromLocal(local, timeZone)?.toISOString() ?? null;
}

export function toLocalInput(instant: string | null | undefined, timeZone: string): string {
  return instant ? localInputIn(instant, timeZone) : '';
}
