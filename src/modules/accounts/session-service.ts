import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { hashToken, hmac, newToken } from '../../platform/crypto.js';
import { asApp, locate, withOrg, type Sql, type Database } from '../../platform/db.js';
import type { Actor, Auth, SessionState } from '../access/index.js';
import {
  deleteSession,
  deleteSessionByTokenHash,
  findSessionForAuth,
  insertSession,
  touchSession,
  useApiToken,
} from './session-repo.js';

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
  const bearer = (request.headers.authorization ?? '').match(/^Bearer\s+(\S+)$/i)?.[1];
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
    const s = await findSessionForAuth(tx, where.id);
    if (!s) return undefined;
    const now = Date.now();
    const idleLimit = s.last_seen_at.getTime() + config.sessionIdleMinutes * 60_000;
    if (s.status !== 'active' || now > s.expires_at.getTime() || now > idleLimit) {
      await deleteSession(tx, s.id);
      return undefined;
    }
    if (now - s.last_seen_at.getTime() > TOUCH_AFTER_MS) {
      await touchSession(tx, s.id);
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
    const row = await useApiToken(tx, where.id);
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
  if (previous) await deleteSessionByTokenHash(tx, hashToken(previous));
  const token = newToken();
  const id = await insertSession(tx, {
    organizationId: user.organizationId,
    userId: user.id,
    tokenHash: hashToken(token),
    state,
    absoluteHours: config.sessionAbsoluteHours,
    ip: request.ip,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, 300),
  });
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
