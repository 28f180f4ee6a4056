import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { requestActor } from '../audit/index.js';
import { Email, Password } from './account-schemas.js';
import { ErrorBody, LocaleSchema } from '../../platform/http/schemas.js';
import { changePassword, updateOrganization } from './account-service.js';
import { findOrganizationSettings, type OrganizationSettingsRow } from './organization-repo.js';
import { updateOwnProfile } from './user-repo.js';
import { authOf } from '../access/index.js';
import { organizationLogoRoutes } from './organization-logo-routes.js';
import { logoUrlOf } from './organization-profile.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Hours = Type.String({ maxLength: 200 });
const SupportHours = Type.Object(
  { en: Type.Optional(Hours), cs: Type.Optional(Hours), ar: Type.Optional(Hours) },
  { additionalProperties: false },
);

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
  /** `#RRGGBB`; white text reads on it. */
  brandColor: Nullable(Type.String()),
  /** Where the admin app fetches the logo (versioned by its upload), or null without one. */
  logoUrl: Nullable(Type.String()),
  /** The contact point notices name (GDPR Art. 34(2)): e-mail, E.164 phone, hours per language. */
  supportEmail: Nullable(Type.String()),
  supportPhone: Nullable(Type.String()),
  supportHours: SupportHours,
  /** The data protection officer: staff data, never logged. */
  dpoName: Nullable(Type.String()),
  dpoEmail: Nullable(Type.String()),
  dpoPhone: Nullable(Type.String()),
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
  brandColor: o.brand_color,
  logoUrl: logoUrlOf(o.logo_updated_at),
  supportEmail: o.support_email,
  supportPhone: o.support_phone,
  supportHours: o.support_hours,
  dpoName: o.dpo_name,
  dpoEmail: o.dpo_email,
  dpoPhone: o.dpo_phone,
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
            // An empty string or null clears each of these.
            brandColor: Type.Optional(
              Nullable(Type.Union([Type.String({ pattern: '^#[0-9A-Fa-f]{6}$' }), Type.Literal('')])),
            ),
            supportEmail: Type.Optional(Nullable(Type.Union([Email, Type.Literal('')]))),
            supportPhone: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
            supportHours: Type.Optional(SupportHours),
            dpoName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
            dpoEmail: Type.Optional(Nullable(Type.Union([Email, Type.Literal('')]))),
            dpoPhone: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
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

  // Its own plugin: the image parser stays with the logo routes.
  await app.register(organizationLogoRoutes);
}
