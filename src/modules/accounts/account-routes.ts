import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { requestActor } from '../audit/index.js';
import { Password } from './account-schemas.js';
import { ErrorBody, LocaleSchema } from '../../platform/http/schemas.js';
import { changePassword, updateOrganization } from './account-service.js';
import { findOrganizationSettings, type OrganizationSettingsRow } from './organization-repo.js';
import { updateOwnProfile } from './user-repo.js';
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
  /** IANA zone the app shows times in, and notices use where a customer's own is unknown. */
  timeZone: Type.String(),
  intakeWebhookConfigured: Type.Boolean(),
});

const organizationView = (o: OrganizationSettingsRow) => ({
  id: o.id,
  name: o.name,
  defaultLocale: o.default_locale,
  requireMfa: o.require_mfa,
  undueDelayTargetHours: o.undue_delay_target_hours,
  intakeStartsPlan: o.intake_starts_plan,
  timeZone: o.time_zone,
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
      await withOrg(db, auth.organizationId, (tx) => updateOwnProfile(tx, auth.actor.id, request.body));
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
      await changePassword(db, auditKey, auth, requestActor(request), request.body);
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
        await withOrg(db, authOf(request).organizationId, (tx) => findOrganizationSettings(tx)),
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
            timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Organization, 400: ErrorBody },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return organizationView(
        await withOrg(db, auth.organizationId, (tx) =>
          updateOrganization(tx, auditKey, auth.organizationId, requestActor(request), request.body),
        ),
      );
    },
  );
}
