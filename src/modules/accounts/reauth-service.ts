import { withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Auth } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { acceptedStep, decryptTotp, throttled, type MfaKeys } from './mfa-service.js';
import { useTotpStep } from './mfa-repo.js';
import { verifyPassword } from './password.js';
import { markReauthenticated, reauthenticatedWithin } from './session-repo.js';
import type { HasSessionDeps } from './session-service.js';
import { findUser } from './user-repo.js';

/**
 * Changing a second factor (TOTP enrol or replace, passkeys, recovery codes) needs a recent proof
 * of the user, not only a session someone may have left open: the password, a fresh TOTP code,
 * or a sign-in by second factor or passkey, within this many seconds.
 */
export const REAUTH_SECONDS = 5 * 60;

/**
 * Throws reauthentication_required unless the caller's session proved its user recently. A session
 * still enrolling its first factor (right after setup, an invitation or a password sign-in) may
 * enrol: its password was just given.
 */
export async function assertReauthenticated(tx: Sql, auth: Auth): Promise<void> {
  const session = auth.session;
  if (!session) throw new AppError('forbidden');
  if (session.state === 'enroll') return;
  if (!(await reauthenticatedWithin(tx, session.id, REAUTH_SECONDS))) {
    throw new AppError('reauthentication_required', { maxAgeSeconds: REAUTH_SECONDS });
  }
}

/**
 * The user proves themselves again by their password or a TOTP code (each time step accepted once);
 * wrong answers count on the user's second-factor throttle, like a wrong code at sign-in.
 */
export async function reauthenticate(
  app: HasSessionDeps,
  keys: MfaKeys,
  auth: Auth,
  actor: AuditActor,
  proof: { password?: string; totpCode?: string },
): Promise<void> {
  const { db, config } = app.deps;
  const session = auth.session;
  if (!session || (proof.password === undefined) === (proof.totpCode === undefined)) {
    throw new AppError('bad_request');
  }
  const method = proof.password !== undefined ? 'password' : 'totp';
  const prove = async (tx: Sql): Promise<true | undefined> => {
    const user = await findUser(tx, auth.actor.id);
    if (!user) return undefined;
    if (proof.password !== undefined) {
      return (await verifyPassword(user.password_hash, proof.password)) ? true : undefined;
    }
    const secret = decryptTotp(keys, user, 'active');
    const step = secret && acceptedStep(secret, proof.totpCode!, user.totp_last_step);
    return step && (await useTotpStep(tx, user.id, step)) ? true : undefined;
  };
  try {
    await throttled(app, auth.actor.id, () => withOrg(db, auth.organizationId, prove));
  } catch (error) {
    // A wrong password is named as one; the throttle speaks of codes.
    if (method === 'password' && error instanceof AppError && error.code === 'invalid_mfa_code') {
      throw new AppError('invalid_credentials');
    }
    throw error;
  }
  await withOrg(db, auth.organizationId, async (tx) => {
    await markReauthenticated(tx, session.id);
    await appendAudit(tx, config.secrets.auditKey, auth.organizationId, actor, {
      action: 'auth.reauthenticated',
      targetType: 'session',
      targetId: session.id,
      data: { method },
    });
  });
}
