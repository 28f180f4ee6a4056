import type { Sql } from '../../platform/db.js';

export interface NewIncidentEvent {
  organizationId: string;
  incidentId: string;
  actorType: string;
  actorId: string | null;
  kind: string;
  data: Record<string, unknown>;
  note: string | null;
}

export interface TimelineRow {
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  kind: string;
  data: Record<string, unknown>;
  note: string | null;
}

/** Appends an event to the incident's timeline; returns its id. */
export async function insertIncidentEvent(tx: Sql, e: NewIncidentEvent): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO incident_events (organization_id, incident_id, actor_type, actor_id, kind, data, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [e.organizationId, e.incidentId, e.actorType, e.actorId, e.kind, JSON.stringify(e.data), e.note],
  );
  return rows[0]!.id;
}

/** The incident's timeline, oldest first, with the name of each person who acted. */
export async function listTimeline(tx: Sql, incidentId: string): Promise<TimelineRow[]> {
  return tx.query<TimelineRow>(
    `SELECT e.id, e.occurred_at, e.actor_type, e.actor_id, u.display_name AS actor_name, e.kind, e.data, e.note
           FROM incident_events e LEFT JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 ORDER BY e.occurred_at, e.id`,
    [incidentId],
  );
}
