import type { Sql } from '../../platform/db.js';

/** api_tokens: machines' scoped tokens, stored as hashes. */

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function listTokens(tx: Sql): Promise<TokenRow[]> {
  return tx.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at DESC');
}

export async function insertToken(
  tx: Sql,
  token: {
    organizationId: string;
    name: string;
    prefix: string;
    tokenHash: Buffer;
    scopes: string[];
    createdBy: string;
    expiresInDays: number | null;
  },
): Promise<TokenRow> {
  const rows = await tx.query<TokenRow>(
    `INSERT INTO api_tokens (organization_id, name, prefix, token_hash, scopes, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(days => $7::int) END)
     RETURNING *`,
    [
      token.organizationId,
      token.name,
      token.prefix,
      token.tokenHash,
      token.scopes,
      token.createdBy,
      token.expiresInDays,
    ],
  );
  return rows[0]!;
}

/** False when there is no unrevoked token of that id. */
export async function markTokenRevoked(tx: Sql, id: string): Promise<boolean> {
  const rows = await tx.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
    [id],
  );
  return rows.length > 0;
}

/**
 * Whether the user made an API token (revoked or not) holding the scope. A version written by a
 * machine has no author of its own; whoever made a token that may write it stands as its author,
 * so that one person cannot write through a token and approve as themselves.
 */
export async function madeTokenWithScope(tx: Sql, userId: string, scope: string): Promise<boolean> {
  const rows = await tx.query(
    `SELECT 1 FROM api_tokens WHERE created_by = $1 AND $2 = ANY (scopes) LIMIT 1`,
    [userId, scope],
  );
  return rows.length > 0;
}
