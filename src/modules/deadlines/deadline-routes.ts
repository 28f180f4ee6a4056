import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { authOf, withCaller, rolesGrant, type Access, type Permission } from '../access/index.js';
import { requestActor } from '../audit/index.js';
import { clockList, oneClock, warningView } from './deadline-presenter.js';
import {
  AssessmentBody,
  ClockList,
  ClockParams,
  ClockView,
  FileBody,
  ProfileView,
  WaiveBody,
  WarningParams,
  WarningQuery,
  WarningView,
} from './deadline-schemas.js';
import {
  assessIncident,
  changeDeadlineProfile,
  deadlineProfile,
  fileIncidentClock,
  incidentAssessment,
  incidentClocks,
  readClockDocument,
  readWarning,
  waiveIncidentClock,
  type Caller,
} from './deadline-service.js';
import { listUserWarnings } from './deadline-warning-repo.js';

const access = (permission: Permission): { access: Access } => ({
  access: { kind: 'permission', permission },
});
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

function may(request: FastifyRequest, permission: Permission): boolean {
  const actor = request.auth?.actor;
  if (!actor) return false;
  return actor.type === 'user'
    ? rolesGrant(actor.roles, permission)
    : (actor.scopes as readonly string[]).includes(permission);
}

/** A filing's evidence is shown only to those who may read reports. */
const seesEvidence = (request: FastifyRequest) => may(request, 'reports.read');

function callerOf(request: FastifyRequest): Caller {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}

// Evidence is served as the uploader named it only for types a browser will not run as a page.
const INLINE_SAFE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'message/rfc822']);

export async function deadlineRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = app.deps;
  const { db } = deps;

  app.get(
    '/api/incidents/:id/clocks',
    {
      config: access('incidents.read'),
      schema: { tags: ['deadlines'], params: IdParams, response: { 200: ClockList, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        clockList(await incidentClocks(tx, request.params.id), seesEvidence(request)),
      ),
  );

  app.post(
    '/api/incidents/:id/clocks/:clockId/filed',
    {
      config: access('reports.file'),
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['deadlines'],
        params: ClockParams,
        body: FileBody,
        response: { 200: ClockView, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      if (!body.reference && !body.text && !body.document) {
        throw new AppError('validation_failed', {
          where: 'body',
          problem: 'reference, text or document',
        });
      }
      const filedAt = body.filedAt ? new Date(body.filedAt) : new Date();
      // A little leeway for the filer's clock; a filing in the future is a mistake.
      if (filedAt.getTime() > Date.now() + 5 * 60_000) {
        throw new AppError('validation_failed', { where: 'body/filedAt', problem: 'in the future' });
      }
      const { id, clockId } = request.params;
      return withCaller(db, request, async (tx) => {
        const clocks = await fileIncidentClock(tx, deps, callerOf(request), id, clockId, {
          filedAt,
          reference: body.reference ?? null,
          text: body.text ?? null,
          document: body.document
            ? {
                name: body.document.name,
                contentType: body.document.contentType,
                content: Buffer.from(body.document.contentBase64, 'base64'),
              }
            : null,
        });
        return oneClock(clocks, clockId, seesEvidence(request));
      });
    },
  );

  app.post(
    '/api/incidents/:id/clocks/:clockId/not-applicable',
    {
      config: access('reports.edit'),
      schema: {
        tags: ['deadlines'],
        params: ClockParams,
        body: WaiveBody,
        response: { 200: ClockView, ...errors },
      },
    },
    async (request) => {
      const { id, clockId } = request.params;
      return withCaller(db, request, async (tx) => {
        const clocks = await waiveIncidentClock(
          tx,
          deps,
          callerOf(request),
          id,
          clockId,
          request.body.reason,
        );
        return oneClock(clocks, clockId, seesEvidence(request));
      });
    },
  );

  app.get(
    '/api/incidents/:id/clocks/:clockId/document',
    {
      config: access('reports.read'),
      schema: {
        tags: ['deadlines'],
        params: ClockParams,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors },
      },
    },
    async (request, reply) => {
      const { id, clockId } = request.params;
      const document = await withCaller(db, request, (tx) =>
        readClockDocument(tx, deps, callerOf(request), id, clockId),
      );
      return reply
        .type(INLINE_SAFE.has(document.contentType) ? document.contentType : 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(document.name)}`)
        .header('x-content-type-options', 'nosniff')
        .send(document.content);
    },
  );

  app.get(
    '/api/incidents/:id/assessment',
    {
      config: access('incidents.read'),
      schema: { tags: ['deadlines'], params: IdParams, response: { 200: AssessmentBody, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => incidentAssessment(tx, request.params.id)),
  );

  app.put(
    '/api/incidents/:id/assessment',
    {
      config: access('reports.edit'),
      schema: {
        tags: ['deadlines'],
        params: IdParams,
        body: AssessmentBody,
        response: { 200: ClockList, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        clockList(
          await assessIncident(tx, deps, callerOf(request), request.params.id, request.body),
          seesEvidence(request),
        ),
      ),
  );

  app.get(
    '/api/organization/deadline-profile',
    { config: access('incidents.read'), schema: { tags: ['deadlines'], response: { 200: ProfileView } } },
    async (request) => withCaller(db, request, (tx) => deadlineProfile(tx)),
  );

  app.put(
    '/api/organization/deadline-profile',
    {
      config: access('organization.manage'),
      schema: { tags: ['deadlines'], body: ProfileView, response: { 200: ProfileView, ...errors } },
    },
    async (request) => {
      const organizationId = authOf(request).organizationId;
      // Every open incident's clocks follow the new profile, restricted ones included.
      return withOrg(
        db,
        organizationId,
        async (tx) => {
          const profile = { ...request.body, establishedIn: request.body.establishedIn ?? [] };
          await changeDeadlineProfile(tx, deps, organizationId, requestActor(request), profile);
          return profile;
        },
        { system: true },
      );
    },
  );

  app.get(
    '/api/me/warnings',
    {
      config: { access: { kind: 'user' } },
      schema: { tags: ['deadlines'], querystring: WarningQuery, response: { 200: Type.Array(WarningView) } },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        (await listUserWarnings(tx, authOf(request).actor.id, request.query.unread === 'true')).map(
          warningView,
        ),
      ),
  );

  app.post(
    '/api/me/warnings/:id/read',
    {
      config: { access: { kind: 'user' } },
      schema: { tags: ['deadlines'], params: WarningParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, (tx) => readWarning(tx, request.params.id, authOf(request).actor.id));
      return reply.status(204).send(null);
    },
  );
}
