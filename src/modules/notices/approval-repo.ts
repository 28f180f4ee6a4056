import type { Sql } from '../../platform/db.js';

/**
 * Whether the user made an API token that may write notices. A version written by a machine has
 * no author of its own; whoever made a drafting token stands as its author, so that one person
 * cannot write through a token and approve as themselves.
 */
export async function madeNoticeDraftingToken(tx: Sql, userId: string): Promise<boolean> {
  const rows = await tx.query(
    `SELECT 1 FROM api_tokens WHERE created_by = $1 AND 'notices.draft' = ANY (scopes) LIMIT 1`,
    [userId],
  );
  return rows.length > 0;
}
