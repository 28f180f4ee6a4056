import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { type Access, authOf } from '../access/index.js';
import {
  exportAuditEvents,
  listAuditEvents,
  requestActor,
  type AuditFilters,
  type EventRow,
} from './audit-service.js';

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

function parseFilters(query: unknown): AuditFilters {
  const { before, limit, ...rest } = query as Omit<AuditFilters, 'before' | 'limit'> & {
    before?: string;
    limit?: string;
  };
  return {
    ...rest,
    ...(before !== undefined ? { before: Number(before) } : {}),
    ...(limit !== undefined ? { limit: Number(limit) } : {}),
  };
}

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
      const rows = await listAuditEvents(db, authOf(request).organizationId, filters, limit);
      return {
        events: rows.map(toView),
        nextBefore: rows.length === limit ? rows[rows.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/api/audit/export',
    {
      config: {
        ...read,
        swaggerTransform: documentRaw({
          ok: {
            contentTypes: ['application/x-ndjson'],
            description: 'The matching audit events, one JSON object per line.',
          },
        }),
      },
      schema: { tags: ['audit'], querystring: Filters, produces: ['application/x-ndjson'] },
    },
    async (request, reply) => {
      const filters = parseFilters(request.query);
      const events = await exportAuditEvents(
        db,
        config.secrets.auditKey,
        authOf(request).organizationId,
        requestActor(request),
        filters,
      );
      void reply
        .type('application/x-ndjson')
        .header('content-disposition', 'attachment; filename="candor-audit.jsonl"');
      async function* lines() {
        for await (const row of events) yield `${JSON.stringify(toView(row))}\n`;
      }
      return reply.send(Readable.from(lines()));
    },
  );
}
