import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access, type Permission } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { MOMENTS, TRANSITIONS } from './incident-model.js';
import {
  findIncident,
  incidentJurisdictions,
  incidentMembers,
  momentColumn,
  type IncidentRow,
} from './incident-repo.js';
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

const iso = (d: Date | null) => d?.toISOString() ?? null;

function summaryOf(i: IncidentRow) {
  return {
    id: i.id,
    number: i.number,
    title: i.title,
    type: i.type,
    severity: i.severity,
    state: i.state,
    isExercise: i.is_exercise,
    restricted: i.restricted,
    detectedAt: iso(i.detected_at),
    createdAt: i.created_at.toISOString(),
    updatedAt: i.updated_at.toISOString(),
  };
}

async function viewOf(tx: Sql, i: IncidentRow) {
  // One after the other: a transaction is one connection, which runs one query at a time.
  const jurisdictions = await incidentJurisdictions(tx, i.id);
  const members = await incidentMembers(tx, i.id);
  return {
    ...summaryOf(i),
    summary: i.summary,
    affectedSystems: i.affected_systems,
    dataCategories: i.data_categories,
    moments: Object.fromEntries(MOMENTS.map((m) => [m, iso(i[momentColumn(m)])])),
    jurisdictions: jurisdictions.map((j) => ({
      code: j.code,
      estimatedAffected: j.estimated_affected,
      countedAffected: j.counted_affected,
    })),
    members: members.map((m) => ({ userId: m.user_id, role: m.role, displayName: m.display_name })),
    allowedTransitions: [...TRANSITIONS[i.state]],
  };
}

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
        tx.query<IncidentRow>(
          `SELECT * FROM incidents
           WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR type = $2)
             AND ($3::text IS NULL OR severity = $3) AND ($4::boolean IS NULL OR is_exercise = $4)
             AND ($5::boolean IS NULL OR (state NOT IN ('closed', 'reviewed')) = $5)
             AND ($6::text IS NULL OR title ILIKE '%' || $6 || '%' OR number::text = $6)
           ORDER BY created_at DESC LIMIT 500`,
          [
            q.state ?? null,
            q.type ?? null,
            q.severity ?? null,
            q.exercise === undefined ? null : q.exercise === 'true',
            q.open === undefined ? null : q.open === 'true',
            q.q ?? null,
          ],
        ),
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
        viewOf(tx, await declareIncident(tx, deps, caller, request.body)),
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
      withCaller(db, request, async (tx) => viewOf(tx, await mustFindIncident(tx, request.params.id))),
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
        viewOf(tx, await updateIncident(tx, deps, callerOf(request), request.params.id, request.body)),
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
        viewOf(tx, await setMoments(tx, deps, callerOf(request), request.params.id, request.body)),
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
        viewOf(tx, await setJurisdictions(tx, deps, callerOf(request), request.params.id, request.body)),
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
      withCaller(db, request, async (tx) => {
        await addMember(
          tx,
          deps,
          callerOf(request),
          request.params.id,
          request.body.userId,
          request.body.role,
        );
        return viewOf(tx, (await findIncident(tx, request.params.id))!);
      }),
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
      withCaller(db, request, async (tx) => {
        await mustFindIncident(tx, request.params.id);
        const rows = await tx.query<{
          id: string;
          occurred_at: Date;
          actor_type: string;
          actor_id: string | null;
          actor_name: string | null;
          kind: string;
          data: Record<string, unknown>;
          note: string | null;
        }>(
          `SELECT e.id, e.occurred_at, e.actor_type, e.actor_id, u.display_name AS actor_name, e.kind, e.data, e.note
           FROM incident_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 ORDER BY e.occurred_at, e.id`,
          [request.params.id],
        );
        return rows.map((r) => ({
          id: r.id,
          occurredAt: r.occurred_at.toISOString(),
          actorType: r.actor_type,
          actorId: r.actor_id,
          actorName: r.actor_name,
          kind: r.kind,
          data: r.data,
          note: r.note,
        }));
      }),
  );
}
