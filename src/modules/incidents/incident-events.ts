import type { Sql } from '../../platform/db.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { insertIncidentEvent } from './incident-event-repo.js';

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
  const eventId = await insertIncidentEvent(tx, {
    organizationId: entry.organizationId,
    incidentId: entry.incidentId,
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    kind: entry.kind,
    data: entry.data ?? {},
    note: entry.note ?? null,
  });
  await appendAudit(tx, auditKey, entry.organizationId, entry.actor, {
    action: `incident.${entry.kind}`,
    targetType: 'incident',
    targetId: entry.incidentId,
    data: { eventId, ...(entry.auditData ?? {}) },
  });
  return eventId;
}

/**
 * A change by a caller, on the incident's timeline and in the audit log with the same data: ids,
 * versions and states only, never personal data (notices, guidance and public updates use this).
 */
export const recordChange = (
  tx: Sql,
  auditKey: Buffer,
  caller: Pick<TimelineEntry, 'organizationId' | 'actor'>,
  incidentId: string,
  kind: string,
  data: Record<string, string | number | boolean | null>,
): Promise<string> =>
  recordEvent(tx, auditKey, {
    organizationId: caller.organizationId,
    incidentId,
    actor: caller.actor,
    kind,
    data,
    auditData: data,
  });
