import { open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';

/**
 * The reports held for review (inbound_reports): what bounce-service.ts could not trust. The
 * message as received is sealed under the organization's data key, bound to the report's id; the
 * rest names no person.
 */
export type HeldVerdict = 'bad_token' | 'recipient_mismatch' | 'not_a_notice';
export type ReportKind = 'hard' | 'soft' | 'complaint' | 'unsubscribe';

export interface HeldReport {
  id: string;
  deliveryId: string;
  kind: ReportKind;
  source: string;
  verdict: HeldVerdict;
  /** How many recipients the report named, and how many of them were not the delivery's. */
  recipients: number;
  foreignRecipients: number;
  statuses: string[];
  remoteAddress: string | null;
  hasMessage: boolean;
  receivedAt: Date;
  reviewedAt: Date | null;
}

interface Row {
  id: string;
  delivery_id: string;
  kind: ReportKind;
  source: string;
  verdict: HeldVerdict;
  recipients: number;
  foreign_recipients: number;
  statuses: string[];
  remote_address: string | null;
  has_message: boolean;
  received_at: Date;
  reviewed_at: Date | null;
}

const COLUMNS = `id, delivery_id, kind, source, verdict, recipients, foreign_recipients, statuses, remote_address,
  raw IS NOT NULL AS has_message, received_at, reviewed_at`;

const toReport = (r: Row): HeldReport => ({
  id: r.id,
  deliveryId: r.delivery_id,
  kind: r.kind,
  source: r.source,
  verdict: r.verdict,
  recipients: r.recipients,
  foreignRecipients: r.foreign_recipients,
  statuses: r.statuses,
  remoteAddress: r.remote_address,
  hasMessage: r.has_message,
  receivedAt: r.received_at,
  reviewedAt: r.reviewed_at,
});

const messageContext = (organizationId: string, id: string) => `inbound-report:${organizationId}:${id}`;

export async function insertHeldReport(
  tx: Sql,
  keys: OrganizationKeys,
  report: {
    id: string;
    organizationId: string;
    deliveryId: string;
    kind: ReportKind;
    source: string;
    verdict: HeldVerdict;
    recipients: number;
    foreignRecipients: number;
    status: string | undefined;
    remoteAddress: string | undefined;
    raw: Buffer | undefined;
  },
): Promise<void> {
  const raw =
    report.raw &&
    seal(keys.data(keys.dataVersion), report.raw, messageContext(report.organizationId, report.id));
  await tx.query(
    `INSERT INTO inbound_reports (id, organization_id, delivery_id, kind, source, verdict, recipients,
       foreign_recipients, statuses, remote_address, raw, key_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      report.id,
      report.organizationId,
      report.deliveryId,
      report.kind,
      report.source,
      report.verdict,
      report.recipients,
      report.foreignRecipients,
      report.status ? [report.status] : [],
      report.remoteAddress?.slice(0, 100) ?? null,
      raw ?? null,
      raw ? keys.dataVersion : null,
    ],
  );
}

/** Newest first, paged by (received_at, id) of the last row seen; `open` only those nobody reviewed. */
export async function listHeldReports(
  tx: Sql,
  options: { open: boolean; limit: number; before?: { at: Date; id: string } },
): Promise<HeldReport[]> {
  const rows = await tx.query<Row>(
    `SELECT ${COLUMNS} FROM inbound_reports
     WHERE (NOT $1 OR reviewed_at IS NULL)
       AND ($2::timestamptz IS NULL OR (received_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY received_at DESC, id DESC LIMIT $4`,
    [options.open, options.before?.at ?? null, options.before?.id ?? null, options.limit],
  );
  return rows.map(toReport);
}

/** The report as it was received; undefined when there is no such report or its message was not kept. */
export async function heldReportMessage(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  id: string,
): Promise<string | undefined> {
  const row = (
    await tx.query<{ raw: Uint8Array | null; key_version: number | null }>(
      'SELECT raw, key_version FROM inbound_reports WHERE id = $1',
      [id],
    )
  )[0];
  if (!row?.raw || row.key_version === null) return undefined;
  return open(keys.data(row.key_version), Buffer.from(row.raw), messageContext(organizationId, id)).toString(
    'utf8',
  );
}

/** Marks a report reviewed (the first review stands); undefined when there is no such report. */
export async function markReviewed(
  tx: Sql,
  id: string,
  reviewedBy: string | null,
): Promise<HeldReport | undefined> {
  const row = (
    await tx.query<Row>(
      `UPDATE inbound_reports SET reviewed_at = coalesce(reviewed_at, now()), reviewed_by = coalesce(reviewed_by, $2)
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, reviewedBy],
    )
  )[0];
  return row && toReport(row);
}
