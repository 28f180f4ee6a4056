import { deriveKey, open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { lockMasterSealedRows, updateMasterSealedValue } from './key-repo.js';

/**
 * Columns sealed under a key derived from the master key itself (deriveKey(masterKey, purpose))
 * rather than under an organization's data key. When the master key is replaced they are
 * re-sealed by `candor keys rotate`: opened with a key derived from a previous master key,
 * sealed with one derived from the current. A feature that seals with deriveKey(masterKey, …)
 * registers its column here. (HMACs under such keys, like recovery codes, cannot be re-keyed:
 * see docs/OPERATIONS.md.)
 */
export interface MasterSealedColumn {
  table: string;
  column: string;
  /** The deriveKey purpose. */
  purpose: string;
  /** The row's identifying columns (a primary key). */
  key: readonly string[];
  context(row: Record<string, unknown>): string;
}

export const MASTER_SEALED_COLUMNS: readonly MasterSealedColumn[] = [
  // accounts/mfa-service.ts
  {
    table: 'users',
    column: 'totp_secret',
    purpose: 'totp',
    key: ['id'],
    context: (r) => `totp:${String(r.id)}`,
  },
  {
    table: 'users',
    column: 'totp_pending_secret',
    purpose: 'totp',
    key: ['id'],
    context: (r) => `totp:${String(r.id)}`,
  },
  // plans/contact-repo.ts
  {
    table: 'oob_contacts',
    column: 'details',
    purpose: 'oob-contacts',
    key: ['id'],
    context: (r) => `oob-contact:${String(r.id)}`,
  },
  // intake/intake-routes.ts
  {
    table: 'organizations',
    column: 'intake_webhook_secret',
    purpose: 'intake-webhook',
    key: ['id'],
    context: (r) => `intake:${String(r.id)}`,
  },
  // deadlines/deadline-service.ts
  {
    table: 'deadline_clocks',
    column: 'document',
    purpose: 'deadline-evidence',
    key: ['id'],
    context: (r) => `deadline-evidence:${String(r.organization_id)}:${String(r.id)}`,
  },
  // platform/outbox.ts
  {
    table: 'deliveries',
    column: 'payload',
    purpose: 'outbox',
    key: ['id'],
    context: (r) => `delivery:${String(r.organization_id)}:${String(r.id)}`,
  },
];

function tryOpen(key: Buffer, sealed: Buffer, context: string): Buffer | undefined {
  try {
    return open(key, sealed, context);
  } catch {
    return undefined;
  }
}

/**
 * Re-seals every registered column still sealed under a previous master key; run as the owner in
 * rotate's transaction. A value that opens under no configured key is left as it is and counted
 * (it was unreadable before too). Returns counts per table.column.
 */
export async function resealMasterSealed(
  tx: Sql,
  current: Buffer,
  previous: readonly Buffer[],
): Promise<{ resealed: Record<string, number>; unreadable: number }> {
  const resealed: Record<string, number> = {};
  let unreadable = 0;
  if (previous.length === 0) return { resealed, unreadable };
  for (const entry of MASTER_SEALED_COLUMNS) {
    const keyNow = deriveKey(current, entry.purpose);
    const keysBefore = previous.map((p) => deriveKey(p, entry.purpose));
    const rows = await lockMasterSealedRows(tx, entry);
    let n = 0;
    for (const row of rows) {
      const sealed = Buffer.from(row.sealed as Uint8Array);
      const context = entry.context(row);
      if (tryOpen(keyNow, sealed, context)) continue;
      const plain = keysBefore.map((k) => tryOpen(k, sealed, context)).find((p) => p !== undefined);
      if (!plain) {
        unreadable++;
        continue;
      }
      await updateMasterSealedValue(tx, entry, row, seal(keyNow, plain, context));
      n++;
    }
    if (n > 0) resealed[`${entry.table}.${entry.column}`] = n;
  }
  return { resealed, unreadable };
}
