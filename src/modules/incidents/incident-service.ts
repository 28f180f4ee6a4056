import { randomUUID } from 'node:crypto';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { AuditActor } from '../audit/index.js';
import { recordEvent } from './incident-events.js';
import { onIncidentChanged, onIncidentDeclared, type IncidentDeps } from './incident-hooks.js';
import { canTransition, MOMENTS, TRANSITIONS, type IncidentState } from './incident-model.js';
import {
  findIncident,
  incidentJurisdictions,
  incidentMembers,
  momentColumn,
  type IncidentRow,
} from './incident-repo.js';
import type { DeclareBody, Moments, UpdateBody } from './incident-schemas.js';

interface Caller {
  organizationId: string;
  actor: AuditActor;
  /** The signed-in user, who becomes a member (commander unless one is named). */
  userId: string | null;
}

export async function mustFindIncident(tx: Sql, id: string): Promise<IncidentRow> {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

/** Members must be active users of the organization (RLS hides the others). */
async function assertUsers(tx: Sql, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM users WHERE id = ANY($1) AND status = 'active'`,
    [[...new Set(userIds)]],
  );
  if (rows.length !== new Set(userIds).size) {
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
  const numberRow = await tx.query<{ n: number }>('SELECT candor_next_incident_number() AS n');
  const moments = { detected: new Date().toISOString(), ...body.moments };
  await tx.query(
    `INSERT INTO incidents (id, organization_id, number, title, summary, type, severity, state, is_exercise, restricted,
       affected_systems, data_categories, created_by, ${MOMENTS.map(momentColumn).join(', ')})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, ${MOMENTS.map((_, i) => `$${14 + i}`).join(', ')})`,
    [
      id,
      caller.organizationId,
      numberRow[0]!.n,
      body.title,
      body.summary ?? '',
      body.type,
      body.severity,
      body.state ?? 'detected',
      body.isExercise ?? false,
      body.restricted ?? false,
      body.affectedSystems ?? [],
      body.dataCategories ?? [],
      caller.userId,
      ...MOMENTS.map((m) => moments[m] ?? null),
    ],
  );
  for (const m of members) {
    await tx.query(
      'INSERT INTO incident_members (organization_id, incident_id, user_id, role) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [caller.organizationId, id, m.userId, m.role],
    );
  }
  for (const j of body.jurisdictions ?? []) {
    await tx.query(
      `INSERT INTO incident_jurisdictions (organization_id, incident_id, code, estimated_affected) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id, code) DO UPDATE SET estimated_affected = EXCLUDED.estimated_affected`,
      [caller.organizationId, id, j.code, j.estimatedAffected ?? null],
    );
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

/**
 * A restricted incident is seen by its creator and members only: one who is
 * neither (or an API token) would hide it from themselves, which the
 * database refuses as a policy violation.
 */
async function assertMayRestrict(tx: Sql, caller: Caller, incident: IncidentRow): Promise<void> {
  const member =
    caller.userId !== null &&
    (incident.created_by === caller.userId ||
      (
        await tx.query('SELECT 1 FROM incident_members WHERE incident_id = $1 AND user_id = $2', [
          incident.id,
          caller.userId,
        ])
      ).length > 0);
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
  for (const [key, column] of Object.entries(FIELDS) as [keyof UpdateBody, keyof IncidentRow][]) {
    const to = body[key];
    if (to === undefined || JSON.stringify(to) === JSON.stringify(before[column])) continue;
    changed[key] = { from: before[column], to };
    await tx.query(`UPDATE incidents SET ${column} = $2, updated_at = now() WHERE id = $1`, [id, to]);
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
    await tx.query(`UPDATE incidents SET ${momentColumn(moment)} = $2, updated_at = now() WHERE id = $1`, [
      id,
      to,
    ]);
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
  await tx.query('DELETE FROM incident_jurisdictions WHERE incident_id = $1 AND NOT (code = ANY($2))', [
    id,
    codes,
  ]);
  for (const j of list) {
    await tx.query(
      `INSERT INTO incident_jurisdictions (organization_id, incident_id, code, estimated_affected) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id, code) DO UPDATE SET estimated_affected = EXCLUDED.estimated_affected`,
      [caller.organizationId, id, j.code, j.estimatedAffected ?? null],
    );
  }
  await tx.query('UPDATE incidents SET updated_at = now() WHERE id = $1', [id]);
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
  await tx.query('UPDATE incidents SET state = $2, updated_at = now() WHERE id = $1', [id, to]);
  const moment = MOMENT_OF_STATE[to];
  if (moment && before[momentColumn(moment)] === null) {
    await tx.query(`UPDATE incidents SET ${momentColumn(moment)} = now() WHERE id = $1`, [id]);
  }
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
  const added = await tx.query(
    `INSERT INTO incident_members (organization_id, incident_id, user_id, role) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING user_id`,
    [caller.organizationId, id, userId, role],
  );
  if (added.length === 0) return;
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
  const found = await tx.query(
    'SELECT 1 FROM incident_members WHERE incident_id = $1 AND user_id = $2 AND role = $3',
    [id, userId, role],
  );
  if (found.length === 0) throw new AppError('not_found');
  // Recorded first: a member leaving a restricted incident can no longer write to it afterwards.
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: id,
    actor: caller.actor,
    kind: 'member_removed',
    data: { userId, role },
    auditData: { userId, role },
  });
  await tx.query('DELETE FROM incident_members WHERE incident_id = $1 AND user_id = $2 AND role = $3', [
    id,
    userId,
    role,
  ]);
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

export { incidentMembers, incidentJurisdictions };
