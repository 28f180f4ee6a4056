import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { hmac, safeEqual } from '../../platform/crypto.js';
import { asApp, withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Auth } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { SignInResult } from './account-schemas.js';
import { activateIfEnrolling, completeSignIn } from './mfa-service.js';
import {
  deletePasskey,
  findCredential,
  insertPasskey,
  listCredentialIds,
  locatePasskey,
  markPasskeyUsed,
} from './passkey-repo.js';
import { setWebauthnChallenge, takeWebauthnChallenge } from './session-repo.js';
import type { HasSessionDeps } from './session-service.js';
import { assertNotThrottled, recordFailure, throttleKey } from './throttle.js';
import { findUser } from './user-repo.js';

// Passkeys (WebAuthn). Registration keeps its challenge on the session; a
// passkey sign-in has no session yet, so its challenge rides in a signed cookie.

/** How long a sign-in challenge stays valid. */
export const CHALLENGE_SECONDS = 300;

type WebAuthnOptions = Record<string, unknown>;

function relyingParty(config: Pick<Config, 'publicUrl'>): { rpID: string; origin: string } {
  return { rpID: config.publicUrl.hostname, origin: config.publicUrl.origin };
}

/** Registration options for the caller, the challenge kept on their session. */
export async function registrationOptions(
  tx: Sql,
  config: Pick<Config, 'publicUrl'>,
  auth: Auth,
): Promise<WebAuthnOptions> {
  const user = (await findUser(tx, auth.actor.id))!;
  const existing = await listCredentialIds(tx, user.id);
  const options = await generateRegistrationOptions({
    rpName: 'Candor',
    rpID: relyingParty(config).rpID,
    userName: user.email,
    userDisplayName: user.display_name,
    userID: Buffer.from(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: c.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await setWebauthnChallenge(tx, auth.session!.id, options.challenge);
  return options as unknown as WebAuthnOptions;
}

/** Stores a passkey whose registration answers the session's challenge (used once). */
export async function registerPasskey(
  app: HasSessionDeps,
  tx: Sql,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: Auth,
  actor: AuditActor,
  input: { name: string; response: Record<string, unknown> },
): Promise<{ id: string; csrfToken: string }> {
  const { rpID, origin } = relyingParty(app.deps.config);
  const challenge = await takeWebauthnChallenge(tx, auth.session!.id);
  if (!challenge) throw new AppError('bad_request');
  const verification = await verifyRegistrationResponse({
    response: input.response as unknown as RegistrationResponseJSON,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
  }).catch(() => undefined);
  if (!verification?.verified || !verification.registrationInfo) throw new AppError('passkey_not_verified');
  const { credential } = verification.registrationInfo;
  const id = await insertPasskey(tx, {
    organizationId: auth.organizationId,
    userId: auth.actor.id,
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey),
    counter: credential.counter,
    transports: credential.transports ?? [],
    name: input.name,
  });
  await appendAudit(tx, app.deps.config.secrets.auditKey, auth.organizationId, actor, {
    action: 'mfa.passkey_registered',
    targetType: 'passkey',
    targetId: id,
  });
  const csrfToken = await activateIfEnrolling(app, tx, request, reply, auth);
  return { id, csrfToken };
}

export async function removePasskey(
  tx: Sql,
  auditKey: Buffer,
  auth: Auth,
  actor: AuditActor,
  id: string,
): Promise<void> {
  if (!(await deletePasskey(tx, id, auth.actor.id))) throw new AppError('not_found');
  await appendAudit(tx, auditKey, auth.organizationId, actor, {
    action: 'mfa.passkey_removed',
    targetType: 'passkey',
    targetId: id,
  });
}

/** Sign-in options, and the cookie value that carries their challenge: signed, with its expiry. */
export async function signInOptions(
  config: Pick<Config, 'publicUrl' | 'secrets'>,
): Promise<{ options: WebAuthnOptions; cookie: string }> {
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(config).rpID,
    userVerification: 'required',
  });
  const expires = Date.now() + CHALLENGE_SECONDS * 1000;
  const value = `${options.challenge}.${expires}`;
  return {
    options: options as unknown as WebAuthnOptions,
    cookie: `${value}.${hmac(config.secrets.sessionKey, `webauthn:${value}`)}`,
  };
}

/**
 * A passkey sign-in: the challenge from the cookie (invalid_token when forged
 * or expired), the credential found across organizations, the assertion
 * checked, under the address's throttle.
 */
export async function signInWithPasskey(
  app: HasSessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  cookie: string | undefined,
  assertion: Record<string, unknown>,
): Promise<SignInResult> {
  const { db, config } = app.deps;
  const { rpID, origin } = relyingParty(config);
  const [challenge, expires, mac] = (cookie ?? '').split('.');
  if (
    !challenge ||
    !expires ||
    !mac ||
    !safeEqual(mac, hmac(config.secrets.sessionKey, `webauthn:${challenge}.${expires}`)) ||
    Number(expires) < Date.now()
  ) {
    throw new AppError('invalid_token');
  }
  const response = assertion as unknown as AuthenticationResponseJSON;
  const ipKey = throttleKey(config.secrets.sessionKey, 'ip', request.ip);
  const found = await asApp(db, async (tx) => {
    await assertNotThrottled(tx, [ipKey]);
    return locatePasskey(tx, String(response.id ?? ''));
  });
  const fail = async () => {
    await asApp(db, (tx) => recordFailure(tx, 'ip', ipKey));
    return new AppError('invalid_credentials');
  };
  if (!found) throw await fail();
  // A failure is recorded after the transaction: PGlite runs one at a time.
  const result = await withOrg(db, found.organization_id, async (tx) => {
    const user = await findUser(tx, found.user_id);
    const stored = await findCredential(tx, response.id);
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
    await markPasskeyUsed(tx, stored.id, verification.authenticationInfo.newCounter);
    return completeSignIn(app, tx, request, reply, user, 'passkey');
  });
  if (!result) throw await fail();
  return result;
}
