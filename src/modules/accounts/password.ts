import argon2 from 'argon2';
import { AppError } from '../../platform/errors.js';

// OWASP's argon2id baseline: 19 MiB, 2 passes.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/**
 * Verifies a password; with no hash (unknown account) it still spends the
 * time of a verification, so response times do not reveal which addresses exist.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummy ??= hashPassword('candor-timing-equalizer');
    await argon2.verify(await dummy, password);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function checkPasswordPolicy(password: string, email: string): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new AppError('weak_password', { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH });
  }
  const local = email.split('@')[0] ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local.toLowerCase())) {
    throw new AppError('weak_password', { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH });
  }
}
