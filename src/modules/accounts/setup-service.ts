import { hashToken, newToken } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';

export const SETUP_LINK_MINUTES = 60;

export async function setupNeeded(db: Database): Promise<boolean> {
  const rows = await db.query<{ needed: boolean }>('SELECT candor_setup_needed() AS needed');
  return rows[0]!.needed;
}

/**
 * A one-time link (valid an hour) that creates an organization and its first
 * admin. Issuing one voids the links issued before it.
 */
export async function issueSetupLink(db: Database, publicUrl: URL): Promise<string> {
  const token = newToken();
  await db.transaction(async (tx) => {
    await tx.query('UPDATE setup_tokens SET expires_at = now() WHERE used_at IS NULL AND expires_at > now()');
    await tx.query(
      `INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, now() + make_interval(mins => $2))`,
      [hashToken(token), SETUP_LINK_MINUTES],
    );
  });
  return `${publicUrl.origin}/setup#token=${token}`;
}
