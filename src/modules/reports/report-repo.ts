import type { Sql } from '../../platform/db.js';
import type { Locale } from '../../platform/i18n.js';
import type { ExportFormat, ReportFields, ReportKind } from './report-model.js';

export interface ReportRow {
  id: string;
  organization_id: string;
  incident_id: string;
  kind: ReportKind;
  locale: Locale;
  fields: Partial<ReportFields>;
  revision: number;
  created_by: string | null;
  created_at: Date;
  updated_by: string | null;
  updated_at: Date;
}

export interface VersionRow {
  id: string;
  organization_id: string;
  incident_id: string;
  report_id: string;
  number: number;
  kind: ReportKind;
  format: ExportFormat;
  locale: Locale;
  is_exercise: boolean;
  report_revision: number;
  sha256: string;
  size: number;
  created_by: string | null;
  created_at: Date;
}

const VERSION_COLUMNS = `id, organization_id, incident_id, report_id, number, kind, format, locale, is_exercise,
  report_revision, sha256, octet_length(content) AS size, created_by, created_at`;

/** Under the caller's RLS: the reports of a restricted incident are found by its members only. */
export async function findReport(tx: Sql, id: string, options: { lock?: boolean } = {}) {
  const rows = await tx.query<ReportRow>(
    `SELECT * FROM regulator_reports WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function findReportOfKind(tx: Sql, incidentId: string, kind: ReportKind) {
  const rows = await tx.query<ReportRow>(
    'SELECT * FROM regulator_reports WHERE incident_id = $1 AND kind = $2',
    [incidentId, kind],
  );
  return rows[0];
}

export function reportsOfIncident(tx: Sql, incidentId: string): Promise<ReportRow[]> {
  return tx.query<ReportRow>('SELECT * FROM regulator_reports WHERE incident_id = $1 ORDER BY created_at', [
    incidentId,
  ]);
}

export async function insertReport(
  tx: Sql,
  row: Pick<
    ReportRow,
    'id' | 'organization_id' | 'incident_id' | 'kind' | 'locale' | 'fields' | 'created_by'
  >,
): Promise<ReportRow> {
  const rows = await tx.query<ReportRow>(
    `INSERT INTO regulator_reports (id, organization_id, incident_id, kind, locale, fields, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
    [
      row.id,
      row.organization_id,
      row.incident_id,
      row.kind,
      row.locale,
      JSON.stringify(row.fields),
      row.created_by,
    ],
  );
  return rows[0]!;
}

export async function saveDraft(
  tx: Sql,
  id: string,
  change: { fields: Partial<ReportFields>; locale: Locale; updatedBy: string | null },
): Promise<ReportRow> {
  const rows = await tx.query<ReportRow>(
    `UPDATE regulator_reports SET fields = $2, locale = $3, updated_by = $4, updated_at = now(), revision = revision + 1
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(change.fields), change.locale, change.updatedBy],
  );
  return rows[0]!;
}

export async function insertVersion(
  tx: Sql,
  row: Omit<VersionRow, 'id' | 'number' | 'size' | 'created_at'> & { content: Buffer },
): Promise<VersionRow> {
  // The caller holds the report's row lock, so numbers are taken one at a time.
  const rows = await tx.query<VersionRow>(
    `INSERT INTO regulator_report_versions (organization_id, incident_id, report_id, number, kind, format, locale,
       is_exercise, report_revision, content, sha256, created_by)
     SELECT $1, $2, $3, coalesce(max(number), 0) + 1, $4, $5, $6, $7, $8, $9, $10, $11
     FROM regulator_report_versions WHERE report_id = $3
     RETURNING ${VERSION_COLUMNS}`,
    [
      row.organization_id,
      row.incident_id,
      row.report_id,
      row.kind,
      row.format,
      row.locale,
      row.is_exercise,
      row.report_revision,
      row.content,
      row.sha256,
      row.created_by,
    ],
  );
  return rows[0]!;
}

export function versionsOf(tx: Sql, reportId: string): Promise<VersionRow[]> {
  return tx.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM regulator_report_versions WHERE report_id = $1 ORDER BY number DESC`,
    [reportId],
  );
}

export async function findVersion(
  tx: Sql,
  id: string,
): Promise<(VersionRow & { content: Buffer }) | undefined> {
  const rows = await tx.query<VersionRow & { content: Buffer | Uint8Array }>(
    `SELECT ${VERSION_COLUMNS}, content FROM regulator_report_versions WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  // PGlite returns bytea as a Uint8Array, node-postgres as a Buffer.
  return (
    row && {
      ...row,
      content: Buffer.from(row.content.buffer, row.content.byteOffset, row.content.byteLength),
    }
  );
}

/** What a report takes from its organization: the name and the default contact point. */
export async function organizationForReports(tx: Sql): Promise<{ name: string; contactPoint: string }> {
  const rows = await tx.query<{ name: string; report_contact_point: string }>(
    'SELECT name, report_contact_point FROM organizations',
  );
  return { name: rows[0]?.name ?? '', contactPoint: rows[0]?.report_contact_point ?? '' };
}

export async function setReportContactPoint(tx: Sql, contactPoint: string): Promise<void> {
  await tx.query('UPDATE organizations SET report_contact_point = $1', [contactPoint]);
}
