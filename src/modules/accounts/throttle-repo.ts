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

/** Deletes every key that starts with the prefix (an account's per-address keys); returns how many. */
export async function clearThrottlePrefixed(tx: Sql, prefix: string): Promise<number> {
  const rows = await tx.query('DELETE FROM sign_in_throttle WHERE starts_with(key, $1) RETURNING key', [
    prefix,
  ]);
  return rows.length;
}

export async function blockedUntil(tx: Sql, key: string): Promise<Date | null> {
  const rows = await tx.query<{ blocked_until: Date | null }>(
    'SELECT blocked_until FROM sign_in_throttle WHERE key = $1 AND blocked_until > now()',
    [key],
  );
  return rows[0]?.blocked_until ?? null;
}

/**
 * sign_in_alerts: counts a failed sign-in of the user in the current hour-long
 * window (a window older than an hour starts again at one); returns the count.
 */
export async function countAlertFailure(tx: Sql, organizationId: string, userId: string): Promise<number> {
  const rows = await tx.query<{ failures: number }>(
    `INSERT INTO sign_in_alerts (user_id, organization_id, window_started_at, failures)
     VALUES ($1, $2, now(), 1)
     ON CONFLICT (user_id) DO UPDATE SET
       failures = CASE WHEN sign_in_alerts.window_started_at > now() - interval '1 hour'
         THEN sign_in_alerts.failures + 1 ELSE 1 END,
       notified_at = CASE WHEN sign_in_alerts.window_started_at > now() - interval '1 hour'
         THEN sign_in_alerts.notified_at END,
       window_started_at = CASE WHEN sign_in_alerts.window_started_at > now() - interval '1 hour'
         THEN sign_in_alerts.window_started_at ELSE now() END
     RETURNING failures`,
    [userId, organizationId],
  );
  return rows[0]!.failures;
}

/**
 * Claims the window's one e-mail once its count has reached the threshold:
 * the window's start when this call claimed it, undefined when it was
 * already claimed or the count is below.
 */
export async function claimAlert(tx: Sql, userId: string, threshold: number): Promise<Date | undefined> {
  const rows = await tx.query<{ window_started_at: Date }>(
    `UPDATE sign_in_alerts SET notified_at = now()
     WHERE user_id = $1 AND notified_at IS NULL AND failures >= $2
     RETURNING window_started_at`,
    [userId, threshold],
  );
  return rows[0]?.window_started_at;
}
