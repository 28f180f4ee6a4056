import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Type, type TSchema } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { DATA_CATEGORIES, type DataCategory } from '../incidents/index.js';
import type { Caller } from './affected-recount.js';
import {
  AffectedView,
  AllBody,
  Counts,
  ExportQuery,
  FILE_LIMIT,
  FILE_TYPES,
  FileMarkView,
  FileQuery,
  IncidentParams,
  ListBody,
  ListQuery,
  MarkView,
  RemoveBody,
  SearchBody,
  SegmentBody,
  affectedView,
} from './affected-schemas.js';
import {
  affectedSearch,
  countAffected,
  exportForCaller,
  listIncidentAffected,
  markFromFile,
  markListed,
  markSegment,
  searchIncidentAffected,
  unmarkAffected,
} from './affected-service.js';
import { CustomerIdParams } from './customer-schemas.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'customers.read' } };
const manage: { access: Access } = { access: { kind: 'permission', permission: 'customers.manage' } };
const reveal: { access: Access } = { access: { kind: 'permission', permission: 'customers.reveal' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

const callerOf = (request: FastifyRequest): Caller => ({
  organizationId: authOf(request).organizationId,
  actor: requestActor(request),
});

function parseDefaultCategories(text: string | undefined): DataCategory[] {
  if (text === undefined) return [];
  const list = [...new Set(text.split(',').map((c) => c.trim()))].filter(Boolean);
  if (!list.length || list.some((c) => !(DATA_CATEGORIES as readonly string[]).includes(c))) {
    throw new AppError('validation_failed', { field: 'categories' });
  }
  return list as DataCategory[];
}

/**
 * Affected customers of an incident (marked by a list, a segment of clear fields, or everyone;
 * counted per country, region and category, the counts replacing the jurisdictions' estimates),
 * and the export of everything held about one customer. Personal fields leave only through the
 * vault's reveal route and the audited export.
 */
export async function affectedCustomerRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;
  const deps = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  // The marking file stays a stream (this plugin's own parser: other modules keep theirs).
  app.addContentTypeParser(FILE_TYPES, { bodyLimit: FILE_LIMIT }, (_request, payload, done) => {
    done(null, payload);
  });

  const markSchema = <B extends TSchema>(body: B) => ({
    tags: ['customers'],
    params: IncidentParams,
    body,
    response: { 200: MarkView, ...errors },
  });

  app.post(
    '/api/incidents/:id/affected-customers/by-list',
    { config: manage, schema: markSchema(ListBody) },
    async (request) =>
      withCaller(db, request, (tx) =>
        markListed(tx, deps, callerOf(request), request.params.id, request.body.rows),
      ),
  );

  app.post(
    '/api/incidents/:id/affected-customers/by-file',
    {
      config: {
        ...manage,
        swaggerTransform: documentRaw({
          body: {
            contentTypes: FILE_TYPES,
            description:
              'A CSV file naming the affected customers (external id, e-mail or phone), one per row.',
          },
        }),
      },
      bodyLimit: FILE_LIMIT,
      schema: {
        tags: ['customers'],
        params: IncidentParams,
        querystring: FileQuery,
        response: { 200: FileMarkView, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      if (!(body instanceof Readable)) {
        throw new AppError('bad_request', {
          problem: `send the file as the body with content-type ${FILE_TYPES.join(', ')}`,
        });
      }
      const defaults = parseDefaultCategories(request.query.categories);
      return withCaller(db, request, (tx) =>
        markFromFile(tx, deps, callerOf(request), request.params.id, body as AsyncIterable<Buffer>, defaults),
      );
    },
  );

  app.post(
    '/api/incidents/:id/affected-customers/by-segment',
    {
      config: manage,
      schema: markSchema(SegmentBody),
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        markSegment(
          tx,
          deps,
          callerOf(request),
          request.params.id,
          request.body.segment,
          request.body.categories,
          'segment',
        ),
      ),
  );

  app.post(
    '/api/incidents/:id/affected-customers/all',
    { config: manage, schema: markSchema(AllBody) },
    async (request) =>
      withCaller(db, request, (tx) =>
        markSegment(tx, deps, callerOf(request), request.params.id, {}, request.body.categories, 'all'),
      ),
  );

  app.post(
    '/api/incidents/:id/affected-customers/remove',
    {
      config: manage,
      schema: {
        tags: ['customers'],
        params: IncidentParams,
        body: RemoveBody,
        response: { 200: Type.Object({ removed: Type.Integer(), counts: Counts }), ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        unmarkAffected(tx, deps, callerOf(request), request.params.id, request.body.customerIds),
      ),
  );

  app.get(
    '/api/incidents/:id/affected-customers/counts',
    {
      config: read,
      schema: { tags: ['customers'], params: IncidentParams, response: { 200: Counts, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => countAffected(tx, request.params.id)),
  );

  app.get(
    '/api/incidents/:id/affected-customers',
    {
      config: read,
      schema: {
        tags: ['customers'],
        params: IncidentParams,
        querystring: ListQuery,
        response: { 200: Type.Array(AffectedView), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await withCaller(db, request, (tx) =>
        listIncidentAffected(tx, request.params.id, {
          limit: Number(q.limit ?? 100),
          after: q.after,
          country: q.country,
          region: q.region,
          language: q.language,
          tags: q.tag ? [q.tag] : undefined,
          category: q.category,
        }),
      );
      return rows.map(affectedView);
    },
  );

  app.post(
    '/api/incidents/:id/affected-customers/search',
    {
      config: read,
      schema: {
        tags: ['customers'],
        params: IncidentParams,
        body: SearchBody,
        response: { 200: Type.Array(AffectedView), ...errors },
      },
    },
    async (request) => {
      const by = affectedSearch(request.body);
      const rows = await withCaller(db, request, (tx) =>
        searchIncidentAffected(tx, deps, callerOf(request), request.params.id, by),
      );
      return rows.map(affectedView);
    },
  );

  app.get(
    '/api/customers/:id/export',
    {
      config: reveal,
      schema: {
        tags: ['customers'],
        params: CustomerIdParams,
        querystring: ExportQuery,
        response: { 200: Type.Unknown(), ...errors },
      },
    },
    async (request, reply) => {
      const exported = await withCaller(db, request, (tx) =>
        exportForCaller(tx, deps, callerOf(request), request.params.id, request.query.reason),
      );
      return reply
        .header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`)
        .send(exported);
    },
  );
}
