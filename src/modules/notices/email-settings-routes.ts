import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { changeEmailSettings, dnsGuidance, getEmailSettings, type EmailSettings } from './email-settings.js';

const manage: { access: Access } = { access: { kind: 'permission', permission: 'organization.manage' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

const Record_ = Type.Object({
  name: Type.String(),
  type: Type.Literal('TXT'),
  value: Type.String(),
  strings: Type.Array(Type.String()),
});
const SettingsView = Type.Object({
  settings: Type.Union([
    Type.Object({
      fromAddress: Type.String(),
      fromName: Type.Union([Type.String(), Type.Null()]),
      replyTo: Type.Union([Type.String(), Type.Null()]),
      domain: Type.String(),
      dkimSelector: Type.String(),
      publicKey: Type.String(),
      updatedAt: Type.String(),
    }),
    Type.Null(),
  ]),
  dns: Type.Union([
    Type.Object({
      dkim: Record_,
      spf: Type.Object({ ...Record_.properties, mechanism: Type.Union([Type.String(), Type.Null()]) }),
      dmarc: Record_,
      aligned: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  /** Envelope senders are bounces+<delivery id>@this domain: its MX must reach the bounce listener. */
  bounceDomain: Type.String(),
});
const SettingsBody = Type.Object(
  {
    fromAddress: Type.String({ minLength: 3, maxLength: 254 }),
    fromName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    replyTo: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
    dkimSelector: Type.String({ minLength: 1, maxLength: 63 }),
    rotateKey: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** The organization's e-mail settings for notices and the DNS records they need. */
export async function emailSettingsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const { keyring } = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const view = (settings: EmailSettings | undefined) => ({
    settings: settings ? { ...settings, updatedAt: settings.updatedAt.toISOString() } : null,
    dns: settings ? dnsGuidance(settings, config.email) : null,
    bounceDomain: config.email.bounceDomain,
  });

  app.get(
    '/api/email-settings',
    { config: manage, schema: { tags: ['notices'], response: { 200: SettingsView, ...errors } } },
    async (request) => view(await withCaller(db, request, (tx) => getEmailSettings(tx))),
  );

  app.put(
    '/api/email-settings',
    {
      config: manage,
      schema: { tags: ['notices'], body: SettingsBody, response: { 200: SettingsView, ...errors } },
    },
    async (request) => {
      const orgId = authOf(request).organizationId;
      const settings = await withCaller(db, request, async (tx) =>
        changeEmailSettings(
          tx,
          { keys: await keyring.get(tx, orgId), auditKey: config.secrets.auditKey },
          orgId,
          requestActor(request),
          request.body,
        ),
      );
      return view(settings);
    },
  );
}
