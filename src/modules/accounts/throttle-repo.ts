import type { Sql } from '../../platform/db.js';

/** sign_in_throttle: failure counts and waits by keyed hash (throttle.ts holds the rules). */

/** Seconds until the longest wait among the keys ends, if any of them is waiting. */
export async function findThrottleWait(tx: Sql, keys: string[]): Promise<number | undefined> {
  const rows = await tx.query<{ wait: number }>(
    `SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int AS wait
     FROM sign_in_throttle WHERE key = ANY($1) AND blocked_until > now()`,
    [keys],
  );
  return rows[0]?.wait;
}

/** Counts one more failure for the key; returns the count. */
export async function countFailure(tx: Sql, key: string): Promise<number> {
  const rows = await tx.query<{ failures: number }>(
    `INSERT INTO sign_in_throttle (key, failures, last_failure_at) VALUES ($1, 1, now())
     ON CONFLICT (key) DO UPDATE SET failures = sign_in_throttle.failures + 1, last_failure_at = now()
     RETURNING failures`,
    [key],
  );
  return rows[0]!.failures;
}

export async function blockFor(tx: Sql, key: string, seconds: number): Promise<void> {
  await tx.query(
    `UPDATE sign_in_throttle SET blocked_until = now() + make_interval(secs => $2) WHERE key = $1`,
    [key, seconds],
  );
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
