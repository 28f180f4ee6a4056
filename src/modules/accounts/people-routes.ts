import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { type Access, authOf } from '../access/index.js';
import { listActivePeople } from './user-repo.js';

/** One person who may be named on an incident: never their e-mail address or account state. */
export const PersonView = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type PersonView = Static<typeof PersonView>;

const access: { access: Access } = { access: { kind: 'permission', permission: 'incidents.manage' } };

/**
 * The directory of the organization's active people, for those who choose an
 * incident's members: the admin's user list (GET /api/users) is for admins only.
 */
export async function peopleRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/api/people',
    { config: access, schema: { tags: ['users'], response: { 200: Type.Array(PersonView) } } },
    async (request) => {
      const rows = await withOrg(db, authOf(request).organizationId, (tx) => listActivePeople(tx));
      return rows.map((r) => ({ id: r.id, displayName: r.display_name, roles: r.roles }));
    },
  );
}
