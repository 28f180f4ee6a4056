import type { Sql } from '../../platform/db.js';

/** setup_tokens: the one-time links that create an organization and its first admin. */

export async function isSetupNeeded(tx: Sql): Promise<boolean> {
  const rows = await tx.query<{ needed: boolean }>('SELECT candor_setup_needed() AS needed');
  return rows[0]!.needed;
}

/** Ends every link still open. */
export async function expireOpenSetupTokens(tx: Sql): Promise<void> {
  await tx.query('UPDATE setup_tokens SET expires_at = now() WHERE used_at IS NULL AND expires_at > now()');
}

export async function insertSetupToken(tx: Sql, tokenHash: Buffer, minutes: number): Promise<void> {
  await tx.query(
    `INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, now() + make_interval(mins => $2))`,
    [tokenHash, minutes],
  );
}

/** Uses the link once: false when it is unknown, used or expired. */
export async function consumeSetupToken(tx: Sql, tokenHash: Buffer): Promise<boolean> {
  const rows = await tx.query<{ ok: boolean }>('SELECT candor_setup_consume($1) AS ok', [tokenHash]);
  return rows[0]?.ok ?? false;
}
