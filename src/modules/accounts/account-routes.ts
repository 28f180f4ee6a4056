import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { Password } from './account-schemas.js';
import { ErrorBody, LocaleSchema } from '../../platform/http/schemas.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { deleteSessionsOf, findUser } from './user-repo.js';
import { authOf } from '../access/index.js';

const Organization = Type.Object({
  id: Type.String(),
  name: Type.String(),
  defaultLocale: LocaleSchema,
  requireMfa: Type.Boolean(),
  /** Target for "without undue delay" duties that have no outer legal bound. */
  undueDelayTargetHours: Type.Integer(),
  /** Whether an incident opened by an alert starts its response plan at once. */
  intakeStartsPlan: Type.Boolean(),
  intakeWebhookConfigured: Type.Boolean(),
});

interface OrgRow {
  id: string;
  name: string;
  default_locale: 'en' | 'cs' | 'ar';
  require_mfa: boolean;
  undue_delay_target_hours: number;
  intake_starts_plan: boolean;
  has_secret: boolean;
}
const SELECT_ORG = `SELECT id, name, default_locale, require_mfa, undue_delay_target_hours, intake_starts_plan,
  intake_webhook_secret IS NOT NULL AS has_secret FROM organizations`;

const organizationView = (o: OrgRow) => ({
  id: o.id,
  name: o.name,
  defaultLocale: o.default_locale,
  requireMfa: o.require_mfa,
  undueDelayTargetHours: o.undue_delay_target_hours,
  intakeStartsPlan: o.intake_starts_plan,
  intakeWebhookConfigured: o.has_secret,
});

/** A user's own account, and the organization's settings. */
export async function accountRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;

  app.patch(
    '/api/me',
    {
      config: { access: { kind: 'enrolled' } },
      schema: {
        tags: ['account'],
        body: Type.Object(
          {
            locale: Type.Optional(Type.Union([LocaleSchema, Type.Null()])),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { locale, displayName } = request.body;
      await withOrg(db, auth.organizationId, (tx) =>
        tx.query(
          `UPDATE users SET locale = CASE WHEN $2 THEN $3 ELSE locale END, display_name = coalesce($4, display_name)
           WHERE id = $1`,
          [auth.actor.id, locale !== undefined, locale ?? null, displayName ?? null],
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/me/password',
    {
      config: { access: { kind: 'user' } },
      schema: {
        tags: ['account'],
        body: Type.Object(
          { currentPassword: Password, newPassword: Password },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const user = (await withOrg(db, auth.organizationId, (tx) => findUser(tx, auth.actor.id)))!;
      if (!(await verifyPassword(user.password_hash, request.body.currentPassword))) {
        throw new AppError('invalid_credentials');
      }
      checkPasswordPolicy(request.body.newPassword, user.email);
      const hash = await hashPassword(request.body.newPassword);
      await withOrg(db, auth.organizationId, async (tx) => {
        await tx.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
          user.id,
          hash,
        ]);
        await deleteSessionsOf(tx, user.id, auth.session?.id);
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'user.password_changed',
          targetType: 'user',
          targetId: user.id,
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/organization',
    {
      config: { access: { kind: 'user' } },
      schema: { tags: ['organization'], response: { 200: Organization } },
    },
    async (request) =>
      organizationView(
        (await withOrg(db, authOf(request).organizationId, (tx) => tx.query<OrgRow>(SELECT_ORG)))[0]!,
      ),
  );

  app.patch(
    '/api/organization',
    {
      config: { access: { kind: 'permission', permission: 'organization.manage' } },
      schema: {
        tags: ['organization'],
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            defaultLocale: Type.Optional(LocaleSchema),
            requireMfa: Type.Optional(Type.Boolean()),
            undueDelayTargetHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
            intakeStartsPlan: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Organization, 400: ErrorBody },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const b = request.body;
      return withOrg(db, auth.organizationId, async (tx) => {
        await tx.query(
          `UPDATE organizations SET name = coalesce($1, name), default_locale = coalesce($2, default_locale),
             require_mfa = coalesce($3, require_mfa), undue_delay_target_hours = coalesce($4, undue_delay_target_hours),
             intake_starts_plan = coalesce($5, intake_starts_plan)`,
          [
            b.name ?? null,
            b.defaultLocale ?? null,
            b.requireMfa ?? null,
            b.undueDelayTargetHours ?? null,
            b.intakeStartsPlan ?? null,
          ],
        );
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'organization.updated',
          targetType: 'organization',
          targetId: auth.organizationId,
          data: { fields: Object.keys(b) },
        });
        return organizationView((await tx.query<OrgRow>(SELECT_ORG))[0]!);
      });
    },
  );
}
