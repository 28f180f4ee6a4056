import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Role } from '../access/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { UserView } from './account-schemas.js';
import { resetMfa } from './mfa-service.js';
import { accountSourcePrefix, throttleKey } from './throttle.js';
import { blockedUntil, clearThrottle, clearThrottlePrefixed } from './throttle-repo.js';
import {
  countActiveAdmins,
  deleteSessionsOf,
  findUser,
  listUsers,
  revokeApiTokensOf,
  setUserStatus,
  updateRolesAndName,
  type UserRow,
} from './user-repo.js';

/** An admin managing the organization's users, in its transaction. */
export interface UserAdmin {
  organizationId: string;
  actor: AuditActor;
  auditKey: Buffer;
  /** Keys the sign-in throttle, whose waits the user list shows. */
  sessionKey: Buffer;
}

async function view(tx: Sql, sessionKey: Buffer, user: UserRow): Promise<UserView> {
  const until = await blockedUntil(tx, throttleKey(sessionKey, 'account', user.email));
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    roles: user.roles,
    status: user.status,
    locale: user.locale,
    totp: user.totp_enabled_at !== null,
    passkeys: user.passkeys,
    throttledUntil: until?.toISOString() ?? null,
    lastSignInAt: user.last_sign_in_at?.toISOString() ?? null,
    createdAt: user.created_at.toISOString(),
  };
}

async function mustFind(tx: Sql, id: string): Promise<UserRow> {
  const user = await findUser(tx, id);
  if (!user) throw new AppError('not_found');
  return user;
}

/** Never leave the organization without an active admin. */
async function keepAnAdmin(tx: Sql, user: UserRow, losesAdmin: boolean) {
  if (
    losesAdmin &&
    user.status === 'active' &&
    user.roles.includes('admin') &&
    (await countActiveAdmins(tx)) <= 1
  ) {
    throw new AppError('last_admin');
  }
}

export async function listUserViews(tx: Sql, sessionKey: Buffer): Promise<UserView[]> {
  const users = await listUsers(tx);
  const views: UserView[] = [];
  // One after the other: a transaction is one connection, which runs one query at a time.
  for (const user of users) views.push(await view(tx, sessionKey, user));
  return views;
}

export async function updateUser(
  tx: Sql,
  admin: UserAdmin,
  id: string,
  changes: { roles?: Role[]; displayName?: string },
): Promise<UserView> {
  const { roles, displayName } = changes;
  const user = await mustFind(tx, id);
  await keepAnAdmin(tx, user, roles !== undefined && !roles.includes('admin'));
  await updateRolesAndName(tx, user.id, roles ?? null, displayName ?? null);
  await appendAudit(tx, admin.auditKey, admin.organizationId, admin.actor, {
    action: roles ? 'user.roles_changed' : 'user.updated',
    targetType: 'user',
    targetId: user.id,
    data: roles ? { from: user.roles, to: roles } : {},
  });
  return view(tx, admin.sessionKey, (await findUser(tx, user.id))!);
}

/** Deactivating ends the user's sessions, and never the last active admin. */
export async function setStatus(
  tx: Sql,
  admin: UserAdmin,
  id: string,
  status: UserRow['status'],
  action: string,
): Promise<UserView> {
  const user = await mustFind(tx, id);
  let revokedTokens: string[] = [];
  if (status === 'deactivated') {
    await keepAnAdmin(tx, user, true);
    await deleteSessionsOf(tx, user.id);
    // A machine's token acts on its creator's word: it must not outlive their access.
    revokedTokens = await revokeApiTokensOf(tx, user.id);
  }
  await setUserStatus(tx, user.id, status);
  await appendAudit(tx, admin.auditKey, admin.organizationId, admin.actor, {
    action,
    targetType: 'user',
    targetId: user.id,
  });
  for (const tokenId of revokedTokens) {
    await appendAudit(tx, admin.auditKey, admin.organizationId, admin.actor, {
      action: 'api_token.revoked',
      targetType: 'api_token',
      targetId: tokenId,
      data: { reason: 'owner_deactivated' },
    });
  }
  return view(tx, admin.sessionKey, (await findUser(tx, user.id))!);
}

export async function resetUserMfa(tx: Sql, admin: UserAdmin, id: string): Promise<UserView> {
  const user = await mustFind(tx, id);
  await resetMfa(tx, user.id);
  await appendAudit(tx, admin.auditKey, admin.organizationId, admin.actor, {
    action: 'user.mfa_reset',
    targetType: 'user',
    targetId: user.id,
  });
  return view(tx, admin.sessionKey, (await findUser(tx, user.id))!);
}

/** Clears the user's sign-in and second-factor throttles. */
export async function unlockUser(tx: Sql, admin: UserAdmin, id: string): Promise<UserView> {
  const user = await mustFind(tx, id);
  const cleared =
    (await clearThrottle(tx, [
      throttleKey(admin.sessionKey, 'account', user.email),
      throttleKey(admin.sessionKey, 'mfa', user.id),
    ])) + (await clearThrottlePrefixed(tx, accountSourcePrefix(admin.sessionKey, user.email)));
  await appendAudit(tx, admin.auditKey, admin.organizationId, admin.actor, {
    action: 'user.unlocked',
    targetType: 'user',
    targetId: user.id,
    data: { cleared },
  });
  return view(tx, admin.sessionKey, user);
}
