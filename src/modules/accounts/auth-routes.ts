import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { ErrorBody, LocaleSchema } from '../../platform/http/schemas.js';
import { authOf } from '../access/index.js';
import { requestActor } from '../audit/index.js';
import { Email, Password, SessionInfo, SignInResult, Token } from './account-schemas.js';
import { startFollowUps } from './auth-follow-ups.js';
import {
  completePasswordReset,
  requestPasswordReset,
  sessionInfo,
  signIn,
  signOut,
  signOutEverywhere,
} from './auth-service.js';
import { acceptInvitation, describeInvitation } from './invitation-service.js';
import { clearSessionCookie } from './session-service.js';
import { completeSetup } from './setup-service.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };

export async function authRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;
  // What failed sign-ins and reset requests leave for after their responses (auth-follow-ups.ts).
  const stopFollowUps = startFollowUps(app.deps);
  app.addHook('onClose', stopFollowUps);

  app.get(
    '/api/auth/session',
    { config: { access: { kind: 'public' } }, schema: { tags: ['auth'], response: { 200: SessionInfo } } },
    async (request) => sessionInfo(db, request.auth),
  );

  app.post(
    '/api/setup',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          {
            token: Token,
            organizationName: Type.String({ minLength: 1, maxLength: 200 }),
            email: Email,
            displayName: Type.String({ minLength: 1, maxLength: 200 }),
            password: Password,
            locale: LocaleSchema,
            /** IANA zone; the setup page sends the browser's. UTC when absent. */
            timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => completeSetup(app, request, reply, request.body),
  );

  app.post(
    '/api/auth/sign-in',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => signIn(app, request, reply, request.body),
  );

  app.post(
    '/api/auth/sign-out',
    { config: { access: { kind: 'session' } }, schema: { tags: ['auth'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, (tx) =>
        signOut(tx, auditKey, auth.organizationId, auth.session!.id, requestActor(request)),
      );
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/sign-out-everywhere',
    { config: { access: { kind: 'session' } }, schema: { tags: ['auth'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, (tx) =>
        signOutEverywhere(tx, auditKey, auth.organizationId, auth.actor.id, requestActor(request)),
      );
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/password-reset',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ email: Email }, { additionalProperties: false }),
        response: { 202: Type.Object({ status: Type.Literal('accepted') }), ...errors },
      },
    },
    async (request, reply) => {
      // The same answer whether or not the address has an account.
      await requestPasswordReset(app, request, request.body.email);
      return reply.status(202).send({ status: 'accepted' });
    },
  );

  app.post(
    '/api/auth/password-reset/complete',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await completePasswordReset(app, request, request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/invitation',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            organizationName: Type.String(),
            email: Type.String(),
            roles: Type.Array(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (request) => describeInvitation(db, request.body.token),
  );

  app.post(
    '/api/auth/invitation/accept',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          {
            token: Token,
            displayName: Type.String({ minLength: 1, maxLength: 200 }),
            password: Password,
            locale: LocaleSchema,
          },
          { additionalProperties: false },
        ),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => acceptInvitation(app, request, reply, request.body),
  );
}
