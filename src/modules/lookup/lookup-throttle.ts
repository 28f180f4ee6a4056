import { hmac } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { countAttempt, deleteOldThrottleWindows } from './lookup-repo.js';

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
    const row = await countAttempt(tx, key, WINDOW_SECONDS);
    if (row.count > limit) wait = Math.max(wait, row.left, 1);
  }
  // Old windows go as they are passed by.
  await deleteOldThrottleWindows(tx);
  if (wait > 0) throw new AppError('rate_limited', { retryAfterSeconds: wait });
}
