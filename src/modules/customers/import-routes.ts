import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { Type, type Static } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import {
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  type ImportDelimiter,
  type ImportEncoding,
} from './customer-model.js';
import { findImport, listMappings } from './import-repo.js';
import { downloadErrorReport, importUpload, listImports, uploadMapping } from './import-service.js';
import type { ImportMapping, ImportSummary } from './import-types.js';

const manage: { access: Access } = { access: { kind: 'permission', permission: 'customers.manage' } };
const reveal: { access: Access } = { access: { kind: 'permission', permission: 'customers.reveal' } };
const errors = { 400: ErrorBody, 404: ErrorBody };

/** The largest upload accepted: the body is streamed, never buffered. */
const UPLOAD_LIMIT = 1024 * 1024 * 1024;
const STREAMED_TYPES = ['text/csv', 'application/x-ndjson', 'application/octet-stream'];

const Count = Type.Integer({ minimum: 0 });
export const ImportView = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]),
  encoding: Type.Union([Type.String(), Type.Null()]),
  delimiter: Type.Union([Type.String(), Type.Null()]),
  read: Count,
  inserted: Count,
  updated: Count,
  unchanged: Count,
  rejected: Count,
  byteOffset: Count,
  batches: Count,
  failure: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

/** The one import response that holds personal data: the raw lines of rejected rows. */
export const ImportErrorReport = Type.Object({
  importId: Type.String(),
  errors: Type.Array(
    Type.Object({
      line: Type.Integer({ minimum: 1 }),
      column: Type.Union([Type.String(), Type.Null()]),
      reason: Type.String(),
      raw: Type.String({ description: 'the raw line as read from the file: personal data' }),
      firstLine: Type.Optional(
        Type.Integer({
          minimum: 1,
          description: 'for a duplicate external id: the line that brought it first',
        }),
      ),
    }),
  ),
});

const ImportQuery = Type.Object({
  format: Type.Optional(Type.String({ maxLength: 20 })),
  delimiter: Type.Optional(Type.String({ maxLength: 10 })),
  encoding: Type.Optional(Type.String({ maxLength: 40 })),
  defaultCountry: Type.Optional(Type.String({ maxLength: 10 })),
  mapping: Type.Optional(Type.String({ maxLength: 100 })),
  columns: Type.Optional(Type.String({ maxLength: 10_000 })),
  saveMapping: Type.Optional(Type.String({ maxLength: 100 })),
  /** The import's id, chosen by the client so that it can follow the progress while it uploads. */
  id: Type.Optional(Type.String({ maxLength: 100 })),
});
type ImportQuery = Static<typeof ImportQuery>;

const ImportIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ImportListQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$' })) },
  { additionalProperties: false },
);
const MappingView = Type.Object({
  name: Type.String(),
  mapping: Type.Record(Type.String(), Type.String()),
  updatedAt: Type.String(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (field: string) => new AppError('validation_failed', { field });

export const importView = (s: ImportSummary) => ({
  ...s,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  finishedAt: s.finishedAt ? s.finishedAt.toISOString() : null,
});

function parseColumns(text: string): ImportMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('columns');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('columns');
  const mapping: ImportMapping = {};
  for (const [field, column] of Object.entries(parsed)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(field)) throw invalid('columns');
    // '' is a field the user chose not to read (the page sends every field it shows).
    if (typeof column !== 'string' || column.length > 200) throw invalid('columns');
    mapping[field as keyof ImportMapping] = column;
  }
  return mapping;
}

/** The query string's options, checked one by one: a bad one is named in the 400. */
export function importOptions(query: ImportQuery, contentType: string | undefined) {
  const format = query.format ?? (contentType?.startsWith('application/x-ndjson') ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl') throw invalid('format');
  let delimiter: ImportDelimiter | undefined;
  if (query.delimiter !== undefined) {
    const d = query.delimiter === 'tab' ? '\t' : query.delimiter;
    if (!(IMPORT_DELIMITERS as readonly string[]).includes(d)) throw invalid('delimiter');
    delimiter = d as ImportDelimiter;
  }
  let encoding: ImportEncoding | undefined;
  if (query.encoding !== undefined) {
    const e = query.encoding.toLowerCase();
    const name =
      e === 'utf8' ? 'utf-8' : e === 'cp1250' ? 'windows-1250' : e === 'cp1256' ? 'windows-1256' : e;
    if (!(IMPORT_ENCODINGS as readonly string[]).includes(name)) throw invalid('encoding');
    encoding = name as ImportEncoding;
  }
  let defaultCountry: string | undefined;
  if (query.defaultCountry !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(query.defaultCountry)) throw invalid('defaultCountry');
    defaultCountry = query.defaultCountry.toUpperCase();
  }
  const columns = query.columns !== undefined ? parseColumns(query.columns) : undefined;
  if (query.id !== undefined && !UUID.test(query.id)) throw invalid('id');
  const id = query.id?.toLowerCase();
  const validName = (name: string) => name.trim().length > 0 && name.length <= 100;
  if (query.mapping !== undefined && !validName(query.mapping)) throw invalid('mapping');
  if (query.saveMapping !== undefined && (!validName(query.saveMapping) || !columns)) {
    throw invalid('saveMapping');
  }
  return { format, delimiter, encoding, defaultCountry, columns, id } as const;
}

/**
 * Customer imports: the file is the request body, streamed row by row into the vault. Progress
 * and counts are open to those who import; the error report holds raw lines (personal data),
 * so it is for the roles that may reveal, and every download is audited.
 */
export async function importRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;
  const { keyring } = app.deps;

  // The body stays a stream: an upload of any size is read in constant memory.
  app.addContentTypeParser(STREAMED_TYPES, { bodyLimit: UPLOAD_LIMIT }, (_request, payload, done) => {
    done(null, payload);
  });

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  app.post(
    '/api/imports',
    {
      config: {
        ...manage,
        swaggerTransform: documentRaw({
          body: {
            contentTypes: STREAMED_TYPES,
            description:
              'The customer file, streamed: CSV (any common delimiter and encoding) or JSON Lines, mapped by the query.',
          },
        }),
      },
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: ['customers'],
        querystring: ImportQuery,
        response: { 201: ImportView, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!(body instanceof Readable)) {
        throw new AppError('bad_request', {
          problem: `send the file as the body with content-type ${STREAMED_TYPES.join(', ')}`,
        });
      }
      const options = importOptions(request.query, request.headers['content-type']);
      const auth = authOf(request);
      const mapping = await withCaller(db, request, (tx) =>
        uploadMapping(tx, auth.organizationId, {
          columns: options.columns,
          saveAs: request.query.saveMapping?.trim(),
          name: request.query.mapping?.trim(),
        }),
      );
      const summary = await importUpload(
        { db, keyring, auditKey },
        {
          organizationId: auth.organizationId,
          actor: requestActor(request),
          userId: auth.actor.type === 'user' ? auth.actor.id : null,
        },
        body as AsyncIterable<Buffer>,
        { ...options, mapping },
      );
      return reply.status(201).send(importView(summary));
    },
  );

  app.get(
    '/api/imports',
    {
      config: manage,
      schema: {
        tags: ['customers'],
        querystring: ImportListQuery,
        response: { 200: Type.Array(ImportView) },
      },
    },
    async (request) => {
      const found = await withCaller(db, request, (tx) => listImports(tx, Number(request.query.limit ?? 20)));
      return found.map(importView);
    },
  );

  app.get(
    '/api/import-mappings',
    {
      config: manage,
      schema: { tags: ['customers'], response: { 200: Type.Array(MappingView) } },
    },
    async (request) => {
      const rows = await withCaller(db, request, (tx) => listMappings(tx));
      return rows.map((r) => ({ name: r.name, mapping: r.mapping, updatedAt: r.updated_at.toISOString() }));
    },
  );

  app.get(
    '/api/imports/:id',
    {
      config: manage,
      schema: { tags: ['customers'], params: ImportIdParams, response: { 200: ImportView, ...errors } },
    },
    async (request) => {
      const summary = await withCaller(db, request, (tx) => findImport(tx, request.params.id));
      if (!summary) throw new AppError('not_found');
      return importView(summary);
    },
  );

  app.get(
    '/api/imports/:id/errors',
    {
      config: reveal,
      schema: {
        tags: ['customers'],
        params: ImportIdParams,
        response: { 200: ImportErrorReport, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const report = await downloadErrorReport(
          tx,
          { keyring, auditKey },
          { organizationId: authOf(request).organizationId, actor: requestActor(request) },
          request.params.id,
        );
        if (!report) throw new AppError('not_found');
        return report;
      }),
  );
}
