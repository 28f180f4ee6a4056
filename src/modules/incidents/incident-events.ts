import type { Sql } from '../../platform/db.js';
import { appendAudit, type AuditActor } from '../audit/index.js';

export interface TimelineEntry {
  organizationId: string;
  incidentId: string;
  actor: AuditActor;
  /** e.g. created, state_changed, updated, note, task_completed, alert, clock_filed */
  kind: string;
  /** Shown on the timeline; may name what changed and how. */
  data?: Record<string, unknown>;
  note?: string;
  /** Ids and field names for the audit log (never personal data); defaults to none. */
  auditData?: Record<string, string | number | boolean | string[] | null>;
}

/**
 * Every change and note of an incident is a timeline event with actor and
 * time, and the same change is appended to the audit log in the same
 * transaction. Every module that changes an incident records it through here.
 */
export async function recordEvent(tx: Sql, auditKey: Buffer, entry: TimelineEntry): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO incident_events (organization_id, incident_id, actor_type, actor_id, kind, data, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      entry.organizationId,
      entry.incidentId,
      entry.actor.type,
      entry.actor.id,
      entry.kind,
      JSON.stringify(entry.data ?? {}),
      entry.note ?? null,
    ],
  );
  const eventId = rows[0]!.id;
  await appendAudit(tx, auditKey, entry.organizationId, entry.actor, {
    action: `incident.${entry.kind}`,
    targetType: 'incident',
    targetId: entry.incidentId,
    data: { eventId, ...(entry.auditData ?? {}) },
  });
  return eventId;
}
