import type { Sql } from '../../platform/db.js';
import { sqlFragment, sqlIdentifier, sqlInteger } from '../../platform/sql-text.js';

/**
 * The SQL of key rotation and re-encryption. Table and column names come from the registries
 * (sealed-columns.ts, master-sealed.ts), never from a request; they are the only text spliced in.
 */

/** A registered column's place: its table, and the columns that find one row. */
interface RowPlace {
  table: string;
  key: readonly string[];
}

/** Organizations that hold a data key, in id order. */
export async function organizationsWithDataKeys(tx: Sql): Promise<{ organization_id: string }[]> {
  return tx.query<{ organization_id: string }>(
    `SELECT DISTINCT organization_id FROM organization_keys WHERE purpose = 'data' ORDER BY organization_id`,
  );
}

/** Each organization's data key versions, ascending. */
export async function dataKeyVersions(db: Sql): Promise<{ organization_id: string; versions: number[] }[]> {
  return db.query<{ organization_id: string; versions: number[] }>(
    `SELECT organization_id, array_agg(version ORDER BY version) AS versions FROM organization_keys
     WHERE purpose = 'data' GROUP BY organization_id ORDER BY organization_id`,
  );
}

/** The organization's rows in a table still sealed under a data key version older than `version`. */
export async function countRowsBelowVersion(
  sql: Sql,
  table: string,
  organizationId: string,
  version: number,
): Promise<number> {
  const rows = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${sqlIdentifier(table)} WHERE organization_id = $1 AND key_version < $2`,
    [organizationId, version],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Organizations holding more than one data key version, each with its newest version older than
 * `settleMs` (null when none is yet): ids and versions only, through the migrations' named
 * SECURITY DEFINER function, so a login role (candor_app) sees every organization's.
 */
export async function organizationsToReencrypt(
  db: Sql,
  settleMs: number,
): Promise<{ organization_id: string; target: number | null }[]> {
  return db.query<{ organization_id: string; target: number | null }>(
    `SELECT organization_id, target FROM candor_organizations_to_reencrypt($1::double precision)`,
    [settleMs],
  );
}

/** Tells triggers that this transaction's writes only change the key (customers keep their import fingerprint). */
export async function markReencrypting(tx: Sql): Promise<void> {
  await tx.query(`SELECT set_config('candor.reencrypting', 'on', true)`);
}

/**
 * The next batch of the organization's rows under a version older than `target`, after the
 * `after` position of `order`, locked (rows another transaction holds are skipped).
 */
export async function lockRowsBelowVersion(
  tx: Sql,
  entry: RowPlace & { order: readonly string[]; columns: readonly string[] },
  organizationId: string,
  target: number,
  after: unknown[] | undefined,
  batchSize: number,
): Promise<Record<string, unknown>[]> {
  const select = [...new Set(['organization_id', ...entry.key, ...entry.order, ...entry.columns])];
  const order = entry.order.join(', ');
  const cursor = after ? `AND (${order}) > (${entry.order.map((_, i) => `$${i + 3}`).join(', ')})` : '';
  return tx.query<Record<string, unknown>>(
    `SELECT ${sqlFragment(select.join(', '))}, key_version FROM ${sqlIdentifier(entry.table)}
       WHERE organization_id = $1 AND key_version < $2 ${sqlFragment(cursor)}
       ORDER BY ${sqlFragment(order)} LIMIT ${sqlInteger(batchSize)} FOR UPDATE SKIP LOCKED`,
    [organizationId, target, ...(after ?? [])],
  );
}

/** Writes a row's columns re-sealed under `target`, if it is still under the version it was read with. */
export async function updateResealedRow(
  tx: Sql,
  entry: RowPlace & { columns: readonly string[] },
  row: Record<string, unknown>,
  sealed: (Buffer | null)[],
  organizationId: string,
  target: number,
): Promise<void> {
  const n = entry.columns.length;
  await tx.query(
    `UPDATE ${sqlIdentifier(entry.table)} SET ${sqlFragment(entry.columns.map((c, i) => `${c} = $${i + 1}`).join(', '))},
           key_version = $${sqlInteger(n + 1)}
         WHERE organization_id = $${sqlInteger(n + 2)} AND key_version = $${sqlInteger(n + 3)}
           AND ${sqlFragment(entry.key.map((k, i) => `${k} = $${n + 4 + i}`).join(' AND '))}`,
    [...sealed, target, organizationId, row.key_version, ...entry.key.map((k) => row[k])],
  );
}

/**
 * Deletes the current organization's data key versions older than `target` (inside withOrg), if
 * no registered row is left under one of them (checked again by the function); returns the
 * versions deleted.
 */
export async function deleteDataKeyVersionsBelow(
  tx: Sql,
  organizationId: string,
  target: number,
): Promise<{ version: number }[]> {
  return tx.query<{ version: number }>(
    `SELECT version FROM candor_destroy_data_key_versions($1, $2) AS version`,
    [organizationId, target],
  );
}

/** Every row holding a value in a master-sealed column, locked for the re-seal. */
export async function lockMasterSealedRows(
  tx: Sql,
  entry: RowPlace & { column: string },
): Promise<Record<string, unknown>[]> {
  const keyList = entry.key.join(', ');
  const hasOrg = entry.table !== 'organizations';
  return tx.query<Record<string, unknown>>(
    `SELECT ${sqlFragment(keyList)}${hasOrg ? ', organization_id' : ''}, ${sqlIdentifier(entry.column)} AS sealed
       FROM ${sqlIdentifier(entry.table)} WHERE ${sqlIdentifier(entry.column)} IS NOT NULL FOR UPDATE`,
  );
}

export async function updateMasterSealedValue(
  tx: Sql,
  entry: RowPlace & { column: string },
  row: Record<string, unknown>,
  sealed: Buffer,
): Promise<void> {
  await tx.query(
    `UPDATE ${sqlIdentifier(entry.table)} SET ${sqlIdentifier(entry.column)} = $1
       WHERE ${sqlFragment(entry.key.map((k, i) => `${k} = $${i + 2}`).join(' AND '))}`,
    [sealed, ...entry.key.map((k) => row[k])],
  );
}
