import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg, type Sql } from '../../platform/db.js';
import { type Access, authOf } from '../access/index.js';
import { appendAudit, requestActor } from './audit-service.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'audit.read' } };

const Filters = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ format: 'uuid' })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    // A query string is text and the app's Ajv does not coerce types: digits, read as numbers below.
    before: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
    limit: Type.Optional(Type.String({ pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' })),
  },
  { additionalProperties: false },
);

function parseFilters(query: unknown): Filters {
  const { before, limit, ...rest } = query as Omit<Filters, 'before' | 'limit'> & {
    before?: string;
    limit?: string;
  };
  return {
    ...rest,
    ...(before !== undefined ? { before: Number(before) } : {}),
    ...(limit !== undefined ? { limit: Number(limit) } : {}),
  };
}
type Filters = {
  action?: string;
  actorId?: string;
  targetId?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
};

const EventView = Type.Object({
  seq: Type.Integer(),
  occurredAt: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});

interface EventRow {
  seq: number;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
  hash: string;
}

const toView = (r: EventRow) => ({
  seq: r.seq,
  occurredAt: r.occurred_at.toISOString(),
  actorType: r.actor_type,
  actorId: r.actor_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  requestId: r.request_id,
  data: r.data,
  hash: r.hash,
});

function query(tx: Sql, f: Filters, limit: number, after?: number) {
  return tx.query<EventRow>(
    `SELECT seq, occurred_at, actor_type, actor_id, action, target_type, target_id, request_id, data, hash
     FROM audit_events
     WHERE ($1::text IS NULL OR action LIKE $1 || '%')
       AND ($2::uuid IS NULL OR actor_id = $2)
       AND ($3::text IS NULL OR target_id = $3)
       AND ($4::timestamptz IS NULL OR occurred_at >= $4)
       AND ($5::timestamptz IS NULL OR occurred_at < $5)
       AND ($6::bigint IS NULL OR seq < $6)
       AND ($7::bigint IS NULL OR seq > $7)
     ORDER BY seq ${after === undefined ? 'DESC' : 'ASC'} LIMIT $8`,
    [
      f.action ?? null,
      f.actorId ?? null,
      f.targetId ?? null,
      f.from ?? null,
      f.to ?? null,
      f.before ?? null,
      after ?? null,
      limit,
    ],
  );
}

export async function auditRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;

  app.get(
    '/api/audit',
    {
      config: read,
      schema: {
        tags: ['audit'],
        querystring: Filters,
        response: {
          200: Type.Object({
            events: Type.Array(EventView),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const filters = parseFilters(request.query);
      const limit = filters.limit ?? 50;
      const rows = await withOrg(db, authOf(request).organizationId, (tx) => query(tx, filters, limit));
      return {
        events: rows.map(toView),
        nextBefore: rows.length === limit ? rows[rows.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/api/audit/export',
    { config: read, schema: { tags: ['audit'], querystring: Filters, produces: ['application/x-ndjson'] } },
    async (request, reply) => {
      const filters = parseFilters(request.query);
      const orgId = authOf(request).organizationId;
      await withOrg(db, orgId, (tx) =>
        appendAudit(tx, config.secrets.auditKey, orgId, requestActor(request), { action: 'audit.exported' }),
      );
      void reply
        .type('application/x-ndjson')
        .header('content-disposition', 'attachment; filename="candor-audit.jsonl"');
      // Page through in seq order so an export of any size streams in constant memory.
      async function* lines() {
        let after = 0;
        for (;;) {
          const rows = await withOrg(db, orgId, (tx) => query(tx, filters, 1000, after));
          for (const row of rows) yield `${JSON.stringify(toView(row))}\n`;
          if (rows.length < 1000) return;
          after = rows[rows.length - 1]!.seq;
        }
      }
      return reply.send(Readable.from(lines()));
    },
  );
}
