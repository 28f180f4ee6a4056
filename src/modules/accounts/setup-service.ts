import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, newToken } from '../../platform/crypto.js';
import { withOrg, type Database } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Locale } from '../../platform/i18n.js';
import { canonicalTimeZone } from '../../platform/time-format.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { SignInResult } from './account-schemas.js';
import { createAndSignIn } from './auth-service.js';
import { insertOrganization } from './organization-repo.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import type { HasSessionDeps } from './session-service.js';
import { consumeSetupToken, expireOpenSetupTokens, insertSetupToken, isSetupNeeded } from './setup-repo.js';
import { isEmailTaken } from './user-repo.js';

export const SETUP_LINK_MINUTES = 60;

/** The zone a new organization starts with: the one given when this runtime knows it, else UTC. */
const organizationTimeZone = (zone: string | undefined) => (zone && canonicalTimeZone(zone)) || 'UTC';

export async function setupNeeded(db: Database): Promise<boolean> {
  return isSetupNeeded(db);
}

/**
 * A one-time link (valid an hour) that creates an organization and its first
 * admin. Issuing one voids the links issued before it.
 */
export async function issueSetupLink(db: Database, publicUrl: URL): Promise<string> {
  const token = newToken();
  await db.transaction(async (tx) => {
    await expireOpenSetupTokens(tx);
    await insertSetupToken(tx, hashToken(token), SETUP_LINK_MINUTES);
  });
  return `${publicUrl.origin}/setup#token=${token}`;
}

export interface SetupInput {
  token: string;
  organizationName: string;
  email: string;
  displayName: string;
  password: string;
  locale: Locale;
  timeZone?: string;
}

/** Uses a setup link: the organization, its first admin, and that admin signed in. */
export async function completeSetup(
  app: HasSessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: SetupInput,
): Promise<SignInResult> {
  checkPasswordPolicy(input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  const organizationId = randomUUID();
  return withOrg(app.deps.db, organizationId, async (tx) => {
    if (!(await consumeSetupToken(tx, hashToken(input.token)))) throw new AppError('invalid_token');
    if (await isEmailTaken(tx, input.email)) throw new AppError('email_taken');
    await insertOrganization(tx, {
      id: organizationId,
      name: input.organizationName,
      defaultLocale: input.locale,
      timeZone: organizationTimeZone(input.timeZone),
    });
    const actor: AuditActor = { type: 'system', id: null, requestId: request.id };
    await appendAudit(tx, app.deps.config.secrets.auditKey, organizationId, actor, {
      action: 'organization.created',
      targetType: 'organization',
      targetId: organizationId,
    });
    return createAndSignIn(
      app,
      tx,
      request,
      reply,
      {
        organizationId,
        email: input.email,
        displayName: input.displayName,
        passwordHash,
        roles: ['admin'],
        locale: input.locale,
      },
      actor,
    );
  });
}
