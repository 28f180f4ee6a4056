import { hmac } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { blockFor, countFailure, findThrottleWait } from './throttle-repo.js';

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
  const wait = await findThrottleWait(tx, keys);
  if (wait && wait > 0) throw new AppError('rate_limited', { retryAfterSeconds: wait });
}

export async function recordFailure(tx: Sql, kind: ThrottleKind, key: string): Promise<void> {
  const delay = delaySeconds(kind, await countFailure(tx, key));
  if (delay > 0) await blockFor(tx, key, delay);
}
