import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashToken, newToken } from '../../platform/crypto.js';
import { asApp, locate, withOrg, type Database, type Located, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isLocale, type Locale } from '../../platform/i18n.js';
import type { Outbox } from '../../platform/outbox.js';
import type { Role } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { actionMail } from './account-mail.js';
import type { InvitationView, SignInResult } from './account-schemas.js';
import { createAndSignIn } from './auth-service.js';
import {
  findOpenInvitation,
  insertInvitation,
  markInvitationAccepted,
  markInvitationRevoked,
} from './invitation-repo.js';
import { findOrganizationNameAndLocale } from './organization-repo.js';
import { checkPasswordPolicy, hashPassword } from './password.js';
import type { HasSessionDeps } from './session-service.js';
import { isEmailTaken } from './user-repo.js';

const INVITATION_DAYS = 7;

/** An admin of the organization, in its transaction. */
export interface Inviter {
  organizationId: string;
  userId: string;
  actor: AuditActor;
}

/**
 * Records an invitation and, in the same transaction, the mail that carries
 * its one-time link (in the language asked for, else the organization's).
 * The caller wakes the outbox once this has committed.
 */
export async function invite(
  tx: Sql,
  deps: { auditKey: Buffer; publicUrl: URL; outbox: Pick<Outbox, 'enqueueEmail'> },
  inviter: Inviter,
  input: { email: string; roles: Role[]; locale?: Locale },
): Promise<InvitationView> {
  const email = input.email.toLowerCase();
  const token = newToken();
  if (await isEmailTaken(tx, email)) throw new AppError('email_taken');
  const row = await insertInvitation(tx, {
    organizationId: inviter.organizationId,
    email,
    roles: input.roles,
    tokenHash: hashToken(token),
    invitedBy: inviter.userId,
    days: INVITATION_DAYS,
  });
  const org = await findOrganizationNameAndLocale(tx);
  const locale = input.locale ?? (isLocale(org.default_locale) ? org.default_locale : 'en');
  await deps.outbox.enqueueEmail(tx, inviter.organizationId, {
    purpose: 'invitation',
    idempotencyKey: `invitation:${row.id}`,
    message: actionMail({
      to: email,
      locale,
      subject: 'mail.invitation.subject',
      intro: 'mail.invitation.intro',
      action: 'mail.invitation.action',
      outro: 'mail.invitation.outro',
      link: `${deps.publicUrl.origin}/accept-invitation#token=${token}&lang=${locale}`,
      values: { organization: org.name, days: INVITATION_DAYS },
    }),
  });
  await appendAudit(tx, deps.auditKey, inviter.organizationId, inviter.actor, {
    action: 'invitation.created',
    targetType: 'invitation',
    targetId: row.id,
    data: { roles: input.roles },
  });
  return {
    id: row.id,
    email,
    roles: input.roles,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

export async function revokeInvitation(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  id: string,
): Promise<void> {
  if (!(await markInvitationRevoked(tx, id))) throw new AppError('not_found');
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'invitation.revoked',
    targetType: 'invitation',
    targetId: id,
  });
}

/** Where an invitation's token lives, across organizations; invalid_token when nowhere. */
async function locateInvitation(db: Database, token: string): Promise<Located> {
  const found = await asApp(db, (tx) => locate(tx, 'candor_find_invitation', hashToken(token)));
  if (!found) throw new AppError('invalid_token');
  return found;
}

/** What the person invited sees before accepting. */
export async function describeInvitation(
  db: Database,
  token: string,
): Promise<{ organizationName: string; email: string; roles: string[] }> {
  const found = await locateInvitation(db, token);
  return withOrg(db, found.organization_id, async (tx) => {
    const invitation = await findOpenInvitation(tx, found.id);
    if (!invitation) throw new AppError('invalid_token');
    return { organizationName: invitation.name, email: invitation.email, roles: invitation.roles };
  });
}

/** Accepts an invitation once: the account it names, signed in. */
export async function acceptInvitation(
  app: HasSessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { token: string; displayName: string; password: string; locale: Locale },
): Promise<SignInResult> {
  const { db } = app.deps;
  const found = await locateInvitation(db, input.token);
  const passwordHash = await hashPassword(input.password);
  return withOrg(db, found.organization_id, async (tx) => {
    const invitation = await markInvitationAccepted(tx, found.id);
    if (!invitation) throw new AppError('invalid_token');
    checkPasswordPolicy(input.password, invitation.email);
    if (await isEmailTaken(tx, invitation.email)) throw new AppError('email_taken');
    return createAndSignIn(
      app,
      tx,
      request,
      reply,
      {
        organizationId: found.organization_id,
        email: invitation.email,
        displayName: input.displayName,
        passwordHash,
        roles: invitation.roles,
        locale: input.locale,
      },
      { type: 'system', id: null, requestId: request.id },
    );
  });
}
