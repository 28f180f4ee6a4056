import type { Sql } from '../../platform/db.js';
import type { Channel } from './notice-contracts.js';
import type { SuppressionReason, SuppressionScope } from './suppression-model.js';

/** The suppression list's rows: addresses by their blind index only, never in clear. */
export interface SuppressionRow {
  id: string;
  channel: Channel;
  reason: SuppressionReason;
  scope: SuppressionScope;
  source: string;
  delivery_id: string | null;
  created_at: Date;
}

/**
 * The indexes among `indexes` suppressed on the channel: by any entry (optionalOnly: the notice is
 * an optional update), else by an 'all' entry only.
 */
export async function findSuppressedIndexes(
  tx: Sql,
  channel: Channel,
  indexes: readonly string[],
  optionalOnly: boolean,
): Promise<string[]> {
  const rows = await tx.query<{ address_index: string }>(
    `SELECT address_index FROM suppressions
     WHERE channel = $1 AND address_index = ANY ($2::text[]) AND ($3 OR scope = 'all')`,
    [channel, [...new Set(indexes)], optionalOnly],
  );
  return rows.map((r) => r.address_index);
}

/**
 * Adds an entry, or widens an 'optional' one to 'all' (taking the new reason); whether it added
 * or widened one.
 */
export async function upsertSuppression(
  tx: Sql,
  entry: {
    organizationId: string;
    channel: Channel;
    index: string;
    reason: SuppressionReason;
    scope: SuppressionScope;
    source: string;
    deliveryId: string | null;
  },
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO suppressions (organization_id, channel, address_index, reason, scope, source, delivery_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (organization_id, channel, address_index) DO UPDATE
       SET reason = EXCLUDED.reason, scope = EXCLUDED.scope, source = EXCLUDED.source,
           delivery_id = EXCLUDED.delivery_id, created_at = now()
       WHERE suppressions.scope = 'optional' AND EXCLUDED.scope = 'all'
     RETURNING id`,
    [
      entry.organizationId,
      entry.channel,
      entry.index,
      entry.reason,
      entry.scope,
      entry.source,
      entry.deliveryId,
    ],
  );
  return rows.length > 0;
}

/** Newest first, paged by (created_at, id) of the last row seen. */
export function listSuppressionRows(
  tx: Sql,
  options: { limit: number; channel?: Channel; before?: { createdAt: Date; id: string }; index?: string },
): Promise<SuppressionRow[]> {
  return tx.query<SuppressionRow>(
    `SELECT id, channel, reason, scope, source, delivery_id, created_at FROM suppressions
     WHERE ($1::text IS NULL OR channel = $1)
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       AND ($4::text IS NULL OR address_index = $4)
     ORDER BY created_at DESC, id DESC LIMIT $5`,
    [
      options.channel ?? null,
      options.before?.createdAt ?? null,
      options.before?.id ?? null,
      options.index ?? null,
      options.limit,
    ],
  );
}

export async function deleteSuppression(tx: Sql, id: string): Promise<SuppressionRow | undefined> {
  const rows = await tx.query<SuppressionRow>(
    'DELETE FROM suppressions WHERE id = $1 RETURNING id, channel, reason, scope, source, delivery_id, created_at',
    [id],
  );
  return rows[0];
}

/** Whether the transaction's organization exists (under its RLS: the one row visible, or none). */
export async function organizationExists(tx: Sql): Promise<boolean> {
  const exists = await tx.query('SELECT 1 FROM organizations');
  return exists.length > 0;
}
