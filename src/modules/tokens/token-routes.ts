import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { authOf, TOKEN_SCOPES, type Access } from '../access/index.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { listTokens, type TokenRow } from './token-repo.js';
import { createToken, revokeToken } from './token-service.js';

const manage: { access: Access } = { access: { kind: 'permission', permission: 'organization.manage' } };
const Scope = Type.Unsafe<(typeof TOKEN_SCOPES)[number]>({ type: 'string', enum: TOKEN_SCOPES });

const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const toView = (r: TokenRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at?.toISOString() ?? null,
  lastUsedAt: r.last_used_at?.toISOString() ?? null,
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/** Scoped API tokens for machines: stored as hashes, shown once. */
export async function tokenRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;

  app.get(
    '/api/tokens',
    { config: manage, schema: { tags: ['tokens'], response: { 200: Type.Array(TokenView) } } },
    async (request) => {
      const rows = await withOrg(db, authOf(request).organizationId, (tx) => listTokens(tx));
      return rows.map(toView);
    },
  );

  app.post(
    '/api/tokens',
    {
      config: manage,
      schema: {
        tags: ['tokens'],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true }),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ token: Type.String(), apiToken: TokenView }), 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { token, row } = await withOrg(db, auth.organizationId, (tx) =>
        createToken(
          tx,
          config.secrets.auditKey,
          {
            organizationId: auth.organizationId,
            userId: auth.actor.id,
            roles: auth.actor.type === 'user' ? auth.actor.roles : [],
            actor: requestActor(request),
          },
          {
            name: request.body.name,
            scopes: request.body.scopes,
            expiresInDays: request.body.expiresInDays ?? null,
          },
        ),
      );
      return reply.status(201).send({ token, apiToken: toView(row) });
    },
  );

  app.post(
    '/api/tokens/:id/revoke',
    {
      config: manage,
      schema: { tags: ['tokens'], params: IdParams, response: { 204: Type.Null(), 404: ErrorBody } },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, (tx) =>
        revokeToken(
          tx,
          config.secrets.auditKey,
          { organizationId: auth.organizationId, actor: requestActor(request) },
          request.params.id,
        ),
      );
      return reply.status(204).send(null);
    },
  );
}
