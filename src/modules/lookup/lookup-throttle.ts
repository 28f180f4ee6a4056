import { hmac } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';

/**
 * Look-ups allowed per address and per IP in one hour. An address is counted by the
 * organization's blind index of it and an IP by a keyed hash: neither is stored in clear.
 */
export const LOOKUP_LIMITS = { address: 5, ip: 30 } as const;
const WINDOW_SECONDS = 3600;

export const addressKey = (organizationId: string, emailIndex: string) =>
  `lookup:address:${organizationId}:${emailIndex}`;
export const ipKey = (sessionKey: Buffer, ip: string) => `lookup:ip:${hmac(sessionKey, `lookup-ip:${ip}`)}`;

/**
 * Counts one look-up against each key (every attempt counts, known address or not) and throws
 * rate_limited with the seconds until the window ends when any key is over its limit. The
 * answer depends only on how often this address and this IP were tried, never on whether the
 * address belongs to anyone.
 */
export async function countLookup(tx: Sql, keys: { key: string; limit: number }[]): Promise<void> {
  let wait = 0;
  for (const { key, limit } of keys) {
    const row = (
      await tx.query<{ count: number; left: number }>(
        `INSERT INTO lookup_throttle (key, count, window_start) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN lookup_throttle.window_start < now() - make_interval(secs => $2) THEN 1
                        ELSE lookup_throttle.count + 1 END,
           window_start = CASE WHEN lookup_throttle.window_start < now() - make_interval(secs => $2) THEN now()
                               ELSE lookup_throttle.window_start END
         RETURNING count, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS left`,
        [key, WINDOW_SECONDS],
      )
    )[0]!;
    if (row.count > limit) wait = Math.max(wait, row.left, 1);
  }
  // Old windows go as they are passed by.
  await tx.query(`DELETE FROM lookup_throttle WHERE window_start < now() - interval '1 day'`);
  if (wait > 0) throw new AppError('rate_limited', { retryAfterSeconds: wait });
}
