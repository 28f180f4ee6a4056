import type { Sql } from '../../platform/db.js';

/** A user's TOTP secret and recovery codes (columns of users), sealed or hashed by mfa-service.ts. */

export async function setPendingTotpSecret(tx: Sql, userId: string, sealed: Buffer): Promise<void> {
  await tx.query('UPDATE users SET totp_pending_secret = $2 WHERE id = $1', [userId, sealed]);
}

/** The pending secret becomes the active one, with its first accepted step and new recovery codes. */
export async function enableTotp(
  tx: Sql,
  userId: string,
  step: number,
  recoveryHashes: string[],
): Promise<void> {
  await tx.query(
    `UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_enabled_at = now(),
       totp_last_step = $2, recovery_codes = $3 WHERE id = $1`,
    [userId, step, recoveryHashes],
  );
}

/**
 * Takes a TOTP time step in one conditional update: of two requests with the same code, however
 * close, only one finds the step still unused (the other waits on the row lock, then matches
 * nothing). False when the step, or a later one, was already accepted.
 */
export async function useTotpStep(tx: Sql, userId: string, step: number): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE users SET totp_last_step = $2
     WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [userId, step],
  );
  return rows.length > 0;
}

/** Spends a recovery code in one conditional update; false when another request spent it first. */
export async function useRecoveryCode(tx: Sql, userId: string, hash: string): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE users SET recovery_codes = array_remove(recovery_codes, $2)
     WHERE id = $1 AND $2 = ANY (recovery_codes) RETURNING id`,
    [userId, hash],
  );
  return rows.length > 0;
}

export async function setRecoveryCodes(tx: Sql, userId: string, hashes: string[]): Promise<void> {
  await tx.query('UPDATE users SET recovery_codes = $2 WHERE id = $1', [userId, hashes]);
}

export async function clearTotpAndRecoveryCodes(tx: Sql, userId: string): Promise<void> {
  await tx.query(
    `UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, recovery_codes = '{}'
     WHERE id = $1`,
    [userId],
  );
}
