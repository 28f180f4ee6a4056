import { randomUUID } from 'node:crypto';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { AuditActor } from '../audit/index.js';
import { listTimeline, type TimelineRow } from './incident-event-repo.js';
import { recordEvent } from './incident-events.js';
import { onIncidentChanged, onIncidentDeclared, type IncidentDeps } from './incident-hooks.js';
import { canTransition, MOMENTS, TRANSITIONS, type IncidentState } from './incident-model.js';
import {
  deleteJurisdictionsExcept,
  deleteMember,
  findActiveUserIds,
  findIncident,
  hasMemberRole,
  incidentJurisdictions,
  incidentMembers,
  insertIncident,
  insertMember,
  insertMemberIfNew,
  isIncidentMember,
  momentColumn,
  nextIncidentNumber,
  setIncidentColumn,
  setIncidentState,
  stampMoment,
  touchIncident,
  upsertJurisdiction,
  type IncidentRow,
  type JurisdictionRow,
  type MemberRow,
} from './incident-repo.js';
import type { DeclareBody, Moments, UpdateBody } from './incident-schemas.js';

interface Caller {
  organizationId: string;
  actor: AuditActor;
  /** The signed-in user, who becomes a member (commander unless one is named). */
  userId: string | null;
}

/** An incident with its jurisdictions and members: what its page shows. */
export interface IncidentDetail {
  incident: IncidentRow;
  jurisdictions: JurisdictionRow[];
  members: MemberRow[];
}

export async function detailOf(tx: Sql, incident: IncidentRow): Promise<IncidentDetail> {
  // One after the other: a transaction is one connection, which runs one query at a time.
  const jurisdictions = await incidentJurisdictions(tx, incident.id);
  const members = await incidentMembers(tx, incident.id);
  return { incident, jurisdictions, members };
}

export async function mustFindIncident(tx: Sql, id: string): Promise<IncidentRow> {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

/** Members must be active users of the organization (RLS hides the others). */
async function assertUsers(tx: Sql, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const found = await findActiveUserIds(tx, [...new Set(userIds)]);
  if (found.length !== new Set(userIds).size) {
    throw new AppError('validation_failed', { where: 'body/members', problem: 'unknown user' });
  }
}

/**
 * Declares (or records after the fact) an incident, its members, moments and
 * jurisdictions; starts its plan and clocks through the hooks.
 */
export async function declareIncident(
  tx: Sql,
  deps: IncidentDeps,
  caller: Caller,
  body: DeclareBody,
): Promise<IncidentRow> {
  const id = randomUUID();
  const members = [...(body.members ?? [])];
  if (caller.userId && !members.some((m) => m.userId === caller.userId)) {
    members.push({
      userId: caller.userId,
      role: members.some((m) => m.role === 'commander') ? 'member' : 'commander',
    });
  }
  await assertUsers(
    tx,
    members.map((m) => m.userId),
  );
  const number = await nextIncidentNumber(tx);
  const moments = { detected: new Date().toISOString(), ...body.moments };
  await insertIncident(tx, {
    id,
    organizationId: caller.organizationId,
    number,
    title: body.title,
    summary: body.summary ?? '',
    type: body.type,
    severity: body.severity,
    state: body.state ?? 'detected',
    isExercise: body.isExercise ?? false,
    restricted: body.restricted ?? false,
    affectedSystems: body.affectedSystems ?? [],
    dataCategories: body.dataCategories ?? [],
    createdBy: caller.userId,
    moments,
  });
  for (const m of members) await insertMember(tx, caller.organizationId, id, m.userId, m.role);
  for (const j of body.jurisdictions ?? []) {
    await upsertJurisdiction(tx, caller.organizationId, id, j.code, j.estimatedAffected ?? null);
  }
  const incident = (await findIncident(tx, id))!;
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'declared',
    data: {
      type: incident.type,
      severity: incident.severity,
      state: incident.state,
      isExercise: incident.is_exercise,
      restricted: incident.restricted,
    },
    auditData: { type: incident.type, severity: incident.severity, exercise: incident.is_exercise },
  });
  await onIncidentDeclared({ tx, deps, incident, actor: caller.actor, startPlan: body.startPlan ?? true });
  return incident;
}

const FIELDS = {
  title: 'title',
  summary: 'summary',
  type: 'type',
  severity: 'severity',
  restricted: 'restricted',
  affectedSystems: 'affected_systems',
  dataCategories: 'data_categories',
} as const satisfies Record<keyof UpdateBody, keyof IncidentRow>;
type FieldColumn = (typeof FIELDS)[keyof UpdateBody];

/**
 * A restricted incident is seen by its creator and members only: one who is
 * neither (or an API token) would hide it from themselves, which the
 * database refuses as a policy violation.
 */
async function assertMayRestrict(tx: Sql, caller: Caller, incident: IncidentRow): Promise<void> {
  const member =
    caller.userId !== null &&
    (incident.created_by === caller.userId || (await isIncidentMember(tx, incident.id, caller.userId)));
  if (!member) {
    throw new AppError('validation_failed', {
      where: 'body/restricted',
      problem: caller.userId ? 'needs a member' : 'needs a signed-in user',
    });
  }
}

export async function updateIncident(
  tx: Sql,
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  body: UpdateBody,
): Promise<IncidentRow> {
  const before = await mustFindIncident(tx, id);
  if (body.restricted === true && !before.restricted) await assertMayRestrict(tx, caller, before);
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, column] of Object.entries(FIELDS) as [keyof UpdateBody, FieldColumn][]) {
    const to = body[key];
    if (to === undefined || JSON.stringify(to) === JSON.stringify(before[column])) continue;
    changed[key] = { from: before[column], to };
    await setIncidentColumn(tx, id, column, to);
  }
  if (Object.keys(changed).length === 0) return before;
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'updated',
    // Free text (title, summary) is shown on the timeline but kept out of the audit log.
    data: { changed },
    auditData: { fields: Object.keys(changed) },
  });
  const incident = (await findIncident(tx, id))!;
  await onIncidentChanged({ tx, deps, incident, actor: caller.actor, changed: Object.keys(changed) });
  return incident;
}

export async function setMoments(tx: Sql, deps: IncidentDeps, caller: Caller, id: string, moments: Moments) {
  const before = await mustFindIncident(tx, id);
  const changed: Record<string, { from: string | null; to: string | null }> = {};
  for (const moment of MOMENTS) {
    const to = moments[moment];
    if (to === undefined) continue;
    const from = before[momentColumn(moment)];
    if ((from?.getTime() ?? null) === (to === null ? null : new Date(to).getTime())) continue;
    changed[moment] = { from: from?.toISOString() ?? null, to };
    await setIncidentColumn(tx, id, momentColumn(moment), to);
  }
  if (Object.keys(changed).length === 0) return before;
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'moments_set',
    data: { changed },
    auditData: { moments: Object.keys(changed) },
  });
  const incident = (await findIncident(tx, id))!;
  await onIncidentChanged({
    tx,
    deps,
    incident,
    actor: caller.actor,
    changed: Object.keys(changed).map((m) => `moment:${m}`),
  });
  return incident;
}

export async function setJurisdictions(
  tx: Sql,
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  list: { code: string; estimatedAffected?: number | null }[],
) {
  await mustFindIncident(tx, id);
  const before = await incidentJurisdictions(tx, id);
  const codes = list.map((j) => j.code);
  await deleteJurisdictionsExcept(tx, id, codes);
  for (const j of list) {
    await upsertJurisdiction(tx, caller.organizationId, id, j.code, j.estimatedAffected ?? null);
  }
  await touchIncident(tx, id);
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'jurisdictions_set',
    data: {
      from: before.map((j) => ({ code: j.code, estimatedAffected: j.estimated_affected })),
      to: list.map((j) => ({ code: j.code, estimatedAffected: j.estimatedAffected ?? null })),
    },
    auditData: { codes },
  });
  const incident = (await findIncident(tx, id))!;
  await onIncidentChanged({ tx, deps, incident, actor: caller.actor, changed: ['jurisdictions'] });
  return incident;
}

/** Moments a phase sets when reached, unless a person already recorded them. */
const MOMENT_OF_STATE: Partial<Record<IncidentState, 'contained' | 'resolved'>> = {
  contained: 'contained',
  closed: 'resolved',
};

export async function transitionIncident(
  tx: Sql,
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  to: IncidentState,
  note: string | undefined,
) {
  const before = await mustFindIncident(tx, id);
  if (!canTransition(before.state, to)) {
    throw new AppError('illegal_transition', {
      from: before.state,
      to,
      allowed: TRANSITIONS[before.state].join(', '),
    });
  }
  await setIncidentState(tx, id, to);
  const moment = MOMENT_OF_STATE[to];
  if (moment && before[momentColumn(moment)] === null) await stampMoment(tx, id, moment);
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'state_changed',
    data: { from: before.state, to },
    note,
    auditData: { from: before.state, to },
  });
  const incident = (await findIncident(tx, id))!;
  if (moment && before[momentColumn(moment)] === null) {
    await onIncidentChanged({ tx, deps, incident, actor: caller.actor, changed: [`moment:${moment}`] });
  }
  return incident;
}

export async function addMember(
  tx: Sql,
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  userId: string,
  role: string,
) {
  await mustFindIncident(tx, id);
  await assertUsers(tx, [userId]);
  if (!(await insertMemberIfNew(tx, caller.organizationId, id, userId, role))) {
    return (await findIncident(tx, id))!;
  }
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'member_added',
    data: { userId, role },
    auditData: { userId, role },
  });
  const incident = (await findIncident(tx, id))!;
  await onIncidentChanged({ tx, deps, incident, actor: caller.actor, changed: ['members'] });
  return (await findIncident(tx, id))!;
}

export async function removeMember(
  tx: Sql,
  deps: IncidentDeps,
  caller: Caller,
  id: string,
  userId: string,
  role: string,
) {
  await mustFindIncident(tx, id);
  if (!(await hasMemberRole(tx, id, userId, role))) throw new AppError('not_found');
  // Recorded first: a member leaving a restricted incident can no longer write to it afterwards.
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'member_removed',
    data: { userId, role },
    auditData: { userId, role },
  });
  await deleteMember(tx, id, userId, role);
}

export async function addNote(tx: Sql, deps: IncidentDeps, caller: Caller, id: string, note: string) {
  await mustFindIncident(tx, id);
  return recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'note',
    note,
  });
}

export async function incidentTimeline(tx: Sql, id: string): Promise<TimelineRow[]> {
  await mustFindIncident(tx, id);
  return listTimeline(tx, id);
}

export { incidentMembers, incidentJurisdictions };
