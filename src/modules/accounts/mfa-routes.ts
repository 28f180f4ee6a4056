import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { authOf, type Auth } from '../access/index.js';
import { requestActor } from '../audit/index.js';
import { SignInResult } from './account-schemas.js';
import {
  confirmTotp,
  mfaKeys,
  regenerateRecoveryCodes,
  signInWithRecoveryCode,
  signInWithTotp,
  startTotpEnrollment,
} from './mfa-service.js';
import { listPasskeys } from './passkey-repo.js';
import {
  CHALLENGE_SECONDS,
  registerPasskey,
  registrationOptions,
  removePasskey,
  signInOptions,
  signInWithPasskey,
} from './passkey-service.js';
import { assertReauthenticated, reauthenticate } from './reauth-service.js';

const CHALLENGE_COOKIE = 'candor_webauthn';
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };
const AnyJson = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

export async function mfaRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const keys = mfaKeys(config.secrets.masterKey);
  const auditKey = config.secrets.auditKey;

  /** Factor changes need a recent proof of the user (reauth-service.ts). */
  const recentlyProved = (auth: Auth) =>
    withOrg(db, auth.organizationId, (tx) => assertReauthenticated(tx, auth));

  function pendingMfa(request: FastifyRequest) {
    const auth = authOf(request);
    if (auth.session?.state !== 'mfa') throw new AppError('bad_request');
    return auth;
  }

  app.post(
    '/api/auth/mfa/totp',
    {
      config: { access: { kind: 'session' } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          { code: Type.String({ minLength: 6, maxLength: 12 }) },
          { additionalProperties: false },
        ),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) =>
      signInWithTotp(app, keys, request, reply, pendingMfa(request), request.body.code),
  );

  app.post(
    '/api/auth/mfa/recovery',
    {
      config: { access: { kind: 'session' } },
      schema: {
        tags: ['auth'],
        body: Type.Object(
          { code: Type.String({ minLength: 10, maxLength: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) =>
      signInWithRecoveryCode(app, keys, request, reply, pendingMfa(request), request.body.code),
  );

  app.post(
    '/api/me/reauthenticate',
    {
      config: { access: { kind: 'user' } },
      schema: {
        tags: ['mfa'],
        description:
          'Proves the signed-in user again, by their password or a TOTP code: changing a second factor ' +
          'within the next five minutes needs no other proof.',
        body: Type.Object(
          {
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
            totpCode: Type.Optional(Type.String({ minLength: 6, maxLength: 12 })),
          },
          { additionalProperties: false, minProperties: 1, maxProperties: 1 },
        ),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await reauthenticate(app, keys, authOf(request), requestActor(request), request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/me/mfa/totp/start',
    {
      config: { access: { kind: 'enrolled' } },
      schema: {
        tags: ['mfa'],
        response: {
          200: Type.Object({ secret: Type.String(), uri: Type.String(), qrDataUrl: Type.String() }),
          ...errors,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await recentlyProved(auth);
      return withOrg(db, auth.organizationId, (tx) => startTotpEnrollment(tx, keys, auth.actor.id));
    },
  );

  app.post(
    '/api/me/mfa/totp/confirm',
    {
      config: { access: { kind: 'enrolled' } },
      schema: {
        tags: ['mfa'],
        body: Type.Object(
          { code: Type.String({ minLength: 6, maxLength: 12 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ recoveryCodes: Type.Array(Type.String()), csrfToken: Type.String() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await recentlyProved(auth);
      return confirmTotp(app, keys, request, reply, auth, requestActor(request), request.body.code);
    },
  );

  app.post(
    '/api/me/mfa/recovery-codes',
    {
      config: { access: { kind: 'user' } },
      schema: {
        tags: ['mfa'],
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request) => {
      const auth = authOf(request);
      await recentlyProved(auth);
      return withOrg(db, auth.organizationId, (tx) =>
        regenerateRecoveryCodes(tx, auditKey, keys, auth, requestActor(request)),
      );
    },
  );

  app.post(
    '/api/me/passkeys/options',
    {
      config: { access: { kind: 'enrolled' } },
      schema: { tags: ['mfa'], response: { 200: AnyJson, ...errors } },
    },
    async (request) => {
      const auth = authOf(request);
      await recentlyProved(auth);
      return withOrg(db, auth.organizationId, (tx) => registrationOptions(tx, config, auth));
    },
  );

  app.post(
    '/api/me/passkeys',
    {
      config: { access: { kind: 'enrolled' } },
      schema: {
        tags: ['mfa'],
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), response: AnyJson },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ id: Type.String(), csrfToken: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await recentlyProved(auth);
      return withOrg(db, auth.organizationId, (tx) =>
        registerPasskey(app, tx, request, reply, auth, requestActor(request), request.body),
      );
    },
  );

  app.get(
    '/api/me/passkeys',
    {
      config: { access: { kind: 'user' } },
      schema: {
        tags: ['mfa'],
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              name: Type.String(),
              createdAt: Type.String({ format: 'date-time' }),
              lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
          ),
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const rows = await withOrg(db, auth.organizationId, (tx) => listPasskeys(tx, auth.actor.id));
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        createdAt: r.created_at.toISOString(),
        lastUsedAt: r.last_used_at?.toISOString() ?? null,
      }));
    },
  );

  app.delete(
    '/api/me/passkeys/:id',
    {
      config: { access: { kind: 'user' } },
      schema: { tags: ['mfa'], params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await recentlyProved(auth);
      await withOrg(db, auth.organizationId, (tx) =>
        removePasskey(tx, auditKey, auth, requestActor(request), request.params.id),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/passkey/options',
    { config: { access: { kind: 'public' } }, schema: { tags: ['auth'], response: { 200: AnyJson } } },
    async (_request, reply) => {
      const { options, cookie } = await signInOptions(config);
      void reply.setCookie(CHALLENGE_COOKIE, cookie, {
        path: '/api/auth/passkey',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.publicUrl.protocol === 'https:' || config.publicUrl.hostname === 'localhost',
        maxAge: CHALLENGE_SECONDS,
      });
      return options;
    },
  );

  app.post(
    '/api/auth/passkey/verify',
    {
      config: { access: { kind: 'public' } },
      schema: {
        tags: ['auth'],
        body: Type.Object({ response: AnyJson }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors },
      },
    },
    async (request, reply) => {
      const cookie = request.cookies[CHALLENGE_COOKIE];
      void reply.clearCookie(CHALLENGE_COOKIE, { path: '/api/auth/passkey' });
      return signInWithPasskey(app, request, reply, cookie, request.body.response);
    },
  );
}
