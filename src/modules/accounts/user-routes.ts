import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { type Access, authOf } from '../access/index.js';
import { requestActor } from '../audit/index.js';
import { Email, InvitationView, Roles, UserView } from './account-schemas.js';
import { ErrorBody, IdParams, LocaleSchema } from '../../platform/http/schemas.js';
import { invite, revokeInvitation } from './invitation-service.js';
import { listOpenInvitations } from './invitation-repo.js';
import {
  listUserViews,
  resetUserMfa,
  setStatus,
  unlockUser,
  updateUser,
  type UserAdmin,
} from './user-service.js';

const manage: { access: Access } = { access: { kind: 'permission', permission: 'organization.manage' } };
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export async function userRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, outbox } = app.deps;
  const auditKey = config.secrets.auditKey;
  const sessionKey = config.secrets.sessionKey;

  const adminOf = (request: FastifyRequest): UserAdmin => ({
    organizationId: authOf(request).organizationId,
    actor: requestActor(request),
    auditKey,
    sessionKey,
  });

  app.get(
    '/api/users',
    { config: manage, schema: { tags: ['users'], response: { 200: Type.Array(UserView) } } },
    async (request) => withOrg(db, authOf(request).organizationId, (tx) => listUserViews(tx, sessionKey)),
  );

  app.patch(
    '/api/users/:id',
    {
      config: manage,
      schema: {
        tags: ['users'],
        params: IdParams,
        body: Type.Object(
          {
            roles: Type.Optional(Roles),
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: UserView, ...errors },
      },
    },
    async (request) => {
      const admin = adminOf(request);
      return withOrg(db, admin.organizationId, (tx) =>
        updateUser(tx, admin, request.params.id, request.body),
      );
    },
  );

  const statusChange = (path: string, status: 'active' | 'deactivated', action: string) =>
    app.post(
      path,
      {
        config: manage,
        schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...errors } },
      },
      async (request) => {
        const admin = adminOf(request);
        return withOrg(db, admin.organizationId, (tx) =>
          setStatus(tx, admin, request.params.id, status, action),
        );
      },
    );
  statusChange('/api/users/:id/deactivate', 'deactivated', 'user.deactivated');
  statusChange('/api/users/:id/reactivate', 'active', 'user.reactivated');

  app.post(
    '/api/users/:id/reset-mfa',
    { config: manage, schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...errors } } },
    async (request) => {
      const admin = adminOf(request);
      return withOrg(db, admin.organizationId, (tx) => resetUserMfa(tx, admin, request.params.id));
    },
  );

  app.post(
    '/api/users/:id/unlock',
    { config: manage, schema: { tags: ['users'], params: IdParams, response: { 200: UserView, ...errors } } },
    async (request) => {
      const admin = adminOf(request);
      return withOrg(db, admin.organizationId, (tx) => unlockUser(tx, admin, request.params.id));
    },
  );

  app.get(
    '/api/invitations',
    { config: manage, schema: { tags: ['users'], response: { 200: Type.Array(InvitationView) } } },
    async (request) => {
      const rows = await withOrg(db, authOf(request).organizationId, (tx) => listOpenInvitations(tx));
      return rows.map((r) => ({
        id: r.id,
        email: r.email,
        roles: r.roles,
        expiresAt: r.expires_at.toISOString(),
        createdAt: r.created_at.toISOString(),
      }));
    },
  );

  app.post(
    '/api/invitations',
    {
      config: manage,
      schema: {
        tags: ['users'],
        body: Type.Object(
          { email: Email, roles: Roles, locale: Type.Optional(LocaleSchema) },
          { additionalProperties: false },
        ),
        response: { 201: InvitationView, ...errors },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const invitation = await withOrg(db, auth.organizationId, (tx) =>
        invite(
          tx,
          { auditKey, publicUrl: config.publicUrl, outbox },
          { organizationId: auth.organizationId, userId: auth.actor.id, actor: requestActor(request) },
          request.body,
        ),
      );
      outbox.wake();
      return reply.status(201).send(invitation);
    },
  );

  app.post(
    '/api/invitations/:id/revoke',
    {
      config: manage,
      schema: { tags: ['users'], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, (tx) =>
        revokeInvitation(tx, auditKey, auth.organizationId, requestActor(request), request.params.id),
      );
      return reply.status(204).send(null);
    },
  );
}
