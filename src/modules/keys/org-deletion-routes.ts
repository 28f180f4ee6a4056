import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Password } from '../accounts/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { deleteOwnOrganization } from './org-deletion.js';
import { authOf } from '../access/index.js';

const Receipt = Type.Object({
  organizationId: Type.String(),
  deletedAt: Type.String(),
  keysDestroyed: Type.Integer(),
  rows: Type.Record(Type.String(), Type.Integer()),
});

/**
 * DELETE /api/organization: an admin deletes their own organization (crypto-shredding, as
 * `candor org delete`), after typing its name again and re-entering their password. The answer
 * is the deletion receipt, also logged: the organization's audit chain goes with it.
 */
export async function organizationDeletionRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.delete(
    '/api/organization',
    {
      config: { access: { kind: 'permission', permission: 'organization.manage' } },
      schema: {
        tags: ['organization'],
        body: Type.Object(
          {
            password: Password,
            /** The organization's name, typed again. */
            confirm: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Receipt, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const receipt = await deleteOwnOrganization(
        db,
        { organizationId: auth.organizationId, actorId: auth.actor.id },
        request.body,
      );
      request.log.info({ receipt, by: auth.actor.id }, 'organization deleted');
      void reply.header('cache-control', 'no-store');
      return receipt;
    },
  );
}
