import type { Sql } from '../../platform/db.js';
import type { ImportMapping, ImportSummary } from './import-types.js';

/* The SQL of customer imports: the imports and their progress, sealed error reports, saved column
 * mappings, and the batch statements that write customers. */

/* ---------- customers, a batch at a time ---------- */

/** A customer already stored under one of a batch's external ids, locked for the batch. */
export interface ExistingCustomer {
  id: string;
  external_id: string;
  import_fingerprint: string | null;
  last_import_id: string | null;
  last_import_line: number | null;
}

/**
 * One row of a batch's JSON (the columns of `json_to_recordset` below): `p` is the sealed record
 * in base64, empty for a customer only marked unchanged.
 */
export interface ImportRecord {
  i: string;
  e: string;
  p: string;
  m: string | null;
  h: string | null;
  l: string | null;
  z: string | null;
  c: string | null;
  r: string | null;
  t: string[];
  a: Record<string, string>;
  ce: boolean;
  cs: boolean;
  cw: boolean;
  w: boolean;
  f: string;
  n: number;
}

export interface WrittenCustomer {
  external_id: string;
  inserted: boolean;
}

/** Locks the customers stored under these external ids. */
export async function lockCustomersByExternalId(tx: Sql, externalIds: string[]): Promise<ExistingCustomer[]> {
  return tx.query<ExistingCustomer>(
    // One look-up per id through the (organization, external id) index, whatever the planner
    // believes of a table that a large import has just filled (no statistics yet): with
    // `external_id = ANY (…)` it chose a scan of the organization's every row, once a batch.
    `SELECT c.* FROM unnest($1::text[]) AS x(external_id) CROSS JOIN LATERAL (
       SELECT id, external_id, import_fingerprint, last_import_id, last_import_line FROM customers
       WHERE customers.external_id = x.external_id FOR UPDATE) AS c`,
    [externalIds],
  );
}

/**
 * The batch's rows as one JSON array (quicker to build here and to read there than one array per
 * column), inserted or, through the (organization, external id) index, updated with `set`.
 */
const upsertStatement = (set: string) => `
  INSERT INTO customers (id, organization_id, external_id, personal, key_version, email_index, phone_index,
    language, time_zone, country, region, tags, attributes, consent_email, consent_sms, consent_webhook,
    has_webhook, import_fingerprint, last_import_id, last_import_line)
  SELECT u.i, $1, u.e, decode(u.p, 'base64'), $2, u.m, u.h, u.l, u.z, u.c, u.r, u.t, u.a, u.ce, u.cs, u.cw,
    u.w, u.f, $3, u.n
  FROM json_to_recordset($4::json) AS u(i uuid, e text, p text, m text, h text, l text, z text, c text,
    r text, t text[], a jsonb, ce bool, cs bool, cw bool, w bool, f text, n int)
  ON CONFLICT (organization_id, external_id) DO UPDATE SET ${set}
  -- The record was sealed for the id read under lock: a row created meanwhile by someone else is left
  -- alone here and read again.
  WHERE customers.id = EXCLUDED.id
  RETURNING external_id, (xmax = 0) AS inserted`;

/** New and changed customers: every field replaced. */
const UPSERT = upsertStatement(`
    personal = EXCLUDED.personal, key_version = EXCLUDED.key_version, email_index = EXCLUDED.email_index,
    phone_index = EXCLUDED.phone_index, language = EXCLUDED.language, time_zone = EXCLUDED.time_zone,
    country = EXCLUDED.country, region = EXCLUDED.region, tags = EXCLUDED.tags,
    attributes = EXCLUDED.attributes, consent_email = EXCLUDED.consent_email,
    consent_sms = EXCLUDED.consent_sms, consent_webhook = EXCLUDED.consent_webhook,
    has_webhook = EXCLUDED.has_webhook, import_fingerprint = EXCLUDED.import_fingerprint,
    last_import_id = EXCLUDED.last_import_id, last_import_line = EXCLUDED.last_import_line, updated_at = now()`);

/**
 * Unchanged customers (locked, so they are there): only marked as brought by this import. Through
 * the same conflict index rather than an UPDATE … FROM, which the planner, without statistics on
 * a table a large import has just filled, runs as a scan of the organization's every row.
 */
const MARK_UNCHANGED = upsertStatement(
  'last_import_id = EXCLUDED.last_import_id, last_import_line = EXCLUDED.last_import_line',
);

/** Inserts the batch's new customers and replaces every field of its changed ones. */
export async function upsertImportedCustomers(
  tx: Sql,
  organizationId: string,
  dataVersion: number,
  importId: string,
  records: ImportRecord[],
): Promise<WrittenCustomer[]> {
  return tx.query<WrittenCustomer>(UPSERT, [organizationId, dataVersion, importId, JSON.stringify(records)]);
}

/** Marks the batch's unchanged customers as brought by this import (nothing sealed is written). */
export async function markImportedUnchanged(
  tx: Sql,
  organizationId: string,
  dataVersion: number,
  importId: string,
  records: ImportRecord[],
): Promise<WrittenCustomer[]> {
  return tx.query<WrittenCustomer>(MARK_UNCHANGED, [
    organizationId,
    dataVersion,
    importId,
    JSON.stringify(records),
  ]);
}

/* ---------- the import ---------- */

interface ImportRow {
  id: string;
  status: ImportSummary['status'];
  format: ImportSummary['format'];
  encoding: string | null;
  delimiter: string | null;
  rows_read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  byte_offset: number;
  batches: number;
  failure: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const toSummary = (r: ImportRow): ImportSummary => ({
  id: r.id,
  status: r.status,
  format: r.format,
  encoding: r.encoding,
  delimiter: r.delimiter,
  read: r.rows_read,
  inserted: r.inserted,
  updated: r.updated,
  unchanged: r.unchanged,
  rejected: r.rejected,
  byteOffset: r.byte_offset,
  batches: r.batches,
  failure: r.failure,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export async function findImport(tx: Sql, id: string): Promise<ImportSummary | undefined> {
  const row = (await tx.query<ImportRow>('SELECT * FROM imports WHERE id = $1', [id]))[0];
  return row && toSummary(row);
}

/** The import, its row locked: the import is taken over by the run that resumes it. */
export async function lockImport(tx: Sql, id: string): Promise<ImportSummary | undefined> {
  const row = (await tx.query<ImportRow>('SELECT * FROM imports WHERE id = $1 FOR UPDATE', [id]))[0];
  return row && toSummary(row);
}

export async function insertImport(
  tx: Sql,
  id: string,
  organizationId: string,
  format: ImportSummary['format'],
  createdBy: string | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO imports (id, organization_id, status, format, created_by) VALUES ($1, $2, 'running', $3, $4)`,
    [id, organizationId, format, createdBy],
  );
}

export async function markImportRunning(tx: Sql, id: string): Promise<void> {
  await tx.query(
    `UPDATE imports SET status = 'running', failure = NULL, finished_at = NULL, updated_at = now()
         WHERE id = $1`,
    [id],
  );
}

export async function markImportFailed(tx: Sql, id: string, reason: string): Promise<void> {
  await tx.query(
    `UPDATE imports SET status = 'failed', failure = $2, finished_at = now(), updated_at = now()
                WHERE id = $1`,
    [id, reason],
  );
}

/** Adds a committed batch's counts and where the file has been read to. */
export async function recordImportBatch(
  tx: Sql,
  id: string,
  batch: {
    read: number;
    inserted: number;
    updated: number;
    unchanged: number;
    rejected: number;
    byteOffset: number;
    batches: number;
    encoding: string;
    delimiter: string | null;
  },
): Promise<ImportSummary> {
  const saved = await tx.query<ImportRow>(
    `UPDATE imports SET rows_read = rows_read + $2, inserted = inserted + $3, updated = updated + $4,
             unchanged = unchanged + $5, rejected = rejected + $6, byte_offset = $7, batches = $8,
             encoding = $9, delimiter = $10, updated_at = now()
           WHERE id = $1 RETURNING *`,
    [
      id,
      batch.read,
      batch.inserted,
      batch.updated,
      batch.unchanged,
      batch.rejected,
      batch.byteOffset,
      batch.batches,
      batch.encoding,
      batch.delimiter,
    ],
  );
  return toSummary(saved[0]!);
}

export async function markImportCompleted(
  tx: Sql,
  id: string,
  end: { byteOffset: number; encoding: string; delimiter: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE imports SET status = 'completed', finished_at = now(), updated_at = now(), byte_offset = $2,
           encoding = $3, delimiter = $4 WHERE id = $1`,
    [id, end.byteOffset, end.encoding, end.delimiter],
  );
}

/** The newest imports' ids first. */
export async function listRecentImportIds(tx: Sql, limit: number): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    'SELECT id FROM imports ORDER BY created_at DESC, id LIMIT $1',
    [limit],
  );
  return rows.map((r) => r.id);
}

/* ---------- the error report, one sealed part per batch ---------- */

export async function insertImportErrors(
  tx: Sql,
  organizationId: string,
  importId: string,
  batch: number,
  report: Buffer,
  keyVersion: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO import_errors (organization_id, import_id, batch, report, key_version)
             VALUES ($1, $2, $3, $4, $5)`,
    [organizationId, importId, batch, report, keyVersion],
  );
}

export async function listImportErrors(
  tx: Sql,
  importId: string,
): Promise<{ batch: number; report: Uint8Array; key_version: number }[]> {
  return tx.query<{ batch: number; report: Uint8Array; key_version: number }>(
    'SELECT batch, report, key_version FROM import_errors WHERE import_id = $1 ORDER BY batch',
    [importId],
  );
}

/* ---------- saved column mappings ---------- */

export async function saveMapping(tx: Sql, organizationId: string, name: string, mapping: ImportMapping) {
  await tx.query(
    `INSERT INTO customer_import_mappings (organization_id, name, mapping) VALUES ($1, $2, $3)
     ON CONFLICT (organization_id, name) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`,
    [organizationId, name, JSON.stringify(mapping)],
  );
}

export async function loadMapping(tx: Sql, name: string): Promise<ImportMapping | undefined> {
  return (
    await tx.query<{ mapping: ImportMapping }>(
      'SELECT mapping FROM customer_import_mappings WHERE name = $1',
      [name],
    )
  )[0]?.mapping;
}

export async function listMappings(
  tx: Sql,
): Promise<{ name: string; mapping: Record<string, string>; updated_at: Date }[]> {
  return tx.query<{ name: string; mapping: Record<string, string>; updated_at: Date }>(
    'SELECT name, mapping, updated_at FROM customer_import_mappings ORDER BY name',
  );
}
