import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Type, type Static, type TSchema } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { DATA_CATEGORIES, type DataCategory, findIncident } from '../incidents/index.js';
import { readMarkFile } from './affected-file.js';
import { recountAffected } from './affected-recount.js';
import {
  affectedCounts,
  listAffected,
  markByList,
  markBySegment,
  searchAffected,
  unmarkCustomers,
  type AffectedCustomer,
  type AffectedSource,
  type MarkResult,
} from './affected-repo.js';
import { normalizeEmail, normalizePhone } from './customer-repo.js';
import { customerView } from './customer-routes.js';
import { CustomerIdParams, CustomerView, REVEAL_REASONS } from './customer-schemas.js';
import { exportCustomer } from './customer-export.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'customers.read' } };
const manage: { access: Access } = { access: { kind: 'permission', permission: 'customers.manage' } };
const reveal: { access: Access } = { access: { kind: 'permission', permission: 'customers.reveal' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

const Uuid = Type.String({ format: 'uuid' });
const Country = Type.String({ pattern: '^[A-Z]{2}$' });
const Region = Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' });
const Language = Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$', maxLength: 35 });
const Tag = Type.String({ minLength: 1, maxLength: 64 });
const Category = Type.Unsafe<DataCategory>({ type: 'string', enum: [...DATA_CATEGORIES] });
const Categories = Type.Array(Category, { minItems: 1, maxItems: DATA_CATEGORIES.length, uniqueItems: true });

const IncidentParams = Type.Object({ id: Uuid });

const ListBody = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
          categories: Categories,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

const SegmentFilter = Type.Object(
  {
    country: Type.Optional(Country),
    region: Type.Optional(Region),
    language: Type.Optional(Language),
    tags: Type.Optional(Type.Array(Tag, { minItems: 1, maxItems: 20, uniqueItems: true })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const SegmentBody = Type.Object(
  { segment: SegmentFilter, categories: Categories },
  { additionalProperties: false },
);
const AllBody = Type.Object({ categories: Categories }, { additionalProperties: false });
const RemoveBody = Type.Object(
  { customerIds: Type.Array(Uuid, { minItems: 1, maxItems: 10_000, uniqueItems: true }) },
  { additionalProperties: false },
);

const Counts = Type.Object({
  total: Type.Integer(),
  byCountry: Type.Array(
    Type.Object({ country: Type.Union([Type.String(), Type.Null()]), count: Type.Integer() }),
  ),
  byRegion: Type.Array(Type.Object({ region: Type.String(), count: Type.Integer() })),
  byCategory: Type.Array(Type.Object({ category: Type.String(), count: Type.Integer() })),
  byJurisdiction: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
});

const MarkView = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer(),
  unmatched: Type.Array(Type.Object({ position: Type.Integer(), reason: Type.String() })),
  counts: Counts,
});

const AffectedView = Type.Object({
  customer: CustomerView,
  dataCategories: Type.Array(Type.String()),
  source: Type.String(),
  addedAt: Type.String({ format: 'date-time' }),
});
type AffectedView = Static<typeof AffectedView>;

const ListQuery = Type.Object(
  {
    // A query string is text (no coercion): 1 to 500.
    limit: Type.Optional(Type.String({ pattern: '^(500|[1-4][0-9]{2}|[1-9][0-9]?)$' })),
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    country: Type.Optional(Country),
    region: Type.Optional(Region),
    language: Type.Optional(Language),
    tag: Type.Optional(Tag),
    category: Type.Optional(Category),
  },
  { additionalProperties: false },
);

const SearchBody = Type.Object(
  {
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ExportQuery = Type.Object(
  { reason: Type.Unsafe<(typeof REVEAL_REASONS)[number]>({ type: 'string', enum: [...REVEAL_REASONS] }) },
  { additionalProperties: false },
);

const FileQuery = Type.Object(
  {
    /** Categories for rows that name none, comma-separated: required for a plain list. */
    categories: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

const FileProblem = Type.Object({
  line: Type.Integer({ minimum: 1 }),
  column: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
});

const FileMarkView = Type.Object({
  read: Type.Integer({ description: 'data rows read: matched + rejected + unmatched' }),
  matched: Type.Integer(),
  rejected: Type.Integer({ description: 'rows that could not be read (bad category, no identifier, …)' }),
  unmatched: Type.Integer({ description: 'rows naming no customer of the vault' }),
  added: Type.Integer(),
  updated: Type.Integer(),
  problems: Type.Array(FileProblem, {
    description: 'every rejected and unmatched row, by line (the first 1000)',
  }),
  counts: Counts,
});

/** The largest file of identifiers accepted; it is streamed, never buffered whole. */
const FILE_LIMIT = 200 * 1024 * 1024;
const FILE_TYPES = ['text/csv', 'application/octet-stream'];

const affectedView = (a: AffectedCustomer): AffectedView => ({
  customer: customerView(a.customer),
  dataCategories: a.dataCategories,
  source: a.source,
  addedAt: a.addedAt.toISOString(),
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
  const { db, config } = app.deps;
  const deps = app.deps;
  const { keyring } = app.deps;
  const keysOf = (tx: Sql, request: FastifyRequest) => keyring.get(tx, authOf(request).organizationId);

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  // The marking file stays a stream (this plugin's own parser: other modules keep theirs).
  app.addContentTypeParser(FILE_TYPES, { bodyLimit: FILE_LIMIT }, (_request, payload, done) => {
    done(null, payload);
  });

  async function visibleIncident(tx: Sql, id: string) {
    const incident = await findIncident(tx, id);
    if (!incident) throw new AppError('not_found');
    return incident;
  }

  /** After every change: counts into the jurisdictions, a timeline event (counts only), clocks recomputed. */
  const afterChange = (
    tx: Sql,
    request: FastifyRequest,
    incidentId: string,
    kind: 'affected_customers_marked' | 'affected_customers_removed',
    details: Record<string, string | number | null>,
  ) => recountAffected(tx, deps, request, incidentId, kind, details);

  const mark = (
    request: FastifyRequest,
    incidentId: string,
    source: AffectedSource,
    run: (tx: Sql) => Promise<MarkResult>,
  ) =>
    withCaller(db, request, async (tx) => {
      await visibleIncident(tx, incidentId);
      const result = await run(tx);
      const counts = await afterChange(tx, request, incidentId, 'affected_customers_marked', {
        source,
        added: result.added,
        updated: result.updated,
        unmatched: result.unmatched.length,
      });
      return { ...result, counts };
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
      mark(request, request.params.id, 'file', async (tx) =>
        markByList(
          tx,
          await keysOf(tx, request),
          authOf(request).organizationId,
          request.params.id,
          request.body.rows,
        ),
      ),
  );

  app.post(
    '/api/incidents/:id/affected-customers/by-file',
    {
      config: manage,
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
      const incidentId = request.params.id;
      // One transaction for the whole file: a file that fails midway (an unreadable encoding, a
      // dropped connection) marks nobody. A customer named on rows in two chunks counts once as
      // added and once as updated; the counts of the incident are exact either way.
      return withCaller(db, request, async (tx) => {
        await visibleIncident(tx, incidentId);
        const keys = await keysOf(tx, request);
        const organizationId = authOf(request).organizationId;
        const result = await readMarkFile(body as AsyncIterable<Buffer>, defaults, (rows) =>
          markByList(tx, keys, organizationId, incidentId, rows),
        );
        const counts = await afterChange(tx, request, incidentId, 'affected_customers_marked', {
          source: 'file',
          added: result.added,
          updated: result.updated,
          unmatched: result.unmatched,
          rejected: result.rejected,
        });
        return { ...result, counts };
      });
    },
  );

  app.post(
    '/api/incidents/:id/affected-customers/by-segment',
    {
      config: manage,
      schema: markSchema(SegmentBody),
    },
    async (request) =>
      mark(request, request.params.id, 'segment', (tx) =>
        markBySegment(
          tx,
          authOf(request).organizationId,
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
      mark(request, request.params.id, 'all', (tx) =>
        markBySegment(
          tx,
          authOf(request).organizationId,
          request.params.id,
          {},
          request.body.categories,
          'all',
        ),
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
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const removed = await unmarkCustomers(tx, request.params.id, request.body.customerIds);
        const counts = await afterChange(tx, request, request.params.id, 'affected_customers_removed', {
          removed,
        });
        return { removed, counts };
      }),
  );

  app.get(
    '/api/incidents/:id/affected-customers/counts',
    {
      config: read,
      schema: { tags: ['customers'], params: IncidentParams, response: { 200: Counts, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        return affectedCounts(tx, request.params.id);
      }),
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
    async (request) =>
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const q = request.query;
        const rows = await listAffected(tx, request.params.id, {
          limit: Number(q.limit ?? 100),
          after: q.after,
          country: q.country,
          region: q.region,
          language: q.language,
          tags: q.tag ? [q.tag] : undefined,
          category: q.category,
        });
        return rows.map(affectedView);
      }),
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
      const b = request.body;
      const email = b.email === undefined ? undefined : normalizeEmail(b.email);
      const phone = b.phone === undefined ? undefined : normalizePhone(b.phone);
      if (b.email !== undefined && !email) throw new AppError('validation_failed', { field: 'email' });
      if (b.phone !== undefined && !phone) throw new AppError('validation_failed', { field: 'phone' });
      return withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const rows = await searchAffected(tx, await keysOf(tx, request), request.params.id, {
          externalId: b.externalId?.trim(),
          email,
          phone,
        });
        return rows.map(affectedView);
      });
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
      const exported = await withCaller(db, request, async (tx) => {
        const result = await exportCustomer(tx, await keysOf(tx, request), request.params.id);
        if (!result) throw new AppError('not_found');
        await appendAudit(
          tx,
          config.secrets.auditKey,
          authOf(request).organizationId,
          requestActor(request),
          {
            action: 'customer.exported',
            targetType: 'customer',
            targetId: request.params.id,
            data: { reason: request.query.reason, via: 'app', incidents: result.incidents.length },
          },
        );
        return result;
      });
      return reply
        .header('content-disposition', `attachment; filename="customer-${request.params.id}.json"`)
        .send(exported);
    },
  );
}
