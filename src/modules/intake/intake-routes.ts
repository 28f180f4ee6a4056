import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { Alert, receiveAlert, receiveSignedAlert, rotateWebhookSecret } from './intake-service.js';
import { authOf } from '../access/index.js';

const Result = Type.Object({
  incidentId: Type.String(),
  incidentNumber: Type.Integer(),
  action: Type.Union([Type.Literal('opened'), Type.Literal('appended')]),
  duplicate: Type.Boolean(),
});
const responses = { 200: Result, 201: Result, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

/** Alerts from detection tools: by API token, or by a webhook signed with the organization's secret. */
export async function intakeRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const deps = app.deps;

  // The signature covers the exact bytes received, so this plugin keeps them.
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: 256 * 1024 },
    (request, body, done) => {
      request.rawBody = body as string;
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new AppError('bad_request', { problem: 'the body is not valid JSON' }));
      }
    },
  );

  app.post(
    '/api/intake/alerts',
    {
      config: { access: { kind: 'permission', permission: 'intake.alerts' } },
      schema: { tags: ['intake'], body: Alert, response: responses },
    },
    async (request, reply) => {
      const auth = authOf(request);
      // Alert routing is system work: an alert joins its open incident even when that one is restricted.
      const result = await withOrg(
        db,
        auth.organizationId,
        (tx) => receiveAlert(tx, deps, auth.organizationId, requestActor(request), request.body, undefined),
        { system: true },
      );
      return reply.status(result.action === 'opened' && !result.duplicate ? 201 : 200).send(result);
    },
  );

  app.post(
    '/api/intake/alerts/:organizationId',
    {
      config: { access: { kind: 'public' }, signedWebhook: true },
      schema: {
        tags: ['intake'],
        params: Type.Object({ organizationId: Type.String({ format: 'uuid' }) }),
        headers: Type.Object({
          'webhook-id': Type.Optional(Type.String({ maxLength: 200 })),
          'webhook-timestamp': Type.Optional(Type.String({ maxLength: 20 })),
          'webhook-signature': Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        body: Alert,
        response: responses,
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      const result = await withOrg(
        db,
        organizationId,
        (tx) =>
          receiveSignedAlert(
            tx,
            deps,
            organizationId,
            {
              headers: {
                id: request.headers['webhook-id'],
                timestamp: request.headers['webhook-timestamp'],
                signature: request.headers['webhook-signature'],
              },
              rawBody: request.rawBody ?? '',
              requestId: request.id,
            },
            request.body,
          ),
        { system: true },
      );
      return reply.status(result.action === 'opened' && !result.duplicate ? 201 : 200).send(result);
    },
  );

  app.post(
    '/api/organization/intake-secret',
    {
      config: { access: { kind: 'permission', permission: 'organization.manage' } },
      schema: {
        tags: ['intake'],
        response: { 201: Type.Object({ secret: Type.String(), webhookUrl: Type.String() }) },
      },
    },
    async (request, reply) => {
      const orgId = authOf(request).organizationId;
      const secret = await withOrg(db, orgId, (tx) =>
        rotateWebhookSecret(tx, deps, orgId, requestActor(request)),
      );
      return reply
        .status(201)
        .send({ secret, webhookUrl: `${config.publicUrl.origin}/api/intake/alerts/${orgId}` });
    },
  );
}
