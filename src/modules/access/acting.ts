import type { FastifyRequest } from 'fastify';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';

/**
 * Runs fn inside the caller's organization as the caller: a signed-in user
 * sees the restricted incidents they are a member of; an API token sees none.
 */
export function withCaller<T>(
  db: Database,
  request: FastifyRequest,
  fn: (tx: Sql) => Promise<T>,
): Promise<T> {
  const auth = request.auth;
  if (!auth) throw new AppError('unauthenticated');
  return withOrg(db, auth.organizationId, fn, auth.actor.type === 'user' ? { userId: auth.actor.id } : {});
}
