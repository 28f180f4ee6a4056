import { withOrg, type Database } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { lockOrganizationKeys } from '../../platform/keys.js';
import { findUser, verifyPassword } from '../accounts/index.js';
import {
  deleteOrganizationWithKeys,
  lockOrganization,
  organizationName,
  resetWalRecycle,
  setWalRecycleOff,
  switchWalAndCheckpoint,
  vacuumShreddedTables,
} from './org-deletion-repo.js';

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
 * Deletes an organization with crypto-shredding. In one transaction, inside the organization
 * (withOrg, as candor_app: also as a login role), through the SECURITY DEFINER function
 * candor_delete_organization: its keys are deleted first, then the organization (everything
 * else cascades). Then VACUUM (FULL) rewrites
 * organization_keys and customers so the deleted rows' bytes are physically gone from the live
 * tables, and a checkpoint lets the write-ahead log that held them be recycled. The
 * organization's own audit chain goes with it: the returned receipt is the record that remains.
 */
export async function deleteOrganization(
  db: Database,
  organizationId: string,
  confirmation: string,
): Promise<DeletionReceipt> {
  // Inside the organization, so a process logged in as a login role (candor_app) can do it: the
  // keys, the count of what it held and the deletion go through the migrations' named function.
  const receipt = await withOrg(
    db,
    organizationId,
    async (tx) => {
      const org = await lockOrganization(tx, organizationId);
      if (!org) throw new DeletionRefused(`No organization ${organizationId}.`);
      if (confirmation.trim() !== org.name.trim()) {
        throw new DeletionRefused(
          `--confirm does not match the organization's name; type its exact name to delete ${organizationId}.`,
        );
      }
      await lockOrganizationKeys(tx, organizationId);
      const deleted = await deleteOrganizationWithKeys(tx, organizationId);
      if (!deleted) throw new DeletionRefused(`No organization ${organizationId}.`);
      return {
        organizationId,
        deletedAt: new Date().toISOString(),
        keysDestroyed: deleted.keysDestroyed,
        rows: deleted.rows,
      } satisfies DeletionReceipt;
    },
    { system: true },
  );
  await purgeDeletedRows(db);
  return receipt;
}

/**
 * DELETE /api/organization: an admin deletes their own organization, after re-entering their
 * password and typing its name again (checked here under the organization's RLS, before the
 * deletion).
 */
export async function deleteOwnOrganization(
  db: Database,
  caller: { organizationId: string; actorId: string },
  body: { password: string; confirm: string },
): Promise<DeletionReceipt> {
  const { user, name } = await withOrg(db, caller.organizationId, async (tx) => ({
    user: await findUser(tx, caller.actorId),
    name: await organizationName(tx),
  }));
  if (!user || !(await verifyPassword(user.password_hash, body.password))) {
    throw new AppError('invalid_credentials');
  }
  if (name === undefined || body.confirm.trim() !== name.trim()) {
    throw new AppError('bad_request', { problem: 'confirm must be the organization’s exact name' });
  }
  return deleteOrganization(db, caller.organizationId, body.confirm);
}

/**
 * Rewrites the tables that held the wrapped keys and the sealed records so no dead tuple keeps
 * their bytes (VACUUM cannot run in a transaction), and rebuilds their statistics (whose sample
 * values would otherwise keep old bytes). Then the write-ahead log that recorded the deleted rows
 * is switched away from and checkpointed; on the embedded engine without recycling, so its old
 * segments are removed rather than renamed for reuse. On a server that needs superuser rights
 * (or pg_checkpoint): without them the server recycles those segments in its own time.
 * As a login role (not the tables' owner) the VACUUM is skipped with a warning, and the server's
 * autovacuum removes the dead rows later (docs/OPERATIONS.md, "Database roles").
 */
export async function purgeDeletedRows(db: Database): Promise<void> {
  await vacuumShreddedTables(db);
  if (db.kind === 'embedded') {
    await setWalRecycleOff(db);
    try {
      await switchWalAndCheckpoint(db);
    } finally {
      await resetWalRecycle(db);
    }
    return;
  }
  try {
    await switchWalAndCheckpoint(db);
  } catch {
    // Not allowed to this role: the server's own checkpoints get there.
  }
}
