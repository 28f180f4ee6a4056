import type { Sql } from '../../platform/db.js';

/** password_resets: one-time reset links, stored as token hashes. */

export async function insertPasswordReset(
  tx: Sql,
  reset: { organizationId: string; userId: string; tokenHash: Buffer; minutes: number },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO password_resets (organization_id, user_id, token_hash, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING id`,
    [reset.organizationId, reset.userId, reset.tokenHash, reset.minutes],
  );
  return rows[0]!.id;
}

/** The user a reset is for, while it is unused and unexpired. */
export async function findOpenPasswordResetUser(tx: Sql, id: string): Promise<string | undefined> {
  const rows = await tx.query<{ user_id: string }>(
    `SELECT user_id FROM password_resets WHERE id = $1 AND used_at IS NULL AND expires_at > now()`,
    [id],
  );
  return rows[0]?.user_id;
}

/** False when another request used it first. */
export async function markPasswordResetUsed(tx: Sql, id: string): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/**
 * Every open link of the user used up at once: when any reset completes or the password changes
 * otherwise, the other links mailed before stop working (a concurrent completion of another link
 * then finds it used).
 */
export async function voidPasswordResetsOf(tx: Sql, userId: string): Promise<number> {
  const rows = await tx.query(
    'UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL RETURNING id',
    [userId],
  );
  return rows.length;
}
