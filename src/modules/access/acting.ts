import type { FastifyRequest } from 'fastify';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Auth } from './caller.js';

/**
 * Who is calling: on a route whose access rule is not public the access layer has resolved it
 * before the handler runs, so this only throws (unauthenticated) on a route that forgot its rule.
 */
export function authOf(request: FastifyRequest): Auth {
  if (!request.auth) throw new AppError('unauthenticated');
  return request.auth;
}

/**
 * Runs fn inside the caller's organization as the caller: a signed-in user
 * sees the restricted incidents they are a member of; an API token sees none.
 */
export function withCaller<T>(
  db: Database,
  request: FastifyRequest,
  fn: (tx: Sql) => Promise<T>,
): Promise<T> {
  const auth = authOf(request);
  return withOrg(db, auth.organizationId, fn, auth.actor.type === 'user' ? { userId: auth.actor.id } : {});
}
