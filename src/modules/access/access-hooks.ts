import type { FastifyInstance, FastifyRequest } from 'fastify';
import { safeEqual } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import type { Auth } from './caller.js';
import { rolesGrant, type Access } from './permissions.js';
import { documentRoute } from './route-docs.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Only for routes that authenticate by a signature over the body (webhooks): no cookie counts there. */
    signedWebhook?: boolean;
  }
  interface FastifyRequest {
    auth?: Auth;
  }
  interface FastifyInstance {
    /** Every route with its access rule, as registered: the authorization suite's table. */
    routeAccess: RouteAccess[];
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Who is calling: a session, an API token or nobody (the accounts module answers it). */
export type ResolveAuth = (app: FastifyInstance, request: FastifyRequest) => Promise<Auth | undefined>;

export function registerAccess(app: FastifyInstance, resolveAuth: ResolveAuth): void {
  const table: RouteAccess[] = [];
  app.decorate('routeAccess', table);
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: Access };
    const record = (access: Access) => {
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') table.push({ method, url: route.url, access });
      }
      // The API document's operationId, summary and security, from this same rule.
      if (route.url.startsWith('/api/') || route.url.startsWith('/unsubscribe/'))
        documentRoute(route, access);
    };
    if (config.access) {
      record(config.access);
      return;
    }
    // Static files of the admin app are public; every API route must say who may call it.
    const methods = [route.method].flat();
    if (route.url.startsWith('/api') || methods.some((m) => m !== 'GET' && m !== 'HEAD')) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
    }
    route.config = { ...config, access: { kind: 'public' } };
    record({ kind: 'public' });
  });

  app.addHook('onRequest', async (request) => {
    request.auth = await resolveAuth(app, request);
    if (request.auth) {
      // Every later log line of this request names its organization and actor (ids only).
      request.log = request.log.child({
        organizationId: request.auth.organizationId,
        actorId: request.auth.actor.id,
      });
    }
    checkCsrf(app, request);
    authorize(request, request.routeOptions.config.access ?? { kind: 'public' });
  });
}

/**
 * Every state-changing request made by a browser must come from our own
 * origin; with a session it must also carry the session's CSRF token.
 * Bearer-token calls carry no ambient credential and are exempt.
 */
function checkCsrf(app: FastifyInstance, request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.routeOptions.config.signedWebhook) return;
  if (request.auth?.actor.type === 'api_token') return;
  const expected = app.deps.config.publicUrl.origin;
  const origin = request.headers.origin ?? originOf(request.headers.referer);
  if (origin !== expected) throw new AppError('csrf_failed');
  const session = request.auth?.session;
  if (session) {
    const given = request.headers['x-csrf-token'];
    if (typeof given !== 'string' || !safeEqual(given, session.csrfToken)) {
      throw new AppError('csrf_failed');
    }
  }
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

export function authorize(request: FastifyRequest, access: Access): void {
  if (access.kind === 'public') return;
  const auth = request.auth;
  if (!auth) throw new AppError('unauthenticated');
  if (access.kind === 'session') {
    if (auth.actor.type !== 'user') throw new AppError('forbidden');
    return;
  }
  if (auth.actor.type === 'user') {
    if (auth.session?.state === 'mfa') throw new AppError('mfa_required');
    if (access.kind === 'enrolled') return;
    if (auth.session?.state === 'enroll') throw new AppError('mfa_enrollment_required');
    if (access.kind === 'user') return;
    if (!rolesGrant(auth.actor.roles, access.permission)) throw new AppError('forbidden');
    return;
  }
  if (access.kind === 'user' || access.kind === 'enrolled') throw new AppError('forbidden');
  if (!(auth.actor.scopes as readonly string[]).includes(access.permission)) {
    throw new AppError('forbidden');
  }
}
