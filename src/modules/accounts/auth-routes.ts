import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { hashToken, newToken } from '../../platform/crypto.js';
import { asApp, locate, withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { chooseLocale, type Locale } from '../../platform/i18n.js';
import { appendAudit, requestActor, type AuditActor } from '../audit/index.js';
import { actionMail } from './account-mail.js';
import { Email, Password, SessionInfo, SignInResult, Token } from './account-schemas.js';
import { ErrorBody, LocaleSchema } from '../../platform/http/schemas.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import {
  clearSessionCookie,
  startSession,
  type HasSessionDeps,
  type SessionState,
} from './session-service.js';
import { assertNotThrottled, clearThrottle, recordFailure, throttleKey } from './throttle.js';
import { deleteSessionsOf, findUser, hasSecondFactor, insertUser, type UserRow } from './user-repo.js';
import { authOf } from '../access/index.js';

const PASSWORD_RESET_MINUTES = 60;
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

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
  const rows = await tx.query<{ require_mfa: boolean }>('SELECT require_mfa FROM organizations');
  return rows[0]?.require_mfa ?? true;
}

/** Creates a user, audits it and signs them in: shared by first-time setup and invitations. */
async function createAndSignIn(
  app: HasSessionDeps,
  tx: Sql,
  request: FastifyRequest,
  reply: FastifyReply,
  user: Parameters<typeof insertUser>[1],
  actor: AuditActor,
) {
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

export async function authRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, outbox } = app.deps;
  const auditKey = config.secrets.auditKey;

  app.get(
    '/api/auth/session',
    { config: { access: { kind: 'public' } }, schema: { tags: ['auth'], response: { 200: SessionInfo } } },
    async (request) => {
      const setupNeeded = await asApp(db, async (tx) => {
        const rows = await tx.query<{ needed: boolean }>('SELECT candor_setup_needed() AS needed');
        return rows[0]!.needed;
      });
      const auth = request.auth;
      if (!auth?.session || auth.actor.type !== 'user') return { setupNeeded, authenticated: false };
      const { session, actor } = auth;
      return withOrg(db, auth.organizationId, async (tx) => {
        const user = await findUser(tx, actor.id);
        const org = (
          await tx.query<{ id: string; name: string; default_locale: Locale; require_mfa: boolean }>(
            'SELECT id, name, default_locale, require_mfa FROM organizations',
          )
        )[0]!;
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
          },
        };
      });
    },
  );

  app.post(
    '/api/setup',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          {
            token: Token,
            organizationName: Type.String({ minLength: 1, maxLength: 200 }),
            email: Email,
            displayName: Type.String({ minLength: 1, maxLength: 200 }),
            password: Password,
            locale: LocaleSchema,
          },
          { additionalProperties: false },
        ),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      checkPasswordPolicy(body.password, body.email);
      const passwordHash = await hashPassword(body.password);
      const organizationId = randomUUID();
      return withOrg(db, organizationId, async (tx) => {
        const used = await tx.query<{ ok: boolean }>('SELECT candor_setup_consume($1) AS ok', [
          hashToken(body.token),
        ]);
        if (!used[0]?.ok) throw new AppError('invalid_token');
        const taken = await tx.query<{ taken: boolean }>('SELECT candor_email_taken($1) AS taken', [
          body.email,
        ]);
        if (taken[0]?.taken) throw new AppError('email_taken');
        await tx.query('INSERT INTO organizations (id, name, default_locale) VALUES ($1, $2, $3)', [
          organizationId,
          body.organizationName,
          body.locale,
        ]);
        const actor: AuditActor = { type: 'system', id: null, requestId: request.id };
        await appendAudit(tx, auditKey, organizationId, actor, {
          action: 'organization.created',
          targetType: 'organization',
          targetId: organizationId,
        });
        return createAndSignIn(
          app,
          tx,
          request,
          reply,
          {
            organizationId,
            email: body.email,
            displayName: body.displayName,
            passwordHash,
            roles: ['admin'],
            locale: body.locale,
          },
          actor,
        );
      });
    },
  );

  app.post(
    '/api/auth/sign-in',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const sessionKey = config.secrets.sessionKey;
      const accountKey = throttleKey(sessionKey, 'account', email);
      const ipKey = throttleKey(sessionKey, 'ip', request.ip);
      const found = await asApp(db, async (tx) => {
        await assertNotThrottled(tx, [accountKey, ipKey]);
        return locate(tx, 'candor_find_user_by_email', email);
      });
      const user = found && (await withOrg(db, found.organization_id, (tx) => findUser(tx, found.id)));
      const ok = await verifyPassword(user?.password_hash, password);
      if (!ok || !user || user.status !== 'active') {
        await asApp(db, async (tx) => {
          await recordFailure(tx, 'account', accountKey);
          await recordFailure(tx, 'ip', ipKey);
        });
        if (user) {
          await withOrg(db, user.organization_id, (tx) =>
            appendAudit(tx, auditKey, user.organization_id, requestActor(request), {
              action: 'auth.sign_in_failed',
              targetType: 'user',
              targetId: user.id,
            }),
          );
        }
        throw new AppError('invalid_credentials');
      }
      await asApp(db, (tx) => clearThrottle(tx, [accountKey]));
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
        if (state !== 'mfa')
          await tx.query('UPDATE users SET last_sign_in_at = now() WHERE id = $1', [user.id]);
        await appendAudit(
          tx,
          auditKey,
          user.organization_id,
          { type: 'user', id: user.id, requestId: request.id },
          { action: 'auth.password_accepted', targetType: 'session', targetId: session.id, data: { state } },
        );
        return { state, csrfToken: session.csrfToken, methods: signInMethods(user) };
      });
    },
  );

  app.post(
    '/api/auth/sign-out',
    { config: { access: { kind: 'session' } }, schema: { tags: ['auth'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, async (tx) => {
        await tx.query('DELETE FROM sessions WHERE id = $1', [auth.session!.id]);
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'auth.signed_out',
          targetType: 'session',
          targetId: auth.session!.id,
        });
      });
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/sign-out-everywhere',
    { config: { access: { kind: 'session' } }, schema: { tags: ['auth'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, async (tx) => {
        const ended = await deleteSessionsOf(tx, auth.actor.id);
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'auth.signed_out_everywhere',
          targetType: 'user',
          targetId: auth.actor.id,
          data: { sessions: ended },
        });
      });
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/password-reset',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 202: Type.Object({ status: Type.Literal('accepted') }), ...errors },
      },
    },
    async (request, reply) => {
      const { email } = request.body;
      const resetKey = throttleKey(config.secrets.sessionKey, 'reset', email);
      // The same answer whether or not the address has an account.
      const found = await asApp(db, async (tx) => {
        await assertNotThrottled(tx, [resetKey]);
        await recordFailure(tx, 'reset', resetKey);
        return locate(tx, 'candor_find_user_by_email', email);
      });
      if (found) {
        await withOrg(db, found.organization_id, async (tx) => {
          const user = await findUser(tx, found.id);
          if (!user || user.status !== 'active') return;
          const token = newToken();
          const rows = await tx.query<{ id: string }>(
            `INSERT INTO password_resets (organization_id, user_id, token_hash, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING id`,
            [found.organization_id, user.id, hashToken(token), PASSWORD_RESET_MINUTES],
          );
          const locale = chooseLocale({
            userLocale: user.locale,
            acceptLanguage: request.headers['accept-language'],
          });
          await app.deps.outbox.enqueueEmail(tx, found.organization_id, {
            purpose: 'password_reset',
            idempotencyKey: `password_reset:${rows[0]!.id}`,
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
          await appendAudit(tx, auditKey, found.organization_id, requestActor(request), {
            action: 'auth.password_reset_requested',
            targetType: 'user',
            targetId: user.id,
          });
        });
        outbox.wake();
      }
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/api/auth/password-reset/complete',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { token, password } = request.body;
      const tokenHash = hashToken(token);
      const found = await asApp(db, (tx) => locate(tx, 'candor_find_password_reset', tokenHash));
      if (!found) throw new AppError('invalid_token');
      const reset = await withOrg(db, found.organization_id, async (tx) => {
        const rows = await tx.query<{ user_id: string }>(
          `SELECT user_id FROM password_resets WHERE id = $1 AND used_at IS NULL AND expires_at > now()`,
          [found.id],
        );
        const userId = rows[0]?.user_id;
        return userId ? await findUser(tx, userId) : undefined;
      });
      if (!reset || reset.status !== 'active') throw new AppError('invalid_token');
      checkPasswordPolicy(password, reset.email);
      const passwordHash = await hashPassword(password);
      await withOrg(db, found.organization_id, async (tx) => {
        const used = await tx.query(
          `UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`,
          [found.id],
        );
        if (used.length === 0) throw new AppError('invalid_token');
        await tx.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
          reset.id,
          passwordHash,
        ]);
        // Whoever held the old password is signed out everywhere.
        await deleteSessionsOf(tx, reset.id);
        await appendAudit(tx, auditKey, found.organization_id, requestActor(request), {
          action: 'auth.password_reset',
          targetType: 'user',
          targetId: reset.id,
        });
      });
      await asApp(db, (tx) =>
        clearThrottle(tx, [throttleKey(config.secrets.sessionKey, 'account', reset.email)]),
      );
      return reply.status(204).send(null);
    },
  );

  async function openInvitation(token: string) {
    const found = await asApp(db, (tx) => locate(tx, 'candor_find_invitation', hashToken(token)));
    if (!found) throw new AppError('invalid_token');
    return found;
  }

  app.post(
    '/api/auth/invitation',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            organizationName: Type.String(),
            email: Type.String(),
            roles: Type.Array(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const found = await openInvitation(request.body.token);
      return withOrg(db, found.organization_id, async (tx) => {
        const rows = await tx.query<{ email: string; roles: string[]; name: string }>(
          `SELECT i.email, i.roles, o.name FROM invitations i JOIN organizations o ON o.id = i.organization_id
           WHERE i.id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`,
          [found.id],
        );
        const invitation = rows[0];
        if (!invitation) throw new AppError('invalid_token');
        return { organizationName: invitation.name, email: invitation.email, roles: invitation.roles };
      });
    },
  );

  app.post(
    '/api/auth/invitation/accept',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          {
            token: Token,
            displayName: Type.String({ minLength: 1, maxLength: 200 }),
            password: Password,
            locale: LocaleSchema,
          },
          { additionalProperties: false },
        ),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const found = await openInvitation(body.token);
      const passwordHash = await hashPassword(body.password);
      return withOrg(db, found.organization_id, async (tx) => {
        const rows = await tx.query<{ email: string; roles: UserRow['roles'] }>(
          `UPDATE invitations SET accepted_at = now()
           WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
           RETURNING email, roles`,
          [found.id],
        );
        const invitation = rows[0];
        if (!invitation) throw new AppError('invalid_token');
        checkPasswordPolicy(body.password, invitation.email);
        const taken = await tx.query<{ taken: boolean }>('SELECT candor_email_taken($1) AS taken', [
          invitation.email,
        ]);
        if (taken[0]?.taken) throw new AppError('email_taken');
        return createAndSignIn(
          app,
          tx,
          request,
          reply,
          {
            organizationId: found.organization_id,
            email: invitation.email,
            displayName: body.displayName,
            passwordHash,
            roles: invitation.roles,
            locale: body.locale,
          },
          { type: 'system', id: null, requestId: request.id },
        );
      });
    },
  );
}
