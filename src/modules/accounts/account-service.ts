import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { canonicalTimeZone } from '../../platform/time-format.js';
import type { Auth } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import {
  findOrganizationSettings,
  updateOrganizationSettings,
  type OrganizationSettingsRow,
} from './organization-repo.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.js';
import { deleteSessionsOf, findUser, updatePasswordHash } from './user-repo.js';

/**
 * A user changes their own password: the current one must be right; every
 * other session of theirs ends.
 */
export async function changePassword(
  db: Database,
  auditKey: Buffer,
  auth: Auth,
  actor: AuditActor,
  passwords: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = (await withOrg(db, auth.organizationId, (tx) => findUser(tx, auth.actor.id)))!;
  if (!(await verifyPassword(user.password_hash, passwords.currentPassword))) {
    throw new AppError('invalid_credentials');
  }
  checkPasswordPolicy(passwords.newPassword, user.email);
  const hash = await hashPassword(passwords.newPassword);
  await withOrg(db, auth.organizationId, async (tx) => {
    await updatePasswordHash(tx, user.id, hash);
    await deleteSessionsOf(tx, user.id, auth.session?.id);
    await appendAudit(tx, auditKey, auth.organizationId, actor, {
      action: 'user.password_changed',
      targetType: 'user',
      targetId: user.id,
    });
  });
}

export interface OrganizationChanges {
  name?: string;
  defaultLocale?: string;
  requireMfa?: boolean;
  undueDelayTargetHours?: number;
  intakeStartsPlan?: boolean;
  timeZone?: string;
}

/** Changes the settings given, audits which ones, and returns the organization as it now is. */
export async function updateOrganization(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  changes: OrganizationChanges,
): Promise<OrganizationSettingsRow> {
  const timeZone = changes.timeZone === undefined ? null : canonicalTimeZone(changes.timeZone);
  if (timeZone === undefined) {
    throw new AppError('validation_failed', { where: 'body/timeZone', problem: 'unknown_time_zone' });
  }
  await updateOrganizationSettings(tx, {
    name: changes.name ?? null,
    defaultLocale: changes.defaultLocale ?? null,
    requireMfa: changes.requireMfa ?? null,
    undueDelayTargetHours: changes.undueDelayTargetHours ?? null,
    intakeStartsPlan: changes.intakeStartsPlan ?? null,
    timeZone,
  });
  await appendAudit(tx, auditKey, organizationId, actor, {
    action: 'organization.updated',
    targetType: 'organization',
    targetId: organizationId,
    data: { fields: Object.keys(changes) },
  });
  return findOrganizationSettings(tx);
}
