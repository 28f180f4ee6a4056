import type { Sql } from '../../platform/db.js';
import type {
  DataCategory,
  IncidentRole,
  IncidentState,
  IncidentType,
  Moment,
  Severity,
} from './incident-model.js';

export interface IncidentRow {
  id: string;
  organization_id: string;
  number: number;
  title: string;
  summary: string;
  type: IncidentType;
  severity: Severity;
  state: IncidentState;
  is_exercise: boolean;
  restricted: boolean;
  affected_systems: string[];
  data_categories: DataCategory[];
  occurred_at: Date | null;
  detected_at: Date | null;
  aware_at: Date | null;
  breach_determined_at: Date | null;
  materiality_determined_at: Date | null;
  contained_at: Date | null;
  resolved_at: Date | null;
  created_by: string | null;
  dedupe_key: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface JurisdictionRow {
  code: string;
  estimated_affected: number | null;
  counted_affected: number | null;
}

export interface MemberRow {
  user_id: string;
  role: IncidentRole;
  display_name: string;
}

export const momentColumn = (moment: Moment) => `${moment}_at` as const;

/** Under the caller's RLS: a restricted incident of which they are not a member is not found. */
export async function findIncident(tx: Sql, id: string): Promise<IncidentRow | undefined> {
  return (await tx.query<IncidentRow>('SELECT * FROM incidents WHERE id = $1', [id]))[0];
}

export async function incidentJurisdictions(tx: Sql, incidentId: string): Promise<JurisdictionRow[]> {
  return tx.query<JurisdictionRow>(
    'SELECT code, estimated_affected, counted_affected FROM incident_jurisdictions WHERE incident_id = $1 ORDER BY code',
    [incidentId],
  );
}

export async function incidentMembers(tx: Sql, incidentId: string): Promise<MemberRow[]> {
  return tx.query<MemberRow>(
    `SELECT m.user_id, m.role, u.display_name FROM incident_members m JOIN users u ON u.id = m.user_id
     WHERE m.incident_id = $1 ORDER BY m.role, u.display_name`,
    [incidentId],
  );
}

/** Affected people per jurisdiction: the counted number once customers are imported, else the estimate. */
export function affectedIn(j: JurisdictionRow): number | null {
  return j.counted_affected ?? j.estimated_affected;
}
