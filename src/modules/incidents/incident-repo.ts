import type { Sql } from '../../platform/db.js';
import {
  MOMENTS,
  type DataCategory,
  type IncidentRole,
  type IncidentState,
  type IncidentType,
  type Moment,
  type Severity,
} from './incident-model.js';
import { sqlFragment, sqlIdentifier } from '../../platform/sql-text.js';

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

/** The incidents not yet closed or reviewed, under the transaction's RLS. */
export async function listOpenIncidents(tx: Sql): Promise<IncidentRow[]> {
  return tx.query<IncidentRow>(`SELECT * FROM incidents WHERE state NOT IN ('closed', 'reviewed')`);
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

export interface IncidentFilter {
  state: string | null;
  type: string | null;
  severity: string | null;
  exercise: boolean | null;
  open: boolean | null;
  /** A part of the title, or the number. */
  q: string | null;
}

/** The register, newest first (the latest 500), under the caller's RLS. */
export async function listIncidents(tx: Sql, f: IncidentFilter): Promise<IncidentRow[]> {
  return tx.query<IncidentRow>(
    `SELECT * FROM incidents
           WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR type = $2)
             AND ($3::text IS NULL OR severity = $3) AND ($4::boolean IS NULL OR is_exercise = $4)
             AND ($5::boolean IS NULL OR (state NOT IN ('closed', 'reviewed')) = $5)
             AND ($6::text IS NULL OR title ILIKE '%' || $6 || '%' OR number::text = $6)
           ORDER BY created_at DESC LIMIT 500`,
    [f.state, f.type, f.severity, f.exercise, f.open, f.q],
  );
}

/** The next number of the organization's register. */
export async function nextIncidentNumber(tx: Sql): Promise<number> {
  const numberRow = await tx.query<{ n: number }>('SELECT candor_next_incident_number() AS n');
  return numberRow[0]!.n;
}

export interface NewIncident {
  id: string;
  organizationId: string;
  number: number;
  title: string;
  summary: string;
  type: IncidentType;
  severity: Severity;
  state: IncidentState;
  isExercise: boolean;
  restricted: boolean;
  affectedSystems: string[];
  dataCategories: DataCategory[];
  createdBy: string | null;
  /** ISO instants; a moment not given is null. */
  moments: Partial<Record<Moment, string | null>>;
}

export async function insertIncident(tx: Sql, row: NewIncident): Promise<void> {
  await tx.query(
    `INSERT INTO incidents (id, organization_id, number, title, summary, type, severity, state, is_exercise, restricted,
       affected_systems, data_categories, created_by, ${sqlFragment(MOMENTS.map(momentColumn).join(', '))})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ${sqlFragment(MOMENTS.map((_, i) => `$${14 + i}`).join(', '))})`,
    [
      row.id,
      row.organizationId,
      row.number,
      row.title,
      row.summary,
      row.type,
      row.severity,
      row.state,
      row.isExercise,
      row.restricted,
      row.affectedSystems,
      row.dataCategories,
      row.createdBy,
      ...MOMENTS.map((m) => row.moments[m] ?? null),
    ],
  );
}

/** The columns a person edits one by one: the fields of an update and the moments. */
export type EditableColumn =
  | 'title'
  | 'summary'
  | 'type'
  | 'severity'
  | 'restricted'
  | 'affected_systems'
  | 'data_categories'
  | ReturnType<typeof momentColumn>;

export async function setIncidentColumn(
  tx: Sql,
  id: string,
  column: EditableColumn,
  value: unknown,
): Promise<void> {
  await tx.query(`UPDATE incidents SET ${sqlIdentifier(column)} = $2, updated_at = now() WHERE id = $1`, [
    id,
    value,
  ]);
}

export async function touchIncident(tx: Sql, id: string): Promise<void> {
  await tx.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [id]);
}

export async function setIncidentState(tx: Sql, id: string, state: IncidentState): Promise<void> {
  await tx.query('UPDATE incidents SET state = $2, updated_at = now() WHERE id = $1', [id, state]);
}

/** Records a moment as now (a phase reached sets it). */
export async function stampMoment(tx: Sql, id: string, moment: Moment): Promise<void> {
  await tx.query(`UPDATE incidents SET ${sqlIdentifier(momentColumn(moment))} = now() WHERE id = $1`, [id]);
}

/** The key an alert source groups its alerts by, on the incident the first one opened. */
export async function setDedupeKey(tx: Sql, id: string, dedupeKey: string): Promise<void> {
  await tx.query('UPDATE incidents SET dedupe_key = $2 WHERE id = $1', [id, dedupeKey]);
}

/** Adds or re-estimates a jurisdiction. */
export async function upsertJurisdiction(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  code: string,
  estimatedAffected: number | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO incident_jurisdictions (organization_id, incident_id, code, estimated_affected) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id, code) DO UPDATE SET estimated_affected = EXCLUDED.estimated_affected`,
    [organizationId, incidentId, code, estimatedAffected],
  );
}

export async function deleteJurisdictionsExcept(tx: Sql, incidentId: string, codes: string[]): Promise<void> {
  await tx.query('DELETE FROM incident_jurisdictions WHERE incident_id = $1 AND NOT (code = ANY($2))', [
    incidentId,
    codes,
  ]);
}

/** Adds a member in a role unless they already hold it. */
export async function insertMember(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  userId: string,
  role: string,
): Promise<void> {
  await tx.query(
    'INSERT INTO incident_members (organization_id, incident_id, user_id, role) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    [organizationId, incidentId, userId, role],
  );
}

/** Adds a member in a role; false when they already held it. */
export async function insertMemberIfNew(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  userId: string,
  role: string,
): Promise<boolean> {
  const added = await tx.query(
    `INSERT INTO incident_members (organization_id, incident_id, user_id, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING user_id`,
    [organizationId, incidentId, userId, role],
  );
  return added.length > 0;
}

/** Whether the user is a member of the incident, in any role. */
export async function isIncidentMember(tx: Sql, incidentId: string, userId: string): Promise<boolean> {
  const rows = await tx.query('SELECT 1 FROM incident_members WHERE incident_id = $1 AND user_id = $2', [
    incidentId,
    userId,
  ]);
  return rows.length > 0;
}

export async function hasMemberRole(
  tx: Sql,
  incidentId: string,
  userId: string,
  role: string,
): Promise<boolean> {
  const found = await tx.query(
    'SELECT 1 FROM incident_members WHERE incident_id = $1 AND user_id = $2 AND role = $3',
    [incidentId, userId, role],
  );
  return found.length > 0;
}

export async function deleteMember(tx: Sql, incidentId: string, userId: string, role: string): Promise<void> {
  await tx.query('DELETE FROM incident_members WHERE incident_id = $1 AND user_id = $2 AND role = $3', [
    incidentId,
    userId,
    role,
  ]);
}

/** Of the given users, those active in the organization (RLS hides the others). */
export async function findActiveUserIds(tx: Sql, userIds: string[]): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM users WHERE id = ANY($1) AND status = 'active'`,
    [userIds],
  );
  return rows.map((r) => r.id);
}

/** Affected people per jurisdiction: the counted number once customers are imported, else the estimate. */
export function affectedIn(j: JurisdictionRow): number | null {
  return j.counted_affected ?? j.estimated_affected;
}
