import type { Sql } from '../../platform/db.js';
import type { ClockSpec, OrganizationProfile, Reason } from './deadline-engine.js';
import type { FreeZone, RiskLevel, RuleId } from './deadline-rules.js';

export interface ClockRow {
  id: string;
  organization_id: string;
  incident_id: string;
  rule_id: RuleId;
  jurisdiction: string;
  time_zone: string;
  is_exercise: boolean;
  applicable: boolean;
  reason: Reason | null;
  notes: string[];
  starts_at: Date | null;
  due_at: Date | null;
  status: 'active' | 'filed' | 'waived';
  filed_at: Date | null;
  filed_by: string | null;
  filed_reference: string | null;
  filed_text: string | null;
  document_name: string | null;
  document_type: string | null;
  document_size: number | null;
  document_sha256: string | null;
  waived_at: Date | null;
  waived_by: string | null;
  waived_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

// Every column but the sealed document itself, which only the download reads.
const COLUMNS = `id, organization_id, incident_id, rule_id, jurisdiction, time_zone, is_exercise, applicable, reason,
  notes, starts_at, due_at, status, filed_at, filed_by, filed_reference, filed_text, document_name, document_type,
  document_size, document_sha256, waived_at, waived_by, waived_reason, created_at, updated_at`;

export async function listClocks(tx: Sql, incidentId: string): Promise<ClockRow[]> {
  return tx.query<ClockRow>(
    `SELECT ${COLUMNS} FROM deadline_clocks WHERE incident_id = $1
     ORDER BY due_at NULLS LAST, rule_id, jurisdiction`,
    [incidentId],
  );
}

export async function findClock(tx: Sql, incidentId: string, clockId: string): Promise<ClockRow | undefined> {
  return (
    await tx.query<ClockRow>(`SELECT ${COLUMNS} FROM deadline_clocks WHERE incident_id = $1 AND id = $2`, [
      incidentId,
      clockId,
    ])
  )[0];
}

export async function insertClock(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  isExercise: boolean,
  spec: ClockSpec,
): Promise<void> {
  await tx.query(
    `INSERT INTO deadline_clocks (organization_id, incident_id, rule_id, jurisdiction, time_zone, is_exercise,
       applicable, reason, notes, starts_at, due_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      organizationId,
      incidentId,
      spec.ruleId,
      spec.jurisdiction,
      spec.timeZone,
      isExercise,
      spec.applicable,
      spec.reason,
      spec.notes,
      spec.startsAt,
      spec.dueAt,
    ],
  );
}

/** Rewrites what the rules compute; a filing or a waiver stays as it is. */
export async function updateComputed(
  tx: Sql,
  id: string,
  isExercise: boolean,
  spec: ClockSpec,
): Promise<void> {
  await tx.query(
    `UPDATE deadline_clocks SET time_zone = $2, is_exercise = $3, applicable = $4, reason = $5, notes = $6,
       starts_at = $7, due_at = $8, updated_at = now()
     WHERE id = $1`,
    [id, spec.timeZone, isExercise, spec.applicable, spec.reason, spec.notes, spec.startsAt, spec.dueAt],
  );
}

export interface Filing {
  filedAt: Date;
  filedBy: string | null;
  reference: string | null;
  text: string | null;
  /** The document sealed under the evidence key, with what is shown of it. */
  document: { sealed: Buffer; name: string; type: string; size: number; sha256: string } | null;
}

/** Stops a clock as filed, with its evidence. */
export async function markClockFiled(tx: Sql, id: string, filing: Filing): Promise<void> {
  const doc = filing.document;
  await tx.query(
    `UPDATE deadline_clocks SET status = 'filed', filed_at = $2, filed_by = $3, filed_reference = $4, filed_text = $5,
       document = $6, document_name = $7, document_type = $8, document_size = $9, document_sha256 = $10, updated_at = now()
     WHERE id = $1`,
    [
      id,
      filing.filedAt,
      filing.filedBy,
      filing.reference,
      filing.text,
      doc?.sealed ?? null,
      doc?.name ?? null,
      doc?.type ?? null,
      doc?.size ?? null,
      doc?.sha256 ?? null,
    ],
  );
}

/** Stops a clock as not applicable, by a person's decision. */
export async function markClockWaived(
  tx: Sql,
  id: string,
  waivedBy: string | null,
  reason: string,
): Promise<void> {
  await tx.query(
    `UPDATE deadline_clocks SET status = 'waived', waived_at = now(), waived_by = $2, waived_reason = $3, updated_at = now()
     WHERE id = $1`,
    [id, waivedBy, reason],
  );
}

export interface ClockDocumentRow {
  id: string;
  document: Buffer | null;
  document_name: string;
  document_type: string;
}

/** The sealed filed document of a clock (null when none was filed with it). */
export async function findClockDocument(
  tx: Sql,
  incidentId: string,
  clockId: string,
): Promise<ClockDocumentRow | undefined> {
  return (
    await tx.query<ClockDocumentRow>(
      `SELECT id, document, document_name, document_type FROM deadline_clocks WHERE incident_id = $1 AND id = $2`,
      [incidentId, clockId],
    )
  )[0];
}

interface ProfileRow {
  lead_authority: string | null;
  sec_registrant: boolean | null;
  hipaa_covered: boolean | null;
  nis2_entity: boolean | null;
  cz_regulated: boolean | null;
  established_in: FreeZone[] | null;
  undue_delay_target_hours: number;
}

/** The organization's deadline profile; defaults while it has none. */
export async function loadProfile(tx: Sql): Promise<OrganizationProfile> {
  const row = (
    await tx.query<ProfileRow>(
      `SELECT p.lead_authority, p.sec_registrant, p.hipaa_covered, p.nis2_entity, p.cz_regulated,
              p.established_in, o.undue_delay_target_hours
       FROM organizations o LEFT JOIN deadline_profiles p ON p.organization_id = o.id`,
    )
  )[0];
  return {
    leadAuthority: row?.lead_authority ?? null,
    secRegistrant: row?.sec_registrant ?? false,
    hipaaCovered: row?.hipaa_covered ?? false,
    nis2Entity: row?.nis2_entity ?? null,
    czRegulated: row?.cz_regulated ?? null,
    establishedIn: row?.established_in ?? [],
    undueDelayTargetHours: row?.undue_delay_target_hours ?? 72,
  };
}

export async function saveProfile(
  tx: Sql,
  organizationId: string,
  profile: Omit<OrganizationProfile, 'undueDelayTargetHours'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO deadline_profiles (organization_id, lead_authority, sec_registrant, hipaa_covered, nis2_entity, cz_regulated,
       established_in)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (organization_id) DO UPDATE SET lead_authority = $2, sec_registrant = $3, hipaa_covered = $4,
       nis2_entity = $5, cz_regulated = $6, established_in = $7, updated_at = now()`,
    [
      organizationId,
      profile.leadAuthority,
      profile.secRegistrant,
      profile.hipaaCovered,
      profile.nis2Entity,
      profile.czRegulated,
      profile.establishedIn,
    ],
  );
}

export interface Assessment {
  riskLevel: RiskLevel | null;
  significant: boolean | null;
}

export async function loadAssessment(tx: Sql, incidentId: string): Promise<Assessment> {
  const row = (
    await tx.query<{ risk_level: RiskLevel | null; significant: boolean | null }>(
      'SELECT risk_level, significant FROM incident_assessments WHERE incident_id = $1',
      [incidentId],
    )
  )[0];
  return { riskLevel: row?.risk_level ?? null, significant: row?.significant ?? null };
}

export async function saveAssessment(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  assessment: Assessment,
  userId: string | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO incident_assessments (organization_id, incident_id, risk_level, significant, updated_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (incident_id) DO UPDATE SET risk_level = $3, significant = $4, updated_by = $5, updated_at = now()`,
    [organizationId, incidentId, assessment.riskLevel, assessment.significant, userId],
  );
}
