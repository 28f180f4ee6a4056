import type { Sql } from '../../platform/db.js';
import type { Permission, Role, SessionState } from '../access/index.js';

/** A session with what resolving it needs of its user and organization. */
export interface SessionAuthRow {
  id: string;
  state: SessionState;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  roles: Role[];
  locale: string | null;
  status: string;
  default_locale: string;
}

export async function findSessionForAuth(tx: Sql, id: string): Promise<SessionAuthRow | undefined> {
  const rows = await tx.query<SessionAuthRow>(
    `SELECT s.id, s.state, s.last_seen_at, s.expires_at, u.id AS user_id, u.roles, u.locale, u.status,
            o.default_locale
     FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = s.organization_id
     WHERE s.id = $1`,
    [id],
  );
  return rows[0];
}

export async function deleteSession(tx: Sql, id: string): Promise<void> {
  await tx.query('DELETE FROM sessions WHERE id = $1', [id]);
}

export async function deleteSessionByTokenHash(tx: Sql, tokenHash: Buffer): Promise<void> {
  await tx.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}

export async function touchSession(tx: Sql, id: string): Promise<void> {
  await tx.query('UPDATE sessions SET last_seen_at = now() WHERE id = $1', [id]);
}

export async function insertSession(
  tx: Sql,
  session: {
    organizationId: string;
    userId: string;
    tokenHash: Buffer;
    state: SessionState;
    absoluteHours: number;
    ip: string;
    userAgent: string;
  },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO sessions (organization_id, user_id, token_hash, state, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5), $6, $7) RETURNING id`,
    [
      session.organizationId,
      session.userId,
      session.tokenHash,
      session.state,
      session.absoluteHours,
      session.ip,
      session.userAgent,
    ],
  );
  return rows[0]!.id;
}

/** A passkey registration's challenge, kept on the session that asked for it. */
export async function setWebauthnChallenge(tx: Sql, sessionId: string, challenge: string): Promise<void> {
  await tx.query('UPDATE sessions SET webauthn_challenge = $2 WHERE id = $1', [sessionId, challenge]);
}

/** Reads the session's registration challenge and clears it: a challenge answers once. */
export async function takeWebauthnChallenge(tx: Sql, sessionId: string): Promise<string | null | undefined> {
  const rows = await tx.query<{ webauthn_challenge: string | null }>(
    'SELECT webauthn_challenge FROM sessions WHERE id = $1 FOR UPDATE',
    [sessionId],
  );
  await tx.query('UPDATE sessions SET webauthn_challenge = NULL WHERE id = $1', [sessionId]);
  return rows[0]?.webauthn_challenge;
}

/** A live API token, marked used: undefined once revoked or expired. */
export async function useApiToken(
  tx: Sql,
  id: string,
): Promise<{ id: string; scopes: Permission[]; default_locale: string } | undefined> {
  const rows = await tx.query<{ id: string; scopes: Permission[]; default_locale: string }>(
    `UPDATE api_tokens t SET last_used_at = now()
     FROM organizations o
     WHERE t.id = $1 AND o.id = t.organization_id AND t.revoked_at IS NULL
       AND (t.expires_at IS NULL OR t.expires_at > now())
       -- Never past its creator's deactivation, even one that slipped past revoking their tokens.
       AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.created_by AND u.status <> 'active')
     RETURNING t.id, t.scopes, o.default_locale`,
    [id],
  );
  return rows[0];
}

/** The user has just proved who they are again (password, fresh TOTP code or passkey assertion). */
export async function markReauthenticated(tx: Sql, sessionId: string): Promise<void> {
  await tx.query('UPDATE sessions SET reauthenticated_at = now() WHERE id = $1', [sessionId]);
}

/** Whether the session's last proof of its user is at most this many seconds old. */
export async function reauthenticatedWithin(tx: Sql, sessionId: string, seconds: number): Promise<boolean> {
  const rows = await tx.query<{ fresh: boolean }>(
    `SELECT reauthenticated_at > now() - make_interval(secs => $2) AS fresh FROM sessions WHERE id = $1`,
    [sessionId, seconds],
  );
  return rows[0]?.fresh === true;
}
