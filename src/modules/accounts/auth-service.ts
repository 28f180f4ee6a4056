import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken } from '../../platform/crypto.js';
import { asApp, locate, withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { chooseLocale } from '../../platform/i18n.js';
import type { Outbox } from '../../platform/outbox.js';
import type { Auth } from '../access/index.js';
import { appendAudit, requestActor, type AuditActor } from '../audit/index.js';
import { trustedDevice } from './device-cookie.js';
import type { SessionInfo, SignInResult } from './account-schemas.js';
import { queueResetRequested, queueSignInFailed } from './auth-follow-ups.js';
import { findOrganizationSummary, findRequireMfa } from './organization-repo.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { findOpenPasswordResetUser, markPasswordResetUsed } from './password-reset-repo.js';
import { deleteSession } from './session-repo.js';
import { startSession, type HasSessionDeps, type SessionState } from './session-service.js';
import { isSetupNeeded } from './setup-repo.js';
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

/** The id no organization or user has: an unknown address's look-ups find nothing with it. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

/** What the password flows need of the app besides sessions: the outbox, which the follow-ups (auth-follow-ups.ts) use for the reset mail and the owner alert. */
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
  const { db, config } = app.deps;
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
  // The same transaction for an unknown address, on no organization (it finds nothing).
  const user = await withOrg(db, found?.organization_id ?? NO_ID, (tx) => findUser(tx, found?.id ?? NO_ID));
  const ok = await verifyPassword(user?.password_hash, password);
  if (!ok || !user || user.status !== 'active') {
    // The same statements whatever the address: the failures counted and one follow-up queued,
    // which records the audit entries and the owner's alert after the response (auth-follow-ups.ts).
    await asApp(db, async (tx) => {
      let deviceLocked = false;
      if (deviceKey) deviceLocked = (await recordFailure(tx, 'device', deviceKey)) > 0;
      else {
        for (const [kind, key] of Object.entries(untrustedKeys)) {
          await recordFailure(tx, kind as keyof typeof untrustedKeys, key);
        }
      }
      await queueSignInFailed(tx, {
        organizationId: user?.organization_id ?? null,
        userId: user?.id ?? null,
        knownDevice: deviceKey !== undefined,
        deviceLocked,
        actor: requestActor(request),
      });
    });
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
 * Asks for a reset link: counted against the address's reset throttle and, in the same
 * transaction, one follow-up queued for every address, known or not, so the response does the
 * same work either way; the follow-up mails the link to an active account (auth-follow-ups.ts).
 */
export async function requestPasswordReset(
  app: AuthDeps,
  request: FastifyRequest,
  email: string,
): Promise<void> {
  const { db, config } = app.deps;
  const resetKey = throttleKey(config.secrets.sessionKey, 'reset', email);
  const acceptLanguage = request.headers['accept-language'];
  await asApp(db, async (tx) => {
    await assertNotThrottled(tx, [resetKey]);
    await recordFailure(tx, 'reset', resetKey);
    const found = await locate(tx, 'candor_find_user_by_email', email);
    await queueResetRequested(tx, {
      organizationId: found?.organization_id ?? null,
      userId: found?.id ?? null,
      locale: acceptLanguage ? chooseLocale({ acceptLanguage }) : null,
      actor: requestActor(request),
    });
  });
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
