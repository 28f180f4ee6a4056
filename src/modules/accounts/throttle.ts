import { hmac } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { blockFor, countFailure, findThrottleWait } from './throttle-repo.js';

/**
 * Sign-in throttling kept in PostgreSQL, so every process sees the same
 * counts. Failures past a free allowance wait 1 s, 2 s, 4 s … up to a cap:
 * slow enough to stop guessing (OWASP ASVS v4 2.2.1: far fewer than 100
 * failures an hour on one account). The keys an attacker can fill for
 * someone else (the account's, for browsers it does not know) are capped at
 * 15 minutes and never hold back a browser with a device cookie
 * (device-cookie.ts); the keys that only the attacker's own source or
 * cookie fill wait longer. An admin can clear the account's.
 *
 * - account: failures for the account from browsers without its device cookie
 * - account_ip: failures for the account from one address
 * - ip: failures from one address, whatever the account (password and passkey)
 * - device: failures behind one device cookie; at its allowance the cookie is locked
 * - mfa: second-factor failures of the account, counted on their own
 * - reset: password-reset requests for an address
 */
export const MAX_DELAY_SECONDS = 15 * 60;
const DEVICE_LOCK_SECONDS = 180 * 24 * 3600;
const RULES = {
  account: { free: 5, cap: MAX_DELAY_SECONDS },
  account_ip: { free: 5, cap: 60 * 60 },
  ip: { free: 20, cap: MAX_DELAY_SECONDS },
  // A device cookie's fifth failure locks it for as long as such a cookie lives.
  device: { free: 5, cap: DEVICE_LOCK_SECONDS },
  mfa: { free: 5, cap: MAX_DELAY_SECONDS },
  reset: { free: 3, cap: MAX_DELAY_SECONDS },
} as const;
export type ThrottleKind = keyof typeof RULES;

export function throttleKey(sessionKey: Buffer, kind: ThrottleKind, subject: string): string {
  // Addresses are stored only as keyed hashes.
  return `${kind}:${hmac(sessionKey, `${kind}:${subject.toLowerCase()}`)}`;
}

/**
 * Per account and address: named under the account's own hash, so that lifting
 * the account's throttle (an admin's unlock, a password reset) lifts these too.
 */
export function accountSourceKey(sessionKey: Buffer, email: string, ip: string): string {
  return `${accountSourcePrefix(sessionKey, email)}${hmac(sessionKey, `ip:${ip.toLowerCase()}`)}`;
}

export function accountSourcePrefix(sessionKey: Buffer, email: string): string {
  return `account_ip:${hmac(sessionKey, `account:${email.toLowerCase()}`)}:`;
}

export function delaySeconds(kind: ThrottleKind, failures: number): number {
  const { free, cap } = RULES[kind];
  const over = failures - free;
  if (over < 0) return 0;
  return kind === 'device' ? cap : Math.min(2 ** over, cap);
}

/** Throws rate_limited (with Retry-After) while any of the keys is waiting. */
export async function assertNotThrottled(tx: Sql, keys: string[]): Promise<void> {
  const wait = await findThrottleWait(tx, keys);
  if (wait && wait > 0) throw new AppError('rate_limited', { retryAfterSeconds: wait });
}

/** Whether any of the keys is waiting. */
export async function isThrottled(tx: Sql, keys: string[]): Promise<boolean> {
  return ((await findThrottleWait(tx, keys)) ?? 0) > 0;
}

/** Counts a failure; returns the wait it starts (0 while within the allowance). */
export async function recordFailure(tx: Sql, kind: ThrottleKind, key: string): Promise<number> {
  const delay = delaySeconds(kind, await countFailure(tx, key));
  if (delay > 0) await blockFor(tx, key, delay);
  return delay;
}
