import type { Database, Sql } from '../../platform/db.js';
import { sqlIdentifier } from '../../platform/sql-text.js';

/** The organization's name, its row locked for the deletion (as the owner: any organization). */
export async function lockOrganization(
  tx: Sql,
  organizationId: string,
): Promise<{ name: string } | undefined> {
  return (
    await tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1 FOR UPDATE', [
      organizationId,
    ])
  )[0];
}

/** The name of the caller's organization (under its RLS, the one row there is). */
export async function organizationName(tx: Sql): Promise<string | undefined> {
  return (await tx.query<{ name: string }>('SELECT name FROM organizations'))[0]?.name;
}

/** Every table with an organization_id column, by name. */
export async function tablesWithOrganizationId(tx: Sql): Promise<string[]> {
  const tables = await tx.query<{ table_name: string }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = 'public' AND c.column_name = 'organization_id' AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name`,
  );
  return tables.map((t) => t.table_name);
}

export async function countOrganizationRows(
  tx: Sql,
  table: string,
  organizationId: string,
): Promise<number | undefined> {
  return (
    await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${sqlIdentifier(table)} WHERE organization_id = $1`,
      [organizationId],
    )
  )[0]?.n;
}

/** Deletes every key of the organization, every version; returns how many. */
export async function deleteOrganizationKeys(tx: Sql, organizationId: string): Promise<number> {
  const keys = await tx.query('DELETE FROM organization_keys WHERE organization_id = $1 RETURNING version', [
    organizationId,
  ]);
  return keys.length;
}

/** Deletes the organization; everything else it holds cascades. */
export async function deleteOrganizationRow(tx: Sql, organizationId: string): Promise<void> {
  await tx.query('DELETE FROM organizations WHERE id = $1', [organizationId]);
}

/** Rewrites the tables that held wrapped keys and sealed records, statistics included (outside a transaction). */
export async function vacuumShreddedTables(db: Database): Promise<void> {
  await db.query('VACUUM (FULL, ANALYZE) organization_keys');
  await db.query('VACUUM (FULL, ANALYZE) customers');
}

/** On the embedded engine: old write-ahead log segments are removed rather than renamed for reuse. */
export async function setWalRecycleOff(db: Database): Promise<void> {
  await db.query('SET wal_recycle = off');
}

export async function resetWalRecycle(db: Database): Promise<void> {
  await db.query('RESET wal_recycle');
}

/** Switches to a new write-ahead log segment and checkpoints, so the old ones can go. */
export async function switchWalAndCheckpoint(db: Database): Promise<void> {
  await db.query('SELECT pg_switch_wal()');
  await db.query('CHECKPOINT');
}
