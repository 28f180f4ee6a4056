import type { FastifyRequest } from 'fastify';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { eventHash, GENESIS_HASH, positionMac, type ChainedEvent } from './audit-chain.js';
import {
  findEvents,
  findHead,
  insertCheckpoint,
  insertEvent,
  lockChain,
  upsertHead,
  type AuditFilters,
  type EventRow,
} from './audit-repo.js';

export type { AuditFilters, EventRow } from './audit-repo.js';

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
  await lockChain(tx, organizationId);
  const head = await findHead(tx, organizationId);
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
  await insertEvent(tx, event, hash);
  const mac = positionMac(auditKey, organizationId, event.seq, hash);
  await upsertHead(tx, organizationId, event.seq, hash, mac);
  if (event.seq % CHECKPOINT_EVERY === 0) await insertCheckpoint(tx, organizationId, event.seq, hash, mac);
  return event.seq;
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

/** A page of the organization's audit log, newest first. */
export function listAuditEvents(
  db: Database,
  organizationId: string,
  filters: AuditFilters,
  limit: number,
): Promise<EventRow[]> {
  return withOrg(db, organizationId, (tx) => findEvents(tx, filters, limit));
}

const EXPORT_PAGE = 1000;

/**
 * An export of the audit log: recorded in the log first, then every matching event in seq order,
 * a page per transaction, so an export of any size streams in constant memory.
 */
export async function exportAuditEvents(
  db: Database,
  auditKey: Buffer,
  organizationId: string,
  actor: AuditActor,
  filters: AuditFilters,
): Promise<AsyncGenerator<EventRow>> {
  await withOrg(db, organizationId, (tx) =>
    appendAudit(tx, auditKey, organizationId, actor, { action: 'audit.exported' }),
  );
  async function* events() {
    let after = 0;
    for (;;) {
      const rows = await withOrg(db, organizationId, (tx) => findEvents(tx, filters, EXPORT_PAGE, after));
      yield* rows;
      if (rows.length < EXPORT_PAGE) return;
      after = rows[rows.length - 1]!.seq;
    }
  }
  return events();
}
