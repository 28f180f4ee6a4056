import type { Sql } from '../../platform/db.js';
import type { ChainedEvent } from './audit-chain.js';
import { sqlInteger } from '../../platform/sql-text.js';

/** The advisory lock that serializes appends to one organization's chain (with hashtext of its id). */
const AUDIT_LOCK = 727_002;

/** An event as stored, every column. */
export interface StoredEventRow {
  organization_id: string;
  seq: number;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** An event as the audit log shows it. */
export type EventRow = Omit<StoredEventRow, 'organization_id' | 'prev_hash'>;

export interface AuditFilters {
  action?: string;
  actorId?: string;
  targetId?: string;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
}

export interface SignedPosition {
  seq: number;
  hash: string;
  mac: string;
}

/** Waits for (and holds to the end of the transaction) the organization's chain lock. */
export async function lockChain(tx: Sql, organizationId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [AUDIT_LOCK, organizationId]);
}

export async function findHead(
  tx: Sql,
  organizationId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  return (
    await tx.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_heads WHERE organization_id = $1',
      [organizationId],
    )
  )[0];
}

export async function insertEvent(tx: Sql, event: ChainedEvent, hash: string): Promise<void> {
  await tx.query(
    `INSERT INTO audit_events (organization_id, seq, occurred_at, actor_type, actor_id, action, target_type,
       target_id, request_id, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      event.organizationId,
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
}

export async function upsertHead(
  tx: Sql,
  organizationId: string,
  seq: number,
  hash: string,
  mac: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_heads (organization_id, seq, hash, mac) VALUES ($1, $2, $3, $4)
     ON CONFLICT (organization_id) DO UPDATE SET seq = $2, hash = $3, mac = $4, updated_at = now()`,
    [organizationId, seq, hash, mac],
  );
}

export async function insertCheckpoint(
  tx: Sql,
  organizationId: string,
  seq: number,
  hash: string,
  mac: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_checkpoints (organization_id, seq, hash, mac) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [organizationId, seq, hash, mac],
  );
}

/** The audit log, newest first (or, with `after`, oldest first from there: the export's pages). */
export function findEvents(tx: Sql, f: AuditFilters, limit: number, after?: number): Promise<EventRow[]> {
  return tx.query<EventRow>(
    `SELECT seq, occurred_at, actor_type, actor_id, action, target_type, target_id, request_id, data, hash
     FROM audit_events
     WHERE ($1::text IS NULL OR action LIKE $1 || '%')
       AND ($2::uuid IS NULL OR actor_id = $2)
       AND ($3::text IS NULL OR target_id = $3)
       AND ($4::timestamptz IS NULL OR occurred_at >= $4)
       AND ($5::timestamptz IS NULL OR occurred_at < $5)
       AND ($6::bigint IS NULL OR seq < $6)
       AND ($7::bigint IS NULL OR seq > $7)
     ORDER BY seq ${after === undefined ? 'DESC' : 'ASC'} LIMIT $8`,
    [
      f.action ?? null,
      f.actorId ?? null,
      f.targetId ?? null,
      f.from ?? null,
      f.to ?? null,
      f.before ?? null,
      after ?? null,
      limit,
    ],
  );
}

// Cross-organization reads for `candor audit verify`: run as the owner, never in a request.

export async function listOrganizationIds(db: Sql): Promise<{ id: string }[]> {
  return db.query<{ id: string }>('SELECT id FROM organizations ORDER BY created_at, id');
}

export async function listCheckpoints(db: Sql, organizationId: string): Promise<SignedPosition[]> {
  return db.query<SignedPosition>(
    'SELECT seq, hash, mac FROM audit_checkpoints WHERE organization_id = $1 ORDER BY seq',
    [organizationId],
  );
}

/** A page of the chain in seq order, from `fromSeq` on. */
export async function chainPage(
  db: Sql,
  organizationId: string,
  fromSeq: number,
  page: number,
): Promise<StoredEventRow[]> {
  return db.query<StoredEventRow>(
    `SELECT * FROM audit_events WHERE organization_id = $1 AND seq >= $2 ORDER BY seq LIMIT ${sqlInteger(page)}`,
    [organizationId, fromSeq],
  );
}

export async function findSignedHead(db: Sql, organizationId: string): Promise<SignedPosition | undefined> {
  return (
    await db.query<SignedPosition>('SELECT seq, hash, mac FROM audit_heads WHERE organization_id = $1', [
      organizationId,
    ])
  )[0];
}
