import { hmac } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';

/**
 * Sign-in throttling kept in PostgreSQL, so every process sees the same
 * counts. Failures past a free allowance wait 1 s, 2 s, 4 s … never more
 * than 15 minutes: slow enough to stop guessing, never a lockout an attacker
 * could use to keep the response team out. An admin can clear it.
 */
export const MAX_DELAY_SECONDS = 15 * 60;
const FREE_FAILURES = { account: 5, ip: 20, mfa: 5, reset: 3 } as const;
export type ThrottleKind = keyof typeof FREE_FAILURES;

export function throttleKey(sessionKey: Buffer, kind: ThrottleKind, subject: string): string {
  // Addresses are stored only as keyed hashes.
  return `${kind}:${hmac(sessionKey, `${kind}:${subject.toLowerCase()}`)}`;
}

export function delaySeconds(kind: ThrottleKind, failures: number): number {
  const over = failures - FREE_FAILURES[kind];
  return over < 0 ? 0 : Math.min(2 ** over, MAX_DELAY_SECONDS);
}

/** Throws rate_limited (with Retry-After) while any of the keys is waiting. */
export async function assertNotThrottled(tx: Sql, keys: string[]): Promise<void> {
  const rows = await tx.query<{ wait: number }>(
    `SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int AS wait
     FROM sign_in_throttle WHERE key = ANY($1) AND blocked_until > now()`,
    [keys],
  );
  const wait = rows[0]?.wait;
  if (wait && wait > 0) throw new AppError('rate_limited', { retryAfterSeconds: wait });
}

export async function recordFailure(tx: Sql, kind: ThrottleKind, key: string): Promise<void> {
  const rows = await tx.query<{ failures: number }>(
    `INSERT INTO sign_in_throttle (key, failures, last_failure_at) VALUES ($1, 1, now())
     ON CONFLICT (key) DO UPDATE SET failures = sign_in_throttle.failures + 1, last_failure_at = now()
     RETURNING failures`,
    [key],
  );
  const delay = delaySeconds(kind, rows[0]!.failures);
  if (delay > 0) {
    await tx.query(
      `UPDATE sign_in_throttle SET blocked_until = now() + make_interval(secs => $2) WHERE key = $1`,
      [key, delay],
    );
  }
}

export async function clearThrottle(tx: Sql, keys: string[]): Promise<number> {
  const rows = await tx.query('DELETE FROM sign_in_throttle WHERE key = ANY($1) RETURNING key', [keys]);
  return rows.length;
}

export async function blockedUntil(tx: Sql, key: string): Promise<Date | null> {
  const rows = await tx.query<{ blocked_until: Date | null }>(
    'SELECT blocked_until FROM sign_in_throttle WHERE key = $1 AND blocked_until > now()',
    [key],
  );
  return rows[0]?.blocked_until ?? null;
}
