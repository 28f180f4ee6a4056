import type { FastifyRequest } from 'fastify';
import { authOf } from '../access/index.js';
import { requestActor, type AuditActor } from '../audit/index.js';

/** Who acts, as the notices services see it: the organization, the audit log's actor, the signed-in user. */
export interface NoticeCaller {
  organizationId: string;
  actor: AuditActor;
  /** Null for an API token. */
  userId: string | null;
}

/** The caller of a request the access layer has authorized. */
export function callerOf(request: FastifyRequest): NoticeCaller {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}
