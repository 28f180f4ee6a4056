import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { authOf, withCaller, type Access } from '../access/index.js';
import { PageQuery, pageOf } from '../../platform/http/pagination.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { reportRateLimit } from './bounce-routes.js';
import {
  listSuppressions,
  removeSuppressionAudited,
  searchSuppressions,
  unsubscribeByToken,
  type Suppression,
} from './suppression.js';

const manage: { access: Access } = { access: { kind: 'permission', permission: 'organization.manage' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

const ChannelSchema = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('webhook')]);
const SuppressionView = Type.Object({
  id: Type.String(),
  channel: ChannelSchema,
  reason: Type.Union([
    Type.Literal('hard_bounce'),
    Type.Literal('complaint'),
    Type.Literal('permanent_failure'),
    Type.Literal('unsubscribed'),
  ]),
  /** all: no notice goes to the address on this channel; optional: optional updates do not, mandatory notices do. */
  scope: Type.Union([Type.Literal('all'), Type.Literal('optional')]),
  source: Type.String(),
  deliveryId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const ListQuery = Type.Object(
  {
    channel: Type.Optional(ChannelSchema),
    ...PageQuery,
  },
  { additionalProperties: false },
);
const SearchBody = Type.Object(
  { channel: ChannelSchema, address: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) });

const view = (s: Suppression) => ({ ...s, createdAt: s.createdAt.toISOString() });

/**
 * The suppression list for admins (list, find one address, remove), and the one-click unsubscribe
 * of optional updates (RFC 8058: a POST to the List-Unsubscribe URL, from a mail provider, so it
 * carries no Origin: the token is its authentication). An unsubscribe stops optional updates
 * only: mandatory breach notices still reach the address.
 */
export async function suppressionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;
  const { keyring } = app.deps;
  const limit = reportRateLimit(config.email.reportsPerMinute);

  // A one-click unsubscribe posts "List-Unsubscribe=One-Click" as a form; its body is not needed.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_request, _body, done) =>
        done(null, {}),
      );
    }
  }

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  app.get(
    '/api/suppressions',
    {
      config: manage,
      schema: {
        tags: ['notices'],
        querystring: ListQuery,
        response: { 200: Type.Array(SuppressionView), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = pageOf(q);
      const rows = await withCaller(db, request, (tx) =>
        listSuppressions(tx, {
          limit: page.limit,
          channel: q.channel,
          before: page.before && { createdAt: page.before.at, id: page.before.id },
        }),
      );
      return rows.map(view);
    },
  );

  app.post(
    '/api/suppressions/search',
    {
      config: manage,
      schema: {
        tags: ['notices'],
        body: SearchBody,
        response: { 200: Type.Array(SuppressionView), ...errors },
      },
    },
    async (request) => {
      const { channel, address } = request.body;
      const rows = await withCaller(db, request, async (tx) =>
        searchSuppressions(tx, await keyring.get(tx, authOf(request).organizationId), channel, address),
      );
      return rows.map(view);
    },
  );

  app.delete(
    '/api/suppressions/:id',
    {
      config: manage,
      schema: { tags: ['notices'], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, (tx) =>
        removeSuppressionAudited(
          tx,
          auditKey,
          authOf(request).organizationId,
          requestActor(request),
          request.params.id,
        ),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/unsubscribe/:token',
    {
      config: {
        access: { kind: 'public' },
        signedWebhook: true,
        swaggerTransform: documentRaw({
          body: {
            contentTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
            description:
              'A one-click unsubscribe (RFC 8058): "List-Unsubscribe=One-Click"; the token in the path decides.',
          },
        }),
      },
      schema: {
        tags: ['notices'],
        params: TokenParams,
        response: { 200: Type.Object({ status: Type.Literal('unsubscribed') }), ...errors, 429: ErrorBody },
      },
    },
    async (request) => {
      await limit(request);
      await unsubscribeByToken({ db, keyring, auditKey }, request.params.token, request.id);
      return { status: 'unsubscribed' as const };
    },
  );
}
