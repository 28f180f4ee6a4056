import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { chooseLocale } from '../../platform/i18n.js';
import { authOf, withCaller, type Access, type Permission } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { createPdfRenderer } from './report-pdf.js';
import { reportView, versionView } from './report-presenter.js';
import {
  CreateReportBody,
  ExportBody,
  PrefillBody,
  ReportSettings,
  ReportView,
  UpdateReportBody,
  VersionView,
} from './report-schemas.js';
import {
  createReport,
  findVersionDownload,
  incidentReports,
  mustFindReport,
  prefillAgain,
  prepareExport,
  reportSettings,
  reportVersions,
  storeVersion,
  updateReport,
  updateReportSettings,
  versionFilename,
  type Caller,
} from './report-service.js';

const may = (permission: Permission): { access: Access } => ({ access: { kind: 'permission', permission } });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const CONTENT_TYPES = { html: 'text/html; charset=utf-8', pdf: 'application/pdf' } as const;

function callerOf(request: FastifyRequest): Caller {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}

/** Regulator reports: drafts pre-filled from the incident, exports kept as immutable versions. */
export async function reportRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, logger } = app.deps;
  const auditKey = config.secrets.auditKey;
  const pdf = createPdfRenderer({ chromiumPath: config.chromiumPath, logger });
  app.addHook('onClose', () => pdf.close());

  app.get(
    '/api/incidents/:id/reports',
    {
      config: may('reports.read'),
      schema: { tags: ['reports'], params: IdParams, response: { 200: Type.Array(ReportView), ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const views = [];
        for (const report of await incidentReports(tx, request.params.id))
          views.push(await reportView(tx, report));
        return views;
      }),
  );

  app.post(
    '/api/incidents/:id/reports',
    {
      config: may('reports.edit'),
      schema: {
        tags: ['reports'],
        params: IdParams,
        body: CreateReportBody,
        response: { 201: ReportView, ...errors },
      },
    },
    async (request, reply) => {
      const view = await withCaller(db, request, async (tx) => {
        const auth = authOf(request);
        // The draft's language: as asked, else the editor's own, else the organization's.
        const locale =
          request.body.locale ??
          chooseLocale({ userLocale: auth.locale, organizationLocale: auth.organizationLocale });
        const report = await createReport(tx, auditKey, callerOf(request), request.params.id, {
          kind: request.body.kind,
          locale,
        });
        return reportView(tx, report);
      });
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/reports/:id',
    {
      config: may('reports.read'),
      schema: { tags: ['reports'], params: IdParams, response: { 200: ReportView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => reportView(tx, await mustFindReport(tx, request.params.id))),
  );

  app.patch(
    '/api/reports/:id',
    {
      config: may('reports.edit'),
      schema: {
        tags: ['reports'],
        params: IdParams,
        body: UpdateReportBody,
        response: { 200: ReportView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        reportView(tx, await updateReport(tx, auditKey, callerOf(request), request.params.id, request.body)),
      ),
  );

  app.post(
    '/api/reports/:id/prefill',
    {
      config: may('reports.edit'),
      schema: {
        tags: ['reports'],
        params: IdParams,
        body: PrefillBody,
        response: { 200: ReportView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        reportView(
          tx,
          await prefillAgain(tx, auditKey, callerOf(request), request.params.id, request.body.fields),
        ),
      ),
  );

  app.post(
    '/api/reports/:id/exports',
    {
      config: may('reports.edit'),
      schema: {
        tags: ['reports'],
        params: IdParams,
        body: ExportBody,
        response: { 201: VersionView, ...errors, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const { format, locale } = request.body;
      const prepared = await withCaller(db, request, (tx) => prepareExport(tx, request.params.id, locale));
      // Chromium runs outside any transaction: the embedded database serves one transaction at a time.
      const content = format === 'pdf' ? await pdf.render(prepared.html) : Buffer.from(prepared.html, 'utf8');
      const view = await withCaller(db, request, async (tx) => {
        const version = await storeVersion(tx, auditKey, callerOf(request), prepared, format, content);
        return versionView(prepared.incident.number, version);
      });
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/reports/:id/versions',
    {
      config: may('reports.read'),
      schema: { tags: ['reports'], params: IdParams, response: { 200: Type.Array(VersionView), ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { incidentNumber, versions } = await reportVersions(tx, request.params.id);
        return versions.map((v) => versionView(incidentNumber, v));
      }),
  );

  app.get(
    '/api/report-versions/:id',
    {
      config: {
        ...may('reports.read'),
        swaggerTransform: documentRaw({
          ok: {
            contentTypes: ['application/pdf', 'text/html'],
            description:
              'The exported report exactly as it was exported (its SHA-256 is in the version list).',
          },
        }),
      },
      // The document itself, as it was exported: no JSON response schema.
      schema: { tags: ['reports'], params: IdParams },
    },
    async (request, reply) => {
      const found = await withCaller(db, request, (tx) => findVersionDownload(tx, request.params.id));
      if (!found) throw new AppError('not_found');
      const { version, incident } = found;
      return reply
        .header('content-type', CONTENT_TYPES[version.format])
        .header('content-disposition', `attachment; filename="${versionFilename(incident.number, version)}"`)
        .header('repr-digest', `sha-256=:${Buffer.from(version.sha256, 'hex').toString('base64')}:`)
        .header('cache-control', 'private, no-store')
        .send(version.content);
    },
  );

  app.get(
    '/api/report-settings',
    {
      config: may('reports.read'),
      schema: { tags: ['reports'], response: { 200: ReportSettings, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => reportSettings(tx)),
  );

  app.put(
    '/api/report-settings',
    {
      config: may('reports.edit'),
      schema: { tags: ['reports'], body: ReportSettings, response: { 200: ReportSettings, ...errors } },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        updateReportSettings(tx, auditKey, callerOf(request), request.body.contactPoint),
      ),
  );
}
