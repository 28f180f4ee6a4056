import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { deriveKey, hmac, open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { UserRow } from './user-repo.js';

const PERIOD = 30;
export const RECOVERY_CODE_COUNT = 10;

export interface MfaKeys {
  totp: Buffer;
  recovery: Buffer;
}

export function mfaKeys(masterKey: Buffer): MfaKeys {
  return { totp: deriveKey(masterKey, 'totp'), recovery: deriveKey(masterKey, 'recovery-codes') };
}

function totpFor(secretBase32: string, label: string, issuer: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** A new secret, kept encrypted as pending until the user proves they hold it. */
export async function startTotpEnrollment(
  tx: Sql,
  keys: MfaKeys,
  user: UserRow,
  issuer: string,
): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await tx.query('UPDATE users SET totp_pending_secret = $2 WHERE id = $1', [
    user.id,
    seal(keys.totp, secret, `totp:${user.id}`),
  ]);
  const uri = totpFor(secret, user.email, issuer).toString();
  return { secret, uri, qrDataUrl: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 1 }) };
}

/**
 * The time step a code belongs to, if it is valid within one step of now and
 * newer than the last one accepted (a code is never accepted twice).
 */
export function acceptedStep(
  secretBase32: string,
  code: string,
  lastStep: number,
  now = Date.now(),
): number | undefined {
  const delta = totpFor(secretBase32, 'x', 'x').validate({
    token: code.replace(/\s/g, ''),
    window: 1,
    timestamp: now,
  });
  if (delta === null) return undefined;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  return step > lastStep ? step : undefined;
}

export function decryptTotp(keys: MfaKeys, user: UserRow, which: 'active' | 'pending'): string | undefined {
  const sealed = which === 'active' ? user.totp_secret : user.totp_pending_secret;
  return sealed ? open(keys.totp, Buffer.from(sealed), `totp:${user.id}`).toString() : undefined;
}

export function newRecoveryCodes(keys: MfaKeys): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = randomBytes(8).toString('hex').slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  return { codes, hashes: codes.map((c) => hashRecoveryCode(keys, c)) };
}

export function hashRecoveryCode(keys: MfaKeys, code: string): string {
  return hmac(
    keys.recovery,
    code
      .trim()
      .toLowerCase()
      .replace(/[^0-9a-f]/g, ''),
  );
}
