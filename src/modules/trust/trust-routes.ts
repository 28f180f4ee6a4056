import { invalidateSites } from './public-site-routes.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import {
  IncidentParams,
  IncidentTrustView,
  PageBody,
  SiteBody,
  SiteResponse,
  UpdateBody,
  UpdateParams,
} from './trust-schemas.js';
import {
  approveTrustUpdate,
  draftUpdate,
  publishTrustUpdate,
  reviseUpdate,
  savePageTexts,
  showIncidentTrust,
  showSite,
  updateSite,
  type TrustCaller,
  type TrustDeps,
} from './trust-service.js';

const rule = (permission: Extract<Access, { kind: 'permission' }>['permission']): { access: Access } => ({
  access: { kind: 'permission', permission },
});
const read = rule('trust.read');
const write = rule('trust.write');
const approve = rule('trust.approve');
const publish = rule('trust.publish');
const settings = rule('trust.settings');
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

function callerOf(request: FastifyRequest): TrustCaller {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}

/**
 * The trust center, staff side: the site's settings, an incident's public page and its updates
 * (drafted, approved by someone who did not write them when the site requires it, published and
 * then never changed). Every change is audited, and those of an incident are on its timeline.
 */
export async function trustRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const deps: TrustDeps = { auditKey: config.secrets.auditKey };

  // A change that went through (committed before the answer leaves) renders the public pages anew
  // in this process at once; other processes renew theirs within seconds (public-site-routes.ts).
  app.addHook('onSend', async (request, reply) => {
    if (request.method !== 'GET' && reply.statusCode < 300) invalidateSites(app.deps);
  });

  app.get(
    '/api/trust/site',
    { config: read, schema: { tags: ['trust'], response: { 200: SiteResponse, ...errors } } },
    async (request) => withCaller(db, request, (tx) => showSite(tx)),
  );

  app.put(
    '/api/trust/site',
    {
      config: settings,
      schema: { tags: ['trust'], body: SiteBody, response: { 200: SiteResponse, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => updateSite(deps, tx, callerOf(request), request.body)),
  );

  app.get(
    '/api/incidents/:id/trust',
    {
      config: read,
      schema: { tags: ['trust'], params: IncidentParams, response: { 200: IncidentTrustView, ...errors } },
    },
    async (request) => withCaller(db, request, (tx) => showIncidentTrust(tx, request.params.id)),
  );

  app.put(
    '/api/incidents/:id/trust/page',
    {
      config: write,
      schema: {
        tags: ['trust'],
        params: IncidentParams,
        body: PageBody,
        response: { 200: IncidentTrustView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        savePageTexts(deps, tx, callerOf(request), request.params.id, request.body.texts),
      ),
  );

  app.post(
    '/api/incidents/:id/trust/updates',
    {
      config: write,
      schema: {
        tags: ['trust'],
        params: IncidentParams,
        body: UpdateBody,
        response: { 201: IncidentTrustView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, (tx) =>
        draftUpdate(deps, tx, callerOf(request), request.params.id, request.body),
      );
      return reply.status(201).send(result);
    },
  );

  app.put(
    '/api/trust/updates/:updateId',
    {
      config: write,
      schema: {
        tags: ['trust'],
        params: UpdateParams,
        body: UpdateBody,
        response: { 200: IncidentTrustView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        reviseUpdate(deps, tx, callerOf(request), request.params.updateId, request.body),
      ),
  );

  app.post(
    '/api/trust/updates/:updateId/approve',
    {
      config: approve,
      schema: { tags: ['trust'], params: UpdateParams, response: { 200: IncidentTrustView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        approveTrustUpdate(deps, tx, callerOf(request), request.params.updateId),
      ),
  );

  app.post(
    '/api/trust/updates/:updateId/publish',
    {
      config: publish,
      schema: { tags: ['trust'], params: UpdateParams, response: { 200: IncidentTrustView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, (tx) =>
        publishTrustUpdate(deps, tx, callerOf(request), request.params.updateId),
      ),
  );
}
