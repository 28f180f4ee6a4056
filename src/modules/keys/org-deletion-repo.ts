import type { Database, Sql } from '../../platform/db.js';

/** The organization's name, its row locked for the deletion (inside withOrg: only that organization). */
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

/**
 * Deletes the current organization (inside withOrg) with every key of it, every version, then
 * the organization itself (everything else cascades), through the migrations' SECURITY DEFINER
 * function. Returns the rows it held per table (counts only) and the keys destroyed, or
 * undefined when there is no such organization.
 */
export async function deleteOrganizationWithKeys(
  tx: Sql,
  organizationId: string,
): Promise<{ rows: Record<string, number>; keysDestroyed: number } | undefined> {
  const result = (
    await tx.query<{ deleted: { rows: Record<string, number>; keysDestroyed: number } | null }>(
      'SELECT candor_delete_organization($1) AS deleted',
      [organizationId],
    )
  )[0]?.deleted;
  return result ?? undefined;
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
