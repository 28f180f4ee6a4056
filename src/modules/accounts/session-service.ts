import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { hashToken, hmac, newToken } from '../../platform/crypto.js';
import { asApp, locate, withOrg, type Sql, type Database } from '../../platform/db.js';
import type { Actor, Auth, Permission, Role, SessionState } from '../access/index.js';

export type { Actor, Auth, SessionState };

/** What sessions need of the app: its database and configuration (secrets, cookie lifetimes, origin). */
export interface HasSessionDeps {
  deps: { db: Database; config: Config };
}

export const SESSION_COOKIE = 'candor_session';

// Writing last_seen_at on every request would turn reads into writes.
const TOUCH_AFTER_MS = 60_000;

/** Who is calling: a session cookie, an API bearer token, or nobody. */
export async function resolveAuth(app: HasSessionDeps, request: FastifyRequest): Promise<Auth | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer && request.url.startsWith('/api/')) return resolveApiToken(app, bearer);
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie) return resolveSession(app, cookie);
  return undefined;
}

async function resolveSession(app: HasSessionDeps, token: string): Promise<Auth | undefined> {
  const { db, config } = app.deps;
  const tokenHash = hashToken(token);
  const where = await asApp(db, (tx) => locate(tx, 'candor_find_session', tokenHash));
  if (!where) return undefined;
  return withOrg(db, where.organization_id, async (tx) => {
    const rows = await tx.query<{
      id: string;
      state: SessionState;
      last_seen_at: Date;
      expires_at: Date;
      user_id: string;
      roles: Role[];
      locale: string | null;
      status: string;
      default_locale: string;
    }>(
      `SELECT s.id, s.state, s.last_seen_at, s.expires_at, u.id AS user_id, u.roles, u.locale, u.status,
              o.default_locale
       FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = s.organization_id
       WHERE s.id = $1`,
      [where.id],
    );
    const s = rows[0];
    if (!s) return undefined;
    const now = Date.now();
    const idleLimit = s.last_seen_at.getTime() + config.sessionIdleMinutes * 60_000;
    if (s.status !== 'active' || now > s.expires_at.getTime() || now > idleLimit) {
      await tx.query('DELETE FROM sessions WHERE id = $1', [s.id]);
      return undefined;
    }
    if (now - s.last_seen_at.getTime() > TOUCH_AFTER_MS) {
      await tx.query('UPDATE sessions SET last_seen_at = now() WHERE id = $1', [s.id]);
    }
    return {
      organizationId: where.organization_id,
      organizationLocale: s.default_locale,
      locale: s.locale,
      actor: { type: 'user', id: s.user_id, roles: s.roles },
      session: { id: s.id, state: s.state, csrfToken: csrfTokenFor(app, s.id) },
    };
  });
}

async function resolveApiToken(app: HasSessionDeps, token: string): Promise<Auth | undefined> {
  const { db } = app.deps;
  const tokenHash = hashToken(token);
  const where = await asApp(db, (tx) => locate(tx, 'candor_find_api_token', tokenHash));
  if (!where) return undefined;
  return withOrg(db, where.organization_id, async (tx) => {
    const rows = await tx.query<{ id: string; scopes: Permission[]; default_locale: string }>(
      `UPDATE api_tokens t SET last_used_at = now()
       FROM organizations o
       WHERE t.id = $1 AND o.id = t.organization_id AND t.revoked_at IS NULL
         AND (t.expires_at IS NULL OR t.expires_at > now())
       RETURNING t.id, t.scopes, o.default_locale`,
      [where.id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      organizationId: where.organization_id,
      organizationLocale: row.default_locale,
      locale: null,
      actor: { type: 'api_token', id: row.id, scopes: row.scopes },
    };
  });
}

export function csrfTokenFor(app: HasSessionDeps, sessionId: string): string {
  return hmac(app.deps.config.secrets.sessionKey, `csrf:${sessionId}`);
}

/**
 * A new session with a new token: signing in never reuses the identifier the
 * browser arrived with (session fixation).
 */
export async function startSession(
  app: HasSessionDeps,
  tx: Sql,
  request: FastifyRequest,
  reply: FastifyReply,
  user: { organizationId: string; id: string },
  state: SessionState,
): Promise<{ id: string; csrfToken: string }> {
  const { config } = app.deps;
  const previous = request.cookies[SESSION_COOKIE];
  if (previous) await tx.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(previous)]);
  const token = newToken();
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO sessions (organization_id, user_id, token_hash, state, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5), $6, $7) RETURNING id`,
    [
      user.organizationId,
      user.id,
      hashToken(token),
      state,
      config.sessionAbsoluteHours,
      request.ip,
      (request.headers['user-agent'] ?? '').slice(0, 300),
    ],
  );
  const id = rows[0]!.id;
  setSessionCookie(app, reply, token);
  return { id, csrfToken: csrfTokenFor(app, id) };
}

export function setSessionCookie(app: HasSessionDeps, reply: FastifyReply, token: string): void {
  const { publicUrl, sessionAbsoluteHours } = app.deps.config;
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    // Browsers accept Secure cookies from http://localhost; anything else must be https.
    secure: publicUrl.protocol === 'https:' || publicUrl.hostname === 'localhost',
    maxAge: sessionAbsoluteHours * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
