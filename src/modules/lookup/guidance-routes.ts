import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import type { GuidanceContent } from './guidance-repo.js';
import {
  approveGuidance,
  editGuidance,
  publishLookupPage,
  showGuidance,
  unpublishLookupPage,
  type GuidanceCaller,
  type GuidanceDeps,
} from './guidance-service.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'incidents.read' } };
const draft: { access: Access } = { access: { kind: 'permission', permission: 'guidance.draft' } };
const approve: { access: Access } = { access: { kind: 'permission', permission: 'guidance.approve' } };
const publish: { access: Access } = { access: { kind: 'permission', permission: 'lookup.publish' } };
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const Uuid = Type.String({ format: 'uuid' });
const IncidentParams = Type.Object({ id: Uuid });
const VersionParams = Type.Object({ id: Uuid, version: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }) });

const Part = Type.String({ maxLength: 5000 });
const Parts = Type.Object({ happened: Part, done: Part, advice: Part }, { additionalProperties: false });
export const GuidanceContentSchema = Type.Object(
  { en: Parts, cs: Parts, ar: Parts },
  { additionalProperties: false },
);

const VersionView = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  content: GuidanceContentSchema,
  authorId: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  approvedBy: Type.Union([Uuid, Type.Null()]),
  approvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Languages whose three parts are all written. */
  complete: Type.Array(Type.String()),
});

const PageView = Type.Object({
  publicId: Type.String(),
  url: Type.String(),
  published: Type.Boolean(),
  version: Type.Union([Type.Integer(), Type.Null()]),
  supportUrl: Type.Union([Type.String(), Type.Null()]),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const GuidanceView = Type.Object({
  versions: Type.Array(VersionView),
  page: Type.Union([PageView, Type.Null()]),
});

const PublishBody = Type.Object(
  {
    supportUrl: Type.Optional(
      Type.Union([Type.String({ pattern: '^(https://|mailto:)\\S+$', maxLength: 500 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

function callerOf(request: FastifyRequest): GuidanceCaller {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}

/**
 * An incident's public guidance (versions in en, cs and ar; approval of one version by a legal
 * user who did not write it) and its "Was I affected?" page (published by a legal user with the
 * approved version). Every change is on the incident's timeline and in the audit log.
 */
export async function guidanceRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const deps: GuidanceDeps = { auditKey: config.secrets.auditKey, publicUrl: config.publicUrl };

  app.get(
    '/api/incidents/:id/guidance',
    {
      config: read,
      schema: { tags: ['lookup'], params: IncidentParams, response: { 200: GuidanceView, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => showGuidance(deps, tx, request.params.id)),
  );

  app.put(
    '/api/incidents/:id/guidance',
    {
      config: draft,
      schema: {
        tags: ['lookup'],
        params: IncidentParams,
        body: GuidanceContentSchema,
        response: { 201: GuidanceView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, (tx) =>
        editGuidance(deps, tx, callerOf(request), request.params.id, request.body as GuidanceContent),
      );
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/api/incidents/:id/guidance/versions/:version/approve',
    {
      config: approve,
      schema: { tags: ['lookup'], params: VersionParams, response: { 200: GuidanceView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        approveGuidance(deps, tx, callerOf(request), request.params.id, Number(request.params.version)),
      ),
  );

  app.post(
    '/api/incidents/:id/lookup-page/publish',
    {
      config: publish,
      schema: {
        tags: ['lookup'],
        params: IncidentParams,
        body: PublishBody,
        response: { 200: GuidanceView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        publishLookupPage(deps, tx, callerOf(request), request.params.id, request.body.supportUrl ?? null),
      ),
  );

  app.post(
    '/api/incidents/:id/lookup-page/unpublish',
    {
      config: publish,
      schema: { tags: ['lookup'], params: IncidentParams, response: { 200: GuidanceView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, (tx) => unpublishLookupPage(deps, tx, callerOf(request), request.params.id)),
  );
}
