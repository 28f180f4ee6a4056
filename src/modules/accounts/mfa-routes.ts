import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { hmac, safeEqual } from '../../platform/crypto.js';
import { asApp, withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { SignInResult } from './account-schemas.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import {
  acceptedStep,
  decryptTotp,
  hashRecoveryCode,
  mfaKeys,
  newRecoveryCodes,
  startTotpEnrollment,
} from './mfa-service.js';
import { startSession } from './session-service.js';
import { assertNotThrottled, clearThrottle, recordFailure, throttleKey } from './throttle.js';
import { findUser, type UserRow } from './user-repo.js';
import { authOf } from '../access/index.js';

const CHALLENGE_COOKIE = 'candor_webauthn';
const CHALLENGE_SECONDS = 300;
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody };
const AnyJson = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

export async function mfaRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const keys = mfaKeys(config.secrets.masterKey);
  const auditKey = config.secrets.auditKey;
  const rpID = config.publicUrl.hostname;
  const origin = config.publicUrl.origin;

  /** Second factor accepted: a new session token in the active state. */
  async function completeSignIn(
    tx: Sql,
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserRow,
    method: string,
  ) {
    const session = await startSession(
      app,
      tx,
      request,
      reply,
      { organizationId: user.organization_id, id: user.id },
      'active',
    );
    await tx.query('UPDATE users SET last_sign_in_at = now() WHERE id = $1', [user.id]);
    await appendAudit(
      tx,
      auditKey,
      user.organization_id,
      { type: 'user', id: user.id, requestId: request.id },
      {
        action: 'auth.signed_in',
        targetType: 'session',
        targetId: session.id,
        data: { method },
      },
    );
    return { state: 'active' as const, csrfToken: session.csrfToken, methods: [] };
  }

  async function throttled<T>(request: FastifyRequest, fn: () => Promise<T | undefined>): Promise<T> {
    const auth = authOf(request);
    const key = throttleKey(config.secrets.sessionKey, 'mfa', auth.actor.id);
    await asApp(db, (tx) => assertNotThrottled(tx, [key]));
    const result = await fn();
    if (result === undefined) {
      await asApp(db, (tx) => recordFailure(tx, 'mfa', key));
      throw new AppError('invalid_mfa_code');
    }
    await asApp(db, (tx) => clearThrottle(tx, [key]));
    return result;
  }

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
    async (request, reply) => {
      const auth = pendingMfa(request);
      return throttled(request, () =>
        withOrg(db, auth.organizationId, async (tx) => {
          const user = await findUser(tx, auth.actor.id);
          const secret = user && decryptTotp(keys, user, 'active');
          const step = secret && acceptedStep(secret, request.body.code, user.totp_last_step);
          if (!user || !step) return undefined;
          await tx.query('UPDATE users SET totp_last_step = $2 WHERE id = $1', [user.id, step]);
          return completeSignIn(tx, request, reply, user, 'totp');
        }),
      );
    },
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
    async (request, reply) => {
      const auth = pendingMfa(request);
      return throttled(request, () =>
        withOrg(db, auth.organizationId, async (tx) => {
          const user = await findUser(tx, auth.actor.id);
          const hash = hashRecoveryCode(keys, request.body.code);
          if (!user || !user.recovery_codes.includes(hash)) return undefined;
          await tx.query('UPDATE users SET recovery_codes = array_remove(recovery_codes, $2) WHERE id = $1', [
            user.id,
            hash,
          ]);
          return completeSignIn(tx, request, reply, user, 'recovery_code');
        }),
      );
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
      return withOrg(db, auth.organizationId, async (tx) => {
        const user = (await findUser(tx, auth.actor.id))!;
        const org = (await tx.query<{ name: string }>('SELECT name FROM organizations'))[0]!;
        return startTotpEnrollment(tx, keys, user, `Candor (${org.name})`);
      });
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
      return throttled(request, () =>
        withOrg(db, auth.organizationId, async (tx) => {
          const user = (await findUser(tx, auth.actor.id))!;
          const secret = decryptTotp(keys, user, 'pending');
          const step = secret && acceptedStep(secret, request.body.code, user.totp_last_step);
          if (!secret || !step) return undefined;
          const { codes, hashes } = newRecoveryCodes(keys);
          await tx.query(
            `UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_enabled_at = now(),
               totp_last_step = $2, recovery_codes = $3 WHERE id = $1`,
            [user.id, step, hashes],
          );
          await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
            action: 'mfa.totp_enrolled',
            targetType: 'user',
            targetId: user.id,
          });
          let csrfToken = auth.session!.csrfToken;
          if (auth.session!.state === 'enroll') {
            const session = await startSession(
              app,
              tx,
              request,
              reply,
              { organizationId: auth.organizationId, id: user.id },
              'active',
            );
            csrfToken = session.csrfToken;
          }
          return { recoveryCodes: codes, csrfToken };
        }),
      );
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
      return withOrg(db, auth.organizationId, async (tx) => {
        const { codes, hashes } = newRecoveryCodes(keys);
        await tx.query('UPDATE users SET recovery_codes = $2 WHERE id = $1', [auth.actor.id, hashes]);
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'mfa.recovery_codes_regenerated',
          targetType: 'user',
          targetId: auth.actor.id,
        });
        return { recoveryCodes: codes };
      });
    },
  );

  // Passkeys (WebAuthn). Registration keeps its challenge on the session; a
  // passkey sign-in has no session yet, so its challenge rides in a signed cookie.

  app.post(
    '/api/me/passkeys/options',
    {
      config: { access: { kind: 'enrolled' } },
      schema: { tags: ['mfa'], response: { 200: AnyJson, ...errors } },
    },
    async (request) => {
      const auth = authOf(request);
      return withOrg(db, auth.organizationId, async (tx) => {
        const user = (await findUser(tx, auth.actor.id))!;
        const existing = await tx.query<{ credential_id: string; transports: string[] }>(
          'SELECT credential_id, transports FROM webauthn_credentials WHERE user_id = $1',
          [user.id],
        );
        const options = await generateRegistrationOptions({
          rpName: 'Candor',
          rpID,
          userName: user.email,
          userDisplayName: user.display_name,
          userID: Buffer.from(user.id),
          attestationType: 'none',
          excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: c.transports })),
          authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        });
        await tx.query('UPDATE sessions SET webauthn_challenge = $2 WHERE id = $1', [
          auth.session!.id,
          options.challenge,
        ]);
        return options as unknown as Record<string, unknown>;
      });
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
      return withOrg(db, auth.organizationId, async (tx) => {
        const rows = await tx.query<{ webauthn_challenge: string | null }>(
          'SELECT webauthn_challenge FROM sessions WHERE id = $1 FOR UPDATE',
          [auth.session!.id],
        );
        const challenge = rows[0]?.webauthn_challenge;
        await tx.query('UPDATE sessions SET webauthn_challenge = NULL WHERE id = $1', [auth.session!.id]);
        if (!challenge) throw new AppError('bad_request');
        const verification = await verifyRegistrationResponse({
          response: request.body.response as unknown as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
        }).catch(() => undefined);
        if (!verification?.verified || !verification.registrationInfo)
          throw new AppError('passkey_not_verified');
        const { credential } = verification.registrationInfo;
        const inserted = await tx.query<{ id: string }>(
          `INSERT INTO webauthn_credentials (organization_id, user_id, credential_id, public_key, counter, transports, name)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [
            auth.organizationId,
            auth.actor.id,
            credential.id,
            Buffer.from(credential.publicKey),
            credential.counter,
            credential.transports ?? [],
            request.body.name,
          ],
        );
        const id = inserted[0]!.id;
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'mfa.passkey_registered',
          targetType: 'passkey',
          targetId: id,
        });
        let csrfToken = auth.session!.csrfToken;
        if (auth.session!.state === 'enroll') {
          const session = await startSession(
            app,
            tx,
            request,
            reply,
            { organizationId: auth.organizationId, id: auth.actor.id },
            'active',
          );
          csrfToken = session.csrfToken;
        }
        return { id, csrfToken };
      });
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
      const rows = await withOrg(db, auth.organizationId, (tx) =>
        tx.query<{ id: string; name: string; created_at: Date; last_used_at: Date | null }>(
          'SELECT id, name, created_at, last_used_at FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at',
          [auth.actor.id],
        ),
      );
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
      await withOrg(db, auth.organizationId, async (tx) => {
        const rows = await tx.query(
          'DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2 RETURNING id',
          [request.params.id, auth.actor.id],
        );
        if (rows.length === 0) throw new AppError('not_found');
        await appendAudit(tx, auditKey, auth.organizationId, requestActor(request), {
          action: 'mfa.passkey_removed',
          targetType: 'passkey',
          targetId: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/passkey/options',
    { config: { access: { kind: 'public' } }, schema: { tags: ['auth'], response: { 200: AnyJson } } },
    async (_request, reply) => {
      const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
      const expires = Date.now() + CHALLENGE_SECONDS * 1000;
      const value = `${options.challenge}.${expires}`;
      void reply.setCookie(
        CHALLENGE_COOKIE,
        `${value}.${hmac(config.secrets.sessionKey, `webauthn:${value}`)}`,
        {
          path: '/api/auth/passkey',
          httpOnly: true,
          sameSite: 'strict',
          secure: config.publicUrl.protocol === 'https:' || config.publicUrl.hostname === 'localhost',
          maxAge: CHALLENGE_SECONDS,
        },
      );
      return options as unknown as Record<string, unknown>;
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
      const [challenge, expires, mac] = (request.cookies[CHALLENGE_COOKIE] ?? '').split('.');
      void reply.clearCookie(CHALLENGE_COOKIE, { path: '/api/auth/passkey' });
      if (
        !challenge ||
        !expires ||
        !mac ||
        !safeEqual(mac, hmac(config.secrets.sessionKey, `webauthn:${challenge}.${expires}`)) ||
        Number(expires) < Date.now()
      ) {
        throw new AppError('invalid_token');
      }
      const response = request.body.response as unknown as AuthenticationResponseJSON;
      const ipKey = throttleKey(config.secrets.sessionKey, 'ip', request.ip);
      const found = await asApp(db, async (tx) => {
        await assertNotThrottled(tx, [ipKey]);
        return (
          await tx.query<{ organization_id: string; user_id: string }>(
            'SELECT * FROM candor_find_webauthn_credential($1)',
            [String(response.id ?? '')],
          )
        )[0];
      });
      const fail = async () => {
        await asApp(db, (tx) => recordFailure(tx, 'ip', ipKey));
        return new AppError('invalid_credentials');
      };
      if (!found) throw await fail();
      // A failure is recorded after the transaction: PGlite runs one at a time.
      const result = await withOrg(db, found.organization_id, async (tx) => {
        const user = await findUser(tx, found.user_id);
        const rows = await tx.query<{
          id: string;
          credential_id: string;
          public_key: Buffer;
          counter: number;
          transports: string[];
        }>(
          'SELECT id, credential_id, public_key, counter, transports FROM webauthn_credentials WHERE credential_id = $1',
          [response.id],
        );
        const stored = rows[0];
        if (!user || user.status !== 'active' || !stored) return undefined;
        const verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
          credential: {
            id: stored.credential_id,
            publicKey: new Uint8Array(stored.public_key),
            counter: stored.counter,
            transports: stored.transports as never,
          },
        }).catch(() => undefined);
        if (!verification?.verified) return undefined;
        await tx.query('UPDATE webauthn_credentials SET counter = $2, last_used_at = now() WHERE id = $1', [
          stored.id,
          verification.authenticationInfo.newCounter,
        ]);
        return completeSignIn(tx, request, reply, user, 'passkey');
      });
      if (!result) throw await fail();
      return result;
    },
  );
}
