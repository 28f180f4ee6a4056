import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { chooseLocale } from '../../platform/i18n.js';
import { authOf, withCaller, type Access, type Permission } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { findIncident, mustFindIncident } from '../incidents/index.js';
import { LAYOUTS } from './report-model.js';
import { createPdfRenderer } from './report-pdf.js';
import { fieldsForKind } from './report-prefill.js';
import {
  findVersion,
  organizationForReports,
  reportsOfIncident,
  setReportContactPoint,
  versionsOf,
  type ReportRow,
  type VersionRow,
} from './report-repo.js';
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
  mustFindReport,
  prefillAgain,
  prepareExport,
  storeVersion,
  updateReport,
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

async function reportView(tx: Sql, report: ReportRow) {
  const incident = await mustFindIncident(tx, report.incident_id);
  return {
    id: report.id,
    incidentId: report.incident_id,
    kind: report.kind,
    locale: report.locale,
    revision: report.revision,
    isExercise: incident.is_exercise,
    sections: LAYOUTS[report.kind].map((s) => ({ id: s.id, fields: [...s.fields] })),
    fields: fieldsForKind(report.kind, report.fields),
    createdAt: report.created_at.toISOString(),
    updatedAt: report.updated_at.toISOString(),
  };
}

function versionView(incidentNumber: number, v: VersionRow) {
  return {
    id: v.id,
    reportId: v.report_id,
    incidentId: v.incident_id,
    number: v.number,
    kind: v.kind,
    format: v.format,
    locale: v.locale,
    isExercise: v.is_exercise,
    reportRevision: v.report_revision,
    sha256: v.sha256,
    size: v.size,
    filename: versionFilename(incidentNumber, v),
    createdBy: v.created_by,
    createdAt: v.created_at.toISOString(),
  };
}

async function incidentNumber(tx: Sql, incidentId: string): Promise<number> {
  return (await mustFindIncident(tx, incidentId)).number;
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
        const incident = await mustFindIncident(tx, request.params.id);
        const views = [];
        for (const report of await reportsOfIncident(tx, incident.id))
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
        const report = await mustFindReport(tx, request.params.id);
        const number = await incidentNumber(tx, report.incident_id);
        return (await versionsOf(tx, report.id)).map((v) => versionView(number, v));
      }),
  );

  app.get(
    '/api/report-versions/:id',
    {
      config: may('reports.read'),
      // The document itself, as it was exported: no JSON response schema.
      schema: { tags: ['reports'], params: IdParams },
    },
    async (request, reply) => {
      const found = await withCaller(db, request, async (tx) => {
        const version = await findVersion(tx, request.params.id);
        const incident = version && (await findIncident(tx, version.incident_id));
        return version && incident ? { version, incident } : undefined;
      });
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
    async (request) =>
      withCaller(db, request, async (tx) => ({
        contactPoint: (await organizationForReports(tx)).contactPoint,
      })),
  );

  app.put(
    '/api/report-settings',
    {
      config: may('reports.edit'),
      schema: { tags: ['reports'], body: ReportSettings, response: { 200: ReportSettings, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const caller = callerOf(request);
        await setReportContactPoint(tx, request.body.contactPoint);
        await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
          action: 'report.settings_updated',
          targetType: 'organization',
          targetId: caller.organizationId,
        });
        return { contactPoint: request.body.contactPoint };
      }),
  );
}
