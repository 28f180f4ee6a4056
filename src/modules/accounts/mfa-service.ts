import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { deriveKey, hmac, open, seal } from '../../platform/crypto.js';
import { asApp, withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Auth } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { SignInResult } from './account-schemas.js';
import { issueDeviceCookie } from './device-cookie.js';
import {
  clearTotpAndRecoveryCodes,
  enableTotp,
  setPendingTotpSecret,
  setRecoveryCodes,
  useRecoveryCode,
  useTotpStep,
} from './mfa-repo.js';
import { findOrganizationName } from './organization-repo.js';
import { deletePasskeysOf } from './passkey-repo.js';
import { markReauthenticated } from './session-repo.js';
import { startSession, type HasSessionDeps } from './session-service.js';
import { assertNotThrottled, recordFailure, throttleKey } from './throttle.js';
import { clearThrottle } from './throttle-repo.js';
import { deleteSessionsOf, findUser, markSignedIn, type UserRow } from './user-repo.js';

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
  userId: string,
): Promise<{ secret: string; uri: string; qrDataUrl: string }> {
  const user = (await findUser(tx, userId))!;
  const issuer = `Candor (${await findOrganizationName(tx)})`;
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await setPendingTotpSecret(tx, user.id, seal(keys.totp, secret, `totp:${user.id}`));
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

/** Second factor accepted: a new session token in the active state. */
export async function completeSignIn(
  app: HasSessionDeps,
  tx: Sql,
  request: FastifyRequest,
  reply: FastifyReply,
  user: UserRow,
  method: string,
): Promise<SignInResult> {
  const session = await startSession(
    app,
    tx,
    request,
    reply,
    { organizationId: user.organization_id, id: user.id },
    'active',
  );
  // The second factor was just given: factor changes need no other proof for a few minutes.
  await markReauthenticated(tx, session.id);
  await markSignedIn(tx, user.id);
  // The browser has passed a second factor: its right password is not held back by others' failures.
  issueDeviceCookie(app, reply, user.id);
  await appendAudit(
    tx,
    app.deps.config.secrets.auditKey,
    user.organization_id,
    { type: 'user', id: user.id, requestId: request.id },
    {
      action: 'auth.signed_in',
      targetType: 'session',
      targetId: session.id,
      data: { method },
    },
  );
  return { state: 'active' as const, csrfToken: session.csrfToken, methods: [] };
}

/**
 * Runs a code check under the user's MFA throttle: undefined from fn is a
 * wrong code (counted, then invalid_mfa_code); anything else clears the count.
 */
export async function throttled<T>(
  app: HasSessionDeps,
  userId: string,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const { db, config } = app.deps;
  const key = throttleKey(config.secrets.sessionKey, 'mfa', userId);
  await asApp(db, (tx) => assertNotThrottled(tx, [key]));
  const result = await fn();
  if (result === undefined) {
    await asApp(db, (tx) => recordFailure(tx, 'mfa', key));
    throw new AppError('invalid_mfa_code');
  }
  await asApp(db, (tx) => clearThrottle(tx, [key]));
  return result;
}

/** The second step of a sign-in, by a TOTP code (each time step accepted once). */
export function signInWithTotp(
  app: HasSessionDeps,
  keys: MfaKeys,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: Auth,
  code: string,
): Promise<SignInResult> {
  return throttled(app, auth.actor.id, () =>
    withOrg(app.deps.db, auth.organizationId, async (tx) => {
      const user = await findUser(tx, auth.actor.id);
      const secret = user && decryptTotp(keys, user, 'active');
      const step = secret && acceptedStep(secret, code, user.totp_last_step);
      // The step is taken by one conditional update: a concurrent request with the same code loses.
      if (!user || !step || !(await useTotpStep(tx, user.id, step))) return undefined;
      return completeSignIn(app, tx, request, reply, user, 'totp');
    }),
  );
}

/** The second step of a sign-in, by a recovery code, which is then spent. */
export function signInWithRecoveryCode(
  app: HasSessionDeps,
  keys: MfaKeys,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: Auth,
  code: string,
): Promise<SignInResult> {
  return throttled(app, auth.actor.id, () =>
    withOrg(app.deps.db, auth.organizationId, async (tx) => {
      const user = await findUser(tx, auth.actor.id);
      const hash = hashRecoveryCode(keys, code);
      if (!user || !(await useRecoveryCode(tx, user.id, hash))) return undefined;
      return completeSignIn(app, tx, request, reply, user, 'recovery_code');
    }),
  );
}

/**
 * The pending secret becomes active once a code from it is right, with new
 * recovery codes; a session still enrolling becomes active (a new token).
 */
export function confirmTotp(
  app: HasSessionDeps,
  keys: MfaKeys,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: Auth,
  actor: AuditActor,
  code: string,
): Promise<{ recoveryCodes: string[]; csrfToken: string }> {
  return throttled(app, auth.actor.id, () =>
    withOrg(app.deps.db, auth.organizationId, async (tx) => {
      const user = (await findUser(tx, auth.actor.id))!;
      const secret = decryptTotp(keys, user, 'pending');
      const step = secret && acceptedStep(secret, code, user.totp_last_step);
      if (!secret || !step) return undefined;
      const { codes, hashes } = newRecoveryCodes(keys);
      await enableTotp(tx, user.id, step, hashes);
      await appendAudit(tx, app.deps.config.secrets.auditKey, auth.organizationId, actor, {
        action: 'mfa.totp_enrolled',
        targetType: 'user',
        targetId: user.id,
      });
      const csrfToken = await activateIfEnrolling(app, tx, request, reply, auth);
      return { recoveryCodes: codes, csrfToken };
    }),
  );
}

/**
 * Once a first factor is enrolled, a session in the enroll state is replaced
 * by an active one; returns the CSRF token the browser uses from now on.
 */
export async function activateIfEnrolling(
  app: HasSessionDeps,
  tx: Sql,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: Auth,
): Promise<string> {
  if (auth.session!.state !== 'enroll') return auth.session!.csrfToken;
  const session = await startSession(
    app,
    tx,
    request,
    reply,
    { organizationId: auth.organizationId, id: auth.actor.id },
    'active',
  );
  // The password was given moments ago (setup, invitation or sign-in): a second factor may follow.
  await markReauthenticated(tx, session.id);
  // Setup or an invitation ends here, signed in: the users page must not say "never".
  await markSignedIn(tx, auth.actor.id);
  // The browser has just passed a second factor: it is one the owner uses (device-cookie.ts).
  issueDeviceCookie(app, reply, auth.actor.id);
  return session.csrfToken;
}

export async function regenerateRecoveryCodes(
  tx: Sql,
  auditKey: Buffer,
  keys: MfaKeys,
  auth: Auth,
  actor: AuditActor,
): Promise<{ recoveryCodes: string[] }> {
  const { codes, hashes } = newRecoveryCodes(keys);
  await setRecoveryCodes(tx, auth.actor.id, hashes);
  await appendAudit(tx, auditKey, auth.organizationId, actor, {
    action: 'mfa.recovery_codes_regenerated',
    targetType: 'user',
    targetId: auth.actor.id,
  });
  return { recoveryCodes: codes };
}

/** Removes every second factor and signs the user out: they enrol again at next sign-in. */
export async function resetMfa(tx: Sql, userId: string): Promise<void> {
  await clearTotpAndRecoveryCodes(tx, userId);
  await deletePasskeysOf(tx, userId);
  await deleteSessionsOf(tx, userId);
}
