import { MOMENTS, TRANSITIONS } from './incident-model.js';
import type { TimelineRow } from './incident-event-repo.js';
import { momentColumn, type IncidentRow } from './incident-repo.js';
import type { IncidentDetail } from './incident-service.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function summaryOf(i: IncidentRow) {
  return {
    id: i.id,
    number: i.number,
    title: i.title,
    type: i.type,
    severity: i.severity,
    state: i.state,
    isExercise: i.is_exercise,
    restricted: i.restricted,
    detectedAt: iso(i.detected_at),
    createdAt: i.created_at.toISOString(),
    updatedAt: i.updated_at.toISOString(),
  };
}

export function viewOf({ incident: i, jurisdictions, members }: IncidentDetail) {
  return {
    ...summaryOf(i),
    summary: i.summary,
    affectedSystems: i.affected_systems,
    dataCategories: i.data_categories,
    moments: Object.fromEntries(MOMENTS.map((m) => [m, iso(i[momentColumn(m)])])),
    jurisdictions: jurisdictions.map((j) => ({
      code: j.code,
      estimatedAffected: j.estimated_affected,
      countedAffected: j.counted_affected,
    })),
    members: members.map((m) => ({ userId: m.user_id, role: m.role, displayName: m.display_name })),
    allowedTransitions: [...TRANSITIONS[i.state]],
  };
}

export function timelineEventOf(r: TimelineRow) {
  return {
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name,
    kind: r.kind,
    data: r.data,
    note: r.note,
  };
}
