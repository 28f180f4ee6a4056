import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { hashToken, newToken } from '../../platform/crypto.js';
import { withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isLocale } from '../../platform/i18n.js';
import { type Access, authOf } from '../access/index.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { actionMail } from './account-mail.js';
import { Email, InvitationView, Roles, UserView } from './account-schemas.js';
import { ErrorBody, IdParams, LocaleSchema } from '../../platform/http/schemas.js';
import { blockedUntil, clearThrottle, throttleKey } from './throttle.js';
import { countActiveAdmins, deleteSessionsOf, findUser, listUsers, type UserRow } from './user-repo.js';

const INVITATION_DAYS = 7;
const manage: { access: Access } = { access: { kind: 'permission', permission: 'organization.manage' } };
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export async function userRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, outbox } = app.deps;
  const auditKey = config.secrets.auditKey;
  const sessionKey = config.secrets.sessionKey;

  async function view(tx: Sql, user: UserRow): Promise<UserView> {
    const until = await blockedUntil(tx, throttleKey(sessionKey, 'account', user.email));
    return {
      id: user.id,
      email: user.email,
      displayName: user.display_name,
      roles: user.roles,
      status: user.status,
      locale: user.locale,
      totp: user.totp_enabled_at !== null,
      passkeys: user.passkeys,
      throttledUntil: until?.toISOString() ?? null,
      lastSignInAt: user.last_sign_in_at?.toISOString() ?? null,
      createdAt: user.created_at.toISOString(),
    };
  }

  async function mustFind(tx: Sql, id: string): Promise<UserRow> {
    const user = await findUser(tx, id);
    if (!user) throw new AppError('not_found');
    return user;
  }

  /** Never leave the organization without an active admin. */
  async function keepAnAdmin(tx: Sql, user: UserRow, losesAdmin: boolean) {
    if (
      losesAdmin &&
      user.status === 'active' &&
      user.roles.includes('admin') &&
      (await countActiveAdmins(tx)) <= 1
    ) {
      throw new AppError('last_admin');
    }
  }

  app.get(
    '/api/users',
    { config: manage, schema: { tags: ['users'], response: { 200: Type.Array(UserView) } } },
    async (request) =>
      withOrg(db, authOf(request).organizationId, async (tx) => {
        const users = await listUsers(tx);
        const views: UserView[] = [];
        // One after the other: a transaction is one connection, which runs one query at a time.
        for (const user of users) views.push(await view(tx, user));
        return views;
      }),
  );

  app.patch(
    '/api/users/:id',
    {
      config: manage,
      schema: {
        tags: ['users'],
        params: IdParams,
        body: Type.Object(
          {
            roles: Type.Optional(Roles),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: UserView, ...errors },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { roles, displayName } = request.body;
      return withOrg(db, auth.organizationId, async (tx) => {
        const user = await mustFind(tx, request.params.id);
        await keepAnAdmin(tx, user, roles !== undefined && !roles.includes('admin'));
        await tx.query(
          'UPDATE users SET roles = coalesce($2, roles), display_name = coalesce($3, display_name) WHERE id = $1',
          [user.id, roles ?? null, displayName ?? null],
        );
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: roles ? 'user.roles_changed' : 'user.updated',
          targetType: 'user',
          targetId: user.id,
          data: roles ? { from: user.roles, to: roles } : {},
        });
        return view(tx, (await findUser(tx, user.id))!);
      });
    },
  );

  const statusChange = (path: string, status: 'active' | 'deactivated', action: string) =>
    app.post(
      path,
      {
        config: manage,
        schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...errors } },
      },
      async (request) => {
        const auth = authOf(request);
        return withOrg(db, auth.organizationId, async (tx) => {
          const user = await mustFind(tx, request.params.id);
          if (status === 'deactivated') {
            await keepAnAdmin(tx, user, true);
            await deleteSessionsOf(tx, user.id);
          }
          await tx.query('UPDATE users SET status = $2 WHERE id = $1', [user.id, status]);
          await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
            action,
            targetType: 'user',
            targetId: user.id,
          });
          return view(tx, (await findUser(tx, user.id))!);
        });
      },
    );
  statusChange('/api/users/:id/deactivate', 'deactivated', 'user.deactivated');
  statusChange('/api/users/:id/reactivate', 'active', 'user.reactivated');

  app.post(
    '/api/users/:id/reset-mfa',
    { config: manage, schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...errors } } },
    async (request) => {
      const auth = authOf(request);
      return withOrg(db, auth.organizationId, async (tx) => {
        const user = await mustFind(tx, request.params.id);
        await resetMfa(tx, user.id);
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'user.mfa_reset',
          targetType: 'user',
          targetId: user.id,
        });
        return view(tx, (await findUser(tx, user.id))!);
      });
    },
  );

  app.post(
    '/api/users/:id/unlock',
    { config: manage, schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...errors } } },
    async (request) => {
      const auth = authOf(request);
      return withOrg(db, auth.organizationId, async (tx) => {
        const user = await mustFind(tx, request.params.id);
        const cleared = await clearThrottle(tx, [
          throttleKey(sessionKey, 'account', user.email),
          throttleKey(sessionKey, 'mfa', user.id),
        ]);
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'user.unlocked',
          targetType: 'user',
          targetId: user.id,
          data: { cleared },
        });
        return view(tx, user);
      });
    },
  );

  app.get(
    '/api/invitations',
    { config: manage, schema: { tags: ['users'], response: { 200: Type.Array(InvitationView) } } },
    async (request) => {
      const rows = await withOrg(db, authOf(request).organizationId, (tx) =>
        tx.query<{ id: string; email: string; roles: string[]; expires_at: Date; created_at: Date }>(
          `SELECT id, email, roles, expires_at, created_at FROM invitations
           WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at`,
        ),
      );
      return rows.map((r) => ({
        id: r.id,
        email: r.email,
        roles: r.roles,
        expiresAt: r.expires_at.toISOString(),
        createdAt: r.created_at.toISOString(),
      }));
    },
  );

  app.post(
    '/api/invitations',
    {
      config: manage,
      schema: {
        tags: ['users'],
        body: Type.Object(
          { email: Email, roles: Roles, locale: Type.Optional(LocaleSchema) },
          { additionalProperties: false },
        ),
        response: { 201: InvitationView, ...errors },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const email = request.body.email.toLowerCase();
      const token = newToken();
      const invitation = await withOrg(db, auth.organizationId, async (tx) => {
        const taken = await tx.query<{ taken: boolean }>('SELECT candor_email_taken($1) AS taken', [email]);
        if (taken[0]?.taken) throw new AppError('email_taken');
        const rows = await tx.query<{ id: string; expires_at: Date; created_at: Date }>(
          `INSERT INTO invitations (organization_id, email, roles, token_hash, invited_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING id, expires_at, created_at`,
          [auth.organizationId, email, request.body.roles, hashToken(token), auth.actor.id, INVITATION_DAYS],
        );
        const row = rows[0]!;
        const org = (
          await tx.query<{ name: string; default_locale: string }>(
            'SELECT name, default_locale FROM organizations',
          )
        )[0]!;
        const locale = request.body.locale ?? (isLocale(org.default_locale) ? org.default_locale : 'en');
        await outbox.enqueueEmail(tx, auth.organizationId, {
          purpose: 'invitation',
          idempotencyKey: `invitation:${row.id}`,
          message: actionMail({
            to: email,
            locale,
            subject: 'mail.invitation.subject',
            intro: 'mail.invitation.intro',
            action: 'mail.invitation.action',
            outro: 'mail.invitation.outro',
            link: `${config.publicUrl.origin}/accept-invitation#token=${token}`,
            values: { organization: org.name, days: INVITATION_DAYS },
          }),
        });
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'invitation.created',
          targetType: 'invitation',
          targetId: row.id,
          data: { roles: request.body.roles },
        });
        return {
          id: row.id,
          email,
          roles: request.body.roles,
          expiresAt: row.expires_at.toISOString(),
          createdAt: row.created_at.toISOString(),
        };
      });
      outbox.wake();
      return reply.status(201).send(invitation);
    },
  );

  app.post(
    '/api/invitations/:id/revoke',
    {
      config: manage,
      schema: { tags: ['users'], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, async (tx) => {
        const rows = await tx.query(
          'UPDATE invitations SET revoked_at = now() WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id',
          [request.params.id],
        );
        if (rows.length === 0) throw new AppError('not_found');
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'invitation.revoked',
          targetType: 'invitation',
          targetId: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );
}

/** Removes every second factor and signs the user out: they enrol again at next sign-in. */
export async function resetMfa(tx: Sql, userId: string): Promise<void> {
  await tx.query(
    `UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, recovery_codes = '{}'
     WHERE id = $1`,
    [userId],
  );
  await tx.query('DELETE FROM webauthn_credentials WHERE user_id = $1', [userId]);
  await deleteSessionsOf(tx, userId);
}
