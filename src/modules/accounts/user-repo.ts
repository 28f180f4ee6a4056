import type { Sql } from '../../platform/db.js';
import type { Role } from '../access/index.js';
import { voidPasswordResetsOf } from './password-reset-repo.js';

export interface UserRow {
  id: string;
  organization_id: string;
  email: string;
  display_name: string;
  password_hash: string;
  roles: Role[];
  locale: 'en' | 'cs' | 'ar' | null;
  status: 'active' | 'deactivated';
  totp_secret: Buffer | null;
  totp_pending_secret: Buffer | null;
  totp_enabled_at: Date | null;
  totp_last_step: number;
  recovery_codes: string[];
  last_sign_in_at: Date | null;
  created_at: Date;
  passkeys: number;
}

const SELECT_USER = `SELECT u.*, (SELECT count(*)::int FROM webauthn_credentials c WHERE c.user_id = u.id) AS passkeys
  FROM users u`;

/** Runs under the organization's RLS: a user of another organization is simply not found. */
export async function findUser(tx: Sql, id: string): Promise<UserRow | undefined> {
  return (await tx.query<UserRow>(`${SELECT_USER} WHERE u.id = $1`, [id]))[0];
}

export async function listUsers(tx: Sql): Promise<UserRow[]> {
  return tx.query<UserRow>(`${SELECT_USER} ORDER BY u.created_at, u.id`);
}

export async function insertUser(
  tx: Sql,
  user: {
    organizationId: string;
    email: string;
    displayName: string;
    passwordHash: string;
    roles: Role[];
    locale: string | null;
  },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO users (organization_id, email, display_name, password_hash, roles, locale)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      user.organizationId,
      user.email.toLowerCase(),
      user.displayName,
      user.passwordHash,
      user.roles,
      user.locale,
    ],
  );
  return rows[0]!.id;
}

export async function countActiveAdmins(tx: Sql): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM users WHERE status = 'active' AND 'admin' = ANY (roles)`,
  );
  return rows[0]!.n;
}

export async function deleteSessionsOf(tx: Sql, userId: string, exceptSessionId?: string): Promise<number> {
  const rows = await tx.query(
    'DELETE FROM sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2) RETURNING id',
    [userId, exceptSessionId ?? null],
  );
  return rows.length;
}

/** Whether any organization has a user with this address (a SECURITY DEFINER look-up). */
export async function isEmailTaken(tx: Sql, email: string): Promise<boolean> {
  const rows = await tx.query<{ taken: boolean }>('SELECT candor_email_taken($1) AS taken', [email]);
  return rows[0]?.taken ?? false;
}

/** The organization's active people, by name: for choosing incident members. */
export async function listActivePeople(
  tx: Sql,
): Promise<{ id: string; display_name: string; roles: string[] }[]> {
  return tx.query<{ id: string; display_name: string; roles: string[] }>(
    `SELECT id, display_name, roles FROM users WHERE status = 'active'
     ORDER BY lower(display_name), id`,
  );
}

export async function markSignedIn(tx: Sql, userId: string): Promise<void> {
  await tx.query('UPDATE users SET last_sign_in_at = now() WHERE id = $1', [userId]);
}

/** A new password, and every open reset link of the user void (a link mailed earlier is no key any more). */
export async function updatePasswordHash(tx: Sql, userId: string, passwordHash: string): Promise<void> {
  await tx.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
    userId,
    passwordHash,
  ]);
  await voidPasswordResetsOf(tx, userId);
}

/** A user's own settings: locale changes when given (null clears it), a null name keeps it. */
export async function updateOwnProfile(
  tx: Sql,
  userId: string,
  profile: { locale?: string | null; displayName?: string },
): Promise<void> {
  await tx.query(
    `UPDATE users SET locale = CASE WHEN $2 THEN $3 ELSE locale END, display_name = coalesce($4, display_name)
     WHERE id = $1`,
    [userId, profile.locale !== undefined, profile.locale ?? null, profile.displayName ?? null],
  );
}

/** Each field left null keeps its value. */
export async function updateRolesAndName(
  tx: Sql,
  userId: string,
  roles: Role[] | null,
  displayName: string | null,
): Promise<void> {
  await tx.query(
    'UPDATE users SET roles = coalesce($2, roles), display_name = coalesce($3, display_name) WHERE id = $1',
    [userId, roles, displayName],
  );
}

export async function setUserStatus(tx: Sql, userId: string, status: UserRow['status']): Promise<void> {
  await tx.query('UPDATE users SET status = $2 WHERE id = $1', [userId, status]);
}

export function hasSecondFactor(user: Pick<UserRow, 'totp_enabled_at' | 'passkeys'>): boolean {
  return user.totp_enabled_at !== null || user.passkeys > 0;
}

/** Revokes every live API token the user created; returns their ids (for the audit log). */
export async function revokeApiTokensOf(tx: Sql, userId: string): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    'UPDATE api_tokens SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL RETURNING id',
    [userId],
  );
  return rows.map((r) => r.id);
}
