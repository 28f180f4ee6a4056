import type { FastifyRequest } from 'fastify';
import type { Sql } from '../../platform/db.js';
import { eventHash, GENESIS_HASH, positionMac, type ChainedEvent } from './audit-chain.js';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  /** Ids and counts only: never personal data. */
  data?: Record<string, string | number | boolean | string[] | null>;
}

export interface AuditActor {
  type: 'user' | 'api_token' | 'system';
  id: string | null;
  requestId: string | null;
}

// Checkpoints of the head are kept every so many events (and hourly by a timer).
export const CHECKPOINT_EVERY = 100;
const AUDIT_LOCK = 727_002;

/**
 * Appends an event to the organization's chain inside the caller's
 * transaction (so it commits or rolls back with the change it records).
 * The advisory lock serializes appends per organization across processes.
 */
export async function appendAudit(
  tx: Sql,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [AUDIT_LOCK, organizationId]);
  const head = (
    await tx.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_heads WHERE organization_id = $1',
      [organizationId],
    )
  )[0];
  const event: ChainedEvent = {
    organizationId,
    seq: (head?.seq ?? 0) + 1,
    occurredAt: new Date(),
    actorType: actor.type,
    actorId: actor.id,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    requestId: actor.requestId,
    data: entry.data ?? {},
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const hash = eventHash(event);
  await tx.query(
    `INSERT INTO audit_events (organization_id, seq, occurred_at, actor_type, actor_id, action, target_type,
       target_id, request_id, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      organizationId,
      event.seq,
      event.occurredAt,
      event.actorType,
      event.actorId,
      event.action,
      event.targetType,
      event.targetId,
      event.requestId,
      JSON.stringify(event.data),
      event.prevHash,
      hash,
    ],
  );
  const mac = positionMac(auditKey, organizationId, event.seq, hash);
  await tx.query(
    `INSERT INTO audit_heads (organization_id, seq, hash, mac) VALUES ($1, $2, $3, $4)
     ON CONFLICT (organization_id) DO UPDATE SET seq = $2, hash = $3, mac = $4, updated_at = now()`,
    [organizationId, event.seq, hash, mac],
  );
  if (event.seq % CHECKPOINT_EVERY === 0) await checkpoint(tx, organizationId, event.seq, hash, mac);
  return event.seq;
}

export async function checkpoint(tx: Sql, organizationId: string, seq: number, hash: string, mac: string) {
  await tx.query(
    `INSERT INTO audit_checkpoints (organization_id, seq, hash, mac) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [organizationId, seq, hash, mac],
  );
}

/** The actor of an HTTP request, for the audit log. */
export function requestActor(request: FastifyRequest): AuditActor {
  const actor = request.auth?.actor;
  return { type: actor?.type ?? 'system', id: actor?.id ?? null, requestId: request.id };
}

export const systemActor = (requestId: string | null = null): AuditActor => ({
  type: 'system',
  id: null,
  requestId,
});
