import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { hashToken, newToken } from '../../platform/crypto.js';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { authOf, TOKEN_SCOPES, type Access } from '../access/index.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { appendAudit, requestActor } from '../audit/index.js';

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

interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

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
      const rows = await withOrg(db, authOf(request).organizationId, (tx) =>
        tx.query<TokenRow>('SELECT * FROM api_tokens ORDER BY created_at DESC'),
      );
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
      const secret = newToken();
      const prefix = secret.slice(0, 8);
      const token = `cnd_${secret}`;
      const row = await withOrg(db, auth.organizationId, async (tx) => {
        const rows = await tx.query<TokenRow>(
          `INSERT INTO api_tokens (organization_id, name, prefix, token_hash, scopes, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(days => $7::int) END)
           RETURNING *`,
          [
            auth.organizationId,
            request.body.name,
            `cnd_${prefix}`,
            hashToken(token),
            request.body.scopes,
            auth.actor.id,
            request.body.expiresInDays ?? null,
          ],
        );
        await appendAudit(tx, config.secrets.auditKey, auth.organizationId, requestActor(request), {
          action: 'api_token.created',
          targetType: 'api_token',
          targetId: rows[0]!.id,
          data: { scopes: request.body.scopes },
        });
        return rows[0]!;
      });
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
      await withOrg(db, auth.organizationId, async (tx) => {
        const rows = await tx.query(
          'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
          [request.params.id],
        );
        if (rows.length === 0) throw new AppError('not_found');
        await appendAudit(tx, config.secrets.auditKey, auth.organizationId, requestActor(request), {
          action: 'api_token.revoked',
          targetType: 'api_token',
          targetId: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );
}
