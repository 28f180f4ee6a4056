import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, newToken } from '../../platform/crypto.js';
import { asApp, locate, withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { chooseLocale } from '../../platform/i18n.js';
import type { Outbox } from '../../platform/outbox.js';
import type { Auth } from '../access/index.js';
import { appendAudit, requestActor, type AuditActor } from '../audit/index.js';
import { actionMail } from './account-mail.js';
import { trustedDevice } from './device-cookie.js';
import type { SessionInfo, SignInResult } from './account-schemas.js';
import { findOrganizationSummary, findRequireMfa } from './organization-repo.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import {
  findOpenPasswordResetUser,
  insertPasswordReset,
  markPasswordResetUsed,
} from './password-reset-repo.js';
import { deleteSession } from './session-repo.js';
import { startSession, type HasSessionDeps, type SessionState } from './session-service.js';
import { isSetupNeeded } from './setup-repo.js';
import { countFailedSignIn } from './sign-in-alert.js';
import {
  accountSourceKey,
  accountSourcePrefix,
  assertNotThrottled,
  isThrottled,
  recordFailure,
  throttleKey,
} from './throttle.js';
import { clearThrottle, clearThrottlePrefixed } from './throttle-repo.js';
import {
  deleteSessionsOf,
  findUser,
  hasSecondFactor,
  insertUser,
  markSignedIn,
  updatePasswordHash,
  type UserRow,
} from './user-repo.js';

const PASSWORD_RESET_MINUTES = 60;

/** What the password flows need of the app besides sessions: the outbox, for the reset mail. */
export interface AuthDeps {
  deps: HasSessionDeps['deps'] & { outbox: Pick<Outbox, 'enqueueEmail' | 'wake'> };
}

/** The state a session starts in once the password is accepted. */
export function stateAfterPassword(user: UserRow, requireMfa: boolean): SessionState {
  if (hasSecondFactor(user)) return 'mfa';
  return requireMfa ? 'enroll' : 'active';
}

export function signInMethods(user: UserRow): ('totp' | 'passkey' | 'recovery')[] {
  const methods: ('totp' | 'passkey' | 'recovery')[] = [];
  if (user.totp_enabled_at) methods.push('totp');
  if (user.passkeys > 0) methods.push('passkey');
  if (user.recovery_codes.length > 0) methods.push('recovery');
  return methods;
}

async function requireMfaOf(tx: Sql): Promise<boolean> {
  return (await findRequireMfa(tx)) ?? true;
}

/** Creates a user, audits it and signs them in: shared by first-time setup and invitations. */
export async function createAndSignIn(
  app: HasSessionDeps,
  tx: Sql,
  request: FastifyRequest,
  reply: FastifyReply,
  user: Parameters<typeof insertUser>[1],
  actor: AuditActor,
): Promise<SignInResult> {
  const id = await insertUser(tx, user);
  await appendAudit(tx, app.deps.config.secrets.auditKey, user.organizationId, actor, {
    action: 'user.created',
    targetType: 'user',
    targetId: id,
    data: { roles: user.roles },
  });
  const state: SessionState = (await requireMfaOf(tx)) ? 'enroll' : 'active';
  const session = await startSession(
    app,
    tx,
    request,
    reply,
    { organizationId: user.organizationId, id },
    state,
  );
  return { state, csrfToken: session.csrfToken, methods: [] };
}

/** What the browser learns about its session: whether setup is due, who is signed in, and where. */
export async function sessionInfo(db: Database, auth: Auth | undefined): Promise<SessionInfo> {
  const setupNeeded = await asApp(db, (tx) => isSetupNeeded(tx));
  if (!auth?.session || auth.actor.type !== 'user') return { setupNeeded, authenticated: false };
  const { session, actor } = auth;
  return withOrg(db, auth.organizationId, async (tx) => {
    const user = await findUser(tx, actor.id);
    const org = await findOrganizationSummary(tx);
    return {
      setupNeeded,
      authenticated: session.state === 'active',
      state: session.state,
      csrfToken: session.csrfToken,
      user: user && {
        id: user.id,
        email: user.email,
        displayName: user.display_name,
        roles: user.roles,
        locale: user.locale,
        totp: user.totp_enabled_at !== null,
        passkeys: user.passkeys,
      },
      organization: {
        id: org.id,
        name: org.name,
        defaultLocale: org.default_locale,
        requireMfa: org.require_mfa,
        timeZone: org.time_zone,
      },
    };
  });
}

/**
 * Checks a password under the sign-in throttles (throttle.ts), then starts a
 * session in the state the account's factors call for. A browser with a
 * valid device cookie for the account (device-cookie.ts) answers only to its
 * own cookie's count, so failures from elsewhere never hold the owner back;
 * any other browser is throttled per account, per account and address, and
 * per address. A throttled request is refused before the password is looked
 * at, with its Retry-After, as before.
 */
export async function signIn(
  app: AuthDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  credentials: { email: string; password: string },
): Promise<SignInResult> {
  const { db, config, outbox } = app.deps;
  const auditKey = config.secrets.auditKey;
  const { email, password } = credentials;
  const sessionKey = config.secrets.sessionKey;
  const untrustedKeys = {
    account: throttleKey(sessionKey, 'account', email),
    account_ip: accountSourceKey(sessionKey, email, request.ip),
    ip: throttleKey(sessionKey, 'ip', request.ip),
  };
  const { found, deviceKey } = await asApp(db, async (tx) => {
    const found = await locate(tx, 'candor_find_user_by_email', email);
    const device = found && trustedDevice(app, request, found.id);
    const deviceKey = device ? throttleKey(sessionKey, 'device', device) : undefined;
    // A locked device cookie counts for nothing: the browser is one we do not know.
    if (deviceKey && !(await isThrottled(tx, [deviceKey]))) return { found, deviceKey };
    await assertNotThrottled(tx, Object.values(untrustedKeys));
    return { found, deviceKey: undefined };
  });
  const user = found && (await withOrg(db, found.organization_id, (tx) => findUser(tx, found.id)));
  const ok = await verifyPassword(user?.password_hash, password);
  if (!ok || !user || user.status !== 'active') {
    const deviceLocked = await asApp(db, async (tx) => {
      if (deviceKey) return (await recordFailure(tx, 'device', deviceKey)) > 0;
      for (const [kind, key] of Object.entries(untrustedKeys)) {
        await recordFailure(tx, kind as keyof typeof untrustedKeys, key);
      }
      return false;
    });
    if (user) {
      const actor = requestActor(request);
      const alerted = await withOrg(db, user.organization_id, async (tx) => {
        await appendAudit(tx, auditKey, user.organization_id, actor, {
          action: 'auth.sign_in_failed',
          targetType: 'user',
          targetId: user.id,
          data: { knownDevice: deviceKey !== undefined },
        });
        if (deviceLocked) {
          await appendAudit(tx, auditKey, user.organization_id, actor, {
            action: 'auth.device_locked',
            targetType: 'user',
            targetId: user.id,
          });
        }
        if (user.status !== 'active') return false;
        return countFailedSignIn({ auditKey, origin: config.publicUrl.origin, outbox }, tx, user, actor);
      });
      if (alerted) outbox.wake();
    }
    throw new AppError('invalid_credentials');
  }
  await asApp(db, (tx) =>
    clearThrottle(tx, deviceKey ? [deviceKey] : [untrustedKeys.account, untrustedKeys.account_ip]),
  );
  return withOrg(db, user.organization_id, async (tx) => {
    const state = stateAfterPassword(user, await requireMfaOf(tx));
    const session = await startSession(
      app,
      tx,
      request,
      reply,
      { organizationId: user.organization_id, id: user.id },
      state,
    );
    if (state !== 'mfa') await markSignedIn(tx, user.id);
    await appendAudit(
      tx,
      auditKey,
      user.organization_id,
      { type: 'user', id: user.id, requestId: request.id },
      {
        action: 'auth.password_accepted',
        targetType: 'session',
        targetId: session.id,
        data: { state, knownDevice: deviceKey !== undefined },
      },
    );
    return { state, csrfToken: session.csrfToken, methods: signInMethods(user) };
  });
}

export async function signOut(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  sessionId: string,
  actor: AuditActor,
): Promise<void> {
  await deleteSession(tx, sessionId);
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'auth.signed_out',
    targetType: 'session',
    targetId: sessionId,
  });
}

export async function signOutEverywhere(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  userId: string,
  actor: AuditActor,
): Promise<void> {
  const ended = await deleteSessionsOf(tx, userId);
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'auth.signed_out_everywhere',
    targetType: 'user',
    targetId: userId,
    data: { sessions: ended },
  });
}

/**
 * Mails a reset link to an active account. The caller answers the same
 * whether or not the address has an account; each request counts against
 * the address's reset throttle.
 */
export async function requestPasswordReset(
  app: AuthDeps,
  request: FastifyRequest,
  email: string,
): Promise<void> {
  const { db, config, outbox } = app.deps;
  const resetKey = throttleKey(config.secrets.sessionKey, 'reset', email);
  const found = await asApp(db, async (tx) => {
    await assertNotThrottled(tx, [resetKey]);
    await recordFailure(tx, 'reset', resetKey);
    return locate(tx, 'candor_find_user_by_email', email);
  });
  if (!found) return;
  await withOrg(db, found.organization_id, async (tx) => {
    const user = await findUser(tx, found.id);
    if (!user || user.status !== 'active') return;
    const token = newToken();
    const resetId = await insertPasswordReset(tx, {
      organizationId: found.organization_id,
      userId: user.id,
      tokenHash: hashToken(token),
      minutes: PASSWORD_RESET_MINUTES,
    });
    const locale = chooseLocale({
      userLocale: user.locale,
      acceptLanguage: request.headers['accept-language'],
    });
    await outbox.enqueueEmail(tx, found.organization_id, {
      purpose: 'password_reset',
      idempotencyKey: `password_reset:${resetId}`,
      message: actionMail({
        to: user.email,
        locale,
        subject: 'mail.reset.subject',
        intro: 'mail.reset.intro',
        action: 'mail.reset.action',
        outro: 'mail.reset.outro',
        link: `${config.publicUrl.origin}/reset-password#token=${token}`,
        values: { minutes: PASSWORD_RESET_MINUTES },
      }),
    });
    await appendAudit(tx, config.secrets.auditKey, found.organization_id, requestActor(request), {
      action: 'auth.password_reset_requested',
      targetType: 'user',
      targetId: user.id,
    });
  });
  outbox.wake();
}

/** Sets a new password through a reset link, used once, and signs the account out everywhere. */
export async function completePasswordReset(
  app: HasSessionDeps,
  request: FastifyRequest,
  input: { token: string; password: string },
): Promise<void> {
  const { db, config } = app.deps;
  const { token, password } = input;
  const tokenHash = hashToken(token);
  const found = await asApp(db, (tx) => locate(tx, 'candor_find_password_reset', tokenHash));
  if (!found) throw new AppError('invalid_token');
  const reset = await withOrg(db, found.organization_id, async (tx) => {
    const userId = await findOpenPasswordResetUser(tx, found.id);
    return userId ? await findUser(tx, userId) : undefined;
  });
  if (!reset || reset.status !== 'active') throw new AppError('invalid_token');
  checkPasswordPolicy(password, reset.email);
  const passwordHash = await hashPassword(password);
  await withOrg(db, found.organization_id, async (tx) => {
    if (!(await markPasswordResetUsed(tx, found.id))) throw new AppError('invalid_token');
    await updatePasswordHash(tx, reset.id, passwordHash);
    // Whoever held the old password is signed out everywhere.
    await deleteSessionsOf(tx, reset.id);
    await appendAudit(tx, config.secrets.auditKey, found.organization_id, requestActor(request), {
      action: 'auth.password_reset',
      targetType: 'user',
      targetId: reset.id,
    });
  });
  await asApp(db, async (tx) => {
    await clearThrottle(tx, [throttleKey(config.secrets.sessionKey, 'account', reset.email)]);
    await clearThrottlePrefixed(tx, accountSourcePrefix(config.secrets.sessionKey, reset.email));
  });
}
