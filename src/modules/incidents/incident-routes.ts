import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access, type Permission } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { summaryOf, timelineEventOf, viewOf } from './incident-presenter.js';
import { listIncidents } from './incident-repo.js';
import {
  DeclareBody,
  IncidentRoleSchema,
  IncidentSummary,
  IncidentView,
  JurisdictionInput,
  ListQuery,
  MemberInput,
  Moments,
  StateSchema,
  TimelineEvent,
  UpdateBody,
} from './incident-schemas.js';
import {
  addMember,
  addNote,
  declareIncident,
  detailOf,
  incidentTimeline,
  mustFindIncident,
  removeMember,
  setJurisdictions,
  setMoments,
  transitionIncident,
  updateIncident,
} from './incident-service.js';

const may = (permission: Permission): { access: Access } => ({ access: { kind: 'permission', permission } });
const IncidentParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

function callerOf(request: FastifyRequest) {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}

export async function incidentRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;
  const deps = app.deps;

  app.get(
    '/api/incidents',
    {
      config: may('incidents.read'),
      schema: {
        tags: ['incidents'],
        querystring: ListQuery,
        response: { 200: Type.Array(IncidentSummary), 400: ErrorBody },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await withCaller(db, request, (tx) =>
        listIncidents(tx, {
          state: q.state ?? null,
          type: q.type ?? null,
          severity: q.severity ?? null,
          exercise: q.exercise === undefined ? null : q.exercise === 'true',
          open: q.open === undefined ? null : q.open === 'true',
          q: q.q ?? null,
        }),
      );
      return rows.map(summaryOf);
    },
  );

  app.post(
    '/api/incidents',
    {
      config: may('incidents.manage'),
      schema: { tags: ['incidents'], body: DeclareBody, response: { 201: IncidentView, ...errors } },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      if (request.body.restricted && !caller.userId) {
        throw new AppError('validation_failed', {
          where: 'body/restricted',
          problem: 'needs a signed-in user',
        });
      }
      const view = await withCaller(db, request, async (tx) =>
        viewOf(await detailOf(tx, await declareIncident(tx, deps, caller, request.body))),
      );
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/incidents/:id',
    {
      config: may('incidents.read'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        response: { 200: IncidentView, 404: ErrorBody },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        viewOf(await detailOf(tx, await mustFindIncident(tx, request.params.id))),
      ),
  );

  app.patch(
    '/api/incidents/:id',
    {
      config: may('incidents.manage'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        body: UpdateBody,
        response: { 200: IncidentView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        viewOf(
          await detailOf(
            tx,
            await updateIncident(tx, deps, callerOf(request), request.params.id, request.body),
          ),
        ),
      ),
  );

  app.put(
    '/api/incidents/:id/moments',
    {
      config: may('incidents.manage'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        body: Moments,
        response: { 200: IncidentView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        viewOf(
          await detailOf(tx, await setMoments(tx, deps, callerOf(request), request.params.id, request.body)),
        ),
      ),
  );

  app.put(
    '/api/incidents/:id/jurisdictions',
    {
      config: may('incidents.manage'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        body: Type.Array(JurisdictionInput, { maxItems: 300 }),
        response: { 200: IncidentView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        viewOf(
          await detailOf(
            tx,
            await setJurisdictions(tx, deps, callerOf(request), request.params.id, request.body),
          ),
        ),
      ),
  );

  app.post(
    '/api/incidents/:id/transition',
    {
      config: may('incidents.manage'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        body: Type.Object(
          { to: StateSchema, note: Type.Optional(Type.String({ maxLength: 20000 })) },
          { additionalProperties: false },
        ),
        response: { 200: IncidentView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        viewOf(
          await detailOf(
            tx,
            await transitionIncident(
              tx,
              deps,
              callerOf(request),
              request.params.id,
              request.body.to,
              request.body.note,
            ),
          ),
        ),
      ),
  );

  app.post(
    '/api/incidents/:id/members',
    {
      config: may('incidents.manage'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        body: MemberInput,
        response: { 200: IncidentView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        viewOf(
          await detailOf(
            tx,
            await addMember(
              tx,
              deps,
              callerOf(request),
              request.params.id,
              request.body.userId,
              request.body.role,
            ),
          ),
        ),
      ),
  );

  app.delete(
    '/api/incidents/:id/members/:userId/:role',
    {
      config: may('incidents.manage'),
      schema: {
        tags: ['incidents'],
        params: Type.Object({
          id: Type.String({ format: 'uuid' }),
          userId: Type.String({ format: 'uuid' }),
          role: IncidentRoleSchema,
        }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { id, userId, role } = request.params;
      // No view in the answer: removing oneself from a restricted incident hides it at once.
      await withCaller(db, request, (tx) => removeMember(tx, deps, callerOf(request), id, userId, role));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/incidents/:id/notes',
    {
      config: may('tasks.work'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        body: Type.Object(
          { note: Type.String({ minLength: 1, maxLength: 20000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const id = await withCaller(db, request, (tx) =>
        addNote(tx, deps, callerOf(request), request.params.id, request.body.note),
      );
      return reply.status(201).send({ id });
    },
  );

  app.get(
    '/api/incidents/:id/timeline',
    {
      config: may('incidents.read'),
      schema: {
        tags: ['incidents'],
        params: IncidentParams,
        response: { 200: Type.Array(TimelineEvent), 404: ErrorBody },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) =>
        (await incidentTimeline(tx, request.params.id)).map(timelineEventOf),
      ),
  );
}
