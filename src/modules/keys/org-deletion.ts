import type { Database } from '../../platform/db.js';
import { lockOrganizationKeys } from '../../platform/keys.js';

export interface DeletionReceipt {
  organizationId: string;
  deletedAt: string;
  /** Organization keys destroyed (wrapped data and index keys, every version). */
  keysDestroyed: number;
  /** Rows deleted with the organization, per table (ids and counts only: no names). */
  rows: Record<string, number>;
}

export class DeletionRefused extends Error {}

/**
 * Deletes an organization with crypto-shredding. In one transaction, as the owner: its keys are
 * deleted first, then the organization (everything else cascades). Then VACUUM (FULL) rewrites
 * organization_keys and customers so the deleted rows' bytes are physically gone from the live
 * tables, and a checkpoint lets the write-ahead log that held them be recycled. The
 * organization's own audit chain goes with it: the returned receipt is the record that remains.
 */
export async function deleteOrganization(
  db: Database,
  organizationId: string,
  confirmation: string,
): Promise<DeletionReceipt> {
  const receipt = await db.transaction(async (tx) => {
    const org = (
      await tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1 FOR UPDATE', [
        organizationId,
      ])
    )[0];
    if (!org) throw new DeletionRefused(`No organization ${organizationId}.`);
    if (confirmation.trim() !== org.name.trim()) {
      throw new DeletionRefused(
        `--confirm does not match the organization's name; type its exact name to delete ${organizationId}.`,
      );
    }
    const tables = await tx.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = 'public' AND c.column_name = 'organization_id' AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name`,
    );
    const rows: Record<string, number> = {};
    for (const { table_name: table } of tables) {
      const n = (
        await tx.query<{ n: number }>(`SELECT count(*) AS n FROM "${table}" WHERE organization_id = $1`, [
          organizationId,
        ])
      )[0]?.n;
      if (n) rows[table] = n;
    }
    await lockOrganizationKeys(tx, organizationId);
    const keys = await tx.query(
      'DELETE FROM organization_keys WHERE organization_id = $1 RETURNING version',
      [organizationId],
    );
    await tx.query('DELETE FROM organizations WHERE id = $1', [organizationId]);
    return {
      organizationId,
      deletedAt: new Date().toISOString(),
      keysDestroyed: keys.length,
      rows,
    } satisfies DeletionReceipt;
  });
  await purgeDeletedRows(db);
  return receipt;
}

/**
 * Rewrites the tables that held the wrapped keys and the sealed records so no dead tuple keeps
 * their bytes (VACUUM cannot run in a transaction), and rebuilds their statistics (whose sample
 * values would otherwise keep old bytes). Then the write-ahead log that recorded the deleted rows
 * is switched away from and checkpointed; on the embedded engine without recycling, so its old
 * segments are removed rather than renamed for reuse. On a server that needs superuser rights
 * (or pg_checkpoint): without them the server recycles those segments in its own time.
 */
export async function purgeDeletedRows(db: Database): Promise<void> {
  await db.query('VACUUM (FULL, ANALYZE) organization_keys');
  await db.query('VACUUM (FULL, ANALYZE) customers');
  if (db.kind === 'embedded') {
    await db.query('SET wal_recycle = off');
    try {
      await db.query('SELECT pg_switch_wal()');
      await db.query('CHECKPOINT');
    } finally {
      await db.query('RESET wal_recycle');
    }
    return;
  }
  try {
    await db.query('SELECT pg_switch_wal()');
    await db.query('CHECKPOINT');
  } catch {
    // Not allowed to this role: the server's own checkpoints get there.
  }
}
