import { createHash } from 'node:crypto';
import type { Config } from '../../config.js';
import { deriveKey, open, seal } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import {
  recordEvent,
  MOMENTS,
  affectedIn,
  findIncident,
  incidentJurisdictions,
  listOpenIncidents,
  momentColumn,
  mustFindIncident,
  type IncidentRow,
  type IncidentReaction,
} from '../incidents/index.js';
import {
  clockKey,
  evaluate,
  type ClockSpec,
  type IncidentFacts,
  type OrganizationProfile,
} from './deadline-engine.js';
import {
  findClock,
  findClockDocument,
  insertClock,
  listClocks,
  loadAssessment,
  loadProfile,
  markClockFiled,
  markClockWaived,
  saveAssessment,
  saveProfile,
  updateComputed,
  type Assessment,
  type ClockRow,
} from './deadline-repo.js';
import type { RuleId } from './deadline-rules.js';
import { markWarningRead } from './deadline-warning-repo.js';

/** What this needs of the app: the audit key (and the master key) from its secrets. */
export interface DeadlineDeps {
  config: Pick<Config, 'secrets'>;
}

export interface Caller {
  organizationId: string;
  actor: AuditActor;
  userId: string | null;
}

const sameInstant = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

function differs(row: ClockRow, spec: ClockSpec, isExercise: boolean): boolean {
  return (
    row.applicable !== spec.applicable ||
    row.reason !== spec.reason ||
    row.time_zone !== spec.timeZone ||
    row.is_exercise !== isExercise ||
    !sameInstant(row.starts_at, spec.startsAt) ||
    !sameInstant(row.due_at, spec.dueAt) ||
    row.notes.join(',') !== spec.notes.join(',')
  );
}

export async function incidentFacts(tx: Sql, incident: IncidentRow): Promise<IncidentFacts> {
  const jurisdictions = await incidentJurisdictions(tx, incident.id);
  const assessment = await loadAssessment(tx, incident.id);
  return {
    moments: Object.fromEntries(MOMENTS.map((m) => [m, incident[momentColumn(m)]])),
    dataCategories: incident.data_categories,
    jurisdictions: jurisdictions.map((j) => ({ code: j.code, affected: affectedIn(j) })),
    riskLevel: assessment.riskLevel,
    significant: assessment.significant,
  };
}

/** What follows a sync of an incident's clocks, in the same transaction (a plan's tasks due before them). */
export type ClockFollower = (tx: Sql, incident: IncidentRow) => Promise<void>;

const followers: ClockFollower[] = [];

/** Wired by the composition root, as incident reactions are: deadlines know no plan. */
export function followClocks(...added: ClockFollower[]): void {
  for (const follower of added) if (!followers.includes(follower)) followers.push(follower);
}

/**
 * Creates and recomputes an incident's clocks from the rules, in the caller's
 * transaction: when it is declared, when its facts change, when a filing
 * starts the clocks that follow it. Filings and waivers are never undone; a
 * clock whose rule no longer reaches the incident stays, as not applicable.
 * Recomputing is not a timeline event of its own: the change that caused it is.
 * The followers (a plan's tasks due before the clocks) then move with them.
 */
export async function syncClocks(
  tx: Sql,
  _deps: DeadlineDeps,
  incident: IncidentRow,
  _actor: AuditActor,
): Promise<void> {
  const current = (await findIncident(tx, incident.id)) ?? incident;
  const existing = await listClocks(tx, current.id);
  const filings = new Map(
    existing.filter((c) => c.filed_at).map((c) => [clockKey(c.rule_id, c.jurisdiction), c.filed_at!]),
  );
  const specs = evaluate(await incidentFacts(tx, current), await loadProfile(tx), filings);
  const byKey = new Map(existing.map((c) => [clockKey(c.rule_id, c.jurisdiction), c]));
  for (const spec of specs) {
    const key = clockKey(spec.ruleId, spec.jurisdiction);
    const row = byKey.get(key);
    byKey.delete(key);
    if (!row) {
      await insertClock(tx, current.organization_id, current.id, current.is_exercise, spec);
    } else if (differs(row, spec, current.is_exercise)) {
      await updateComputed(tx, row.id, current.is_exercise, spec);
    }
  }
  for (const row of byKey.values()) {
    if (row.applicable || row.reason !== 'out_of_scope') {
      await updateComputed(tx, row.id, current.is_exercise, {
        ruleId: row.rule_id,
        jurisdiction: row.jurisdiction,
        timeZone: row.time_zone,
        applicable: false,
        reason: 'out_of_scope',
        startsAt: row.starts_at,
        dueAt: row.due_at,
        notes: row.notes as ClockSpec['notes'],
      });
    }
  }
  for (const follow of followers) await follow(tx, current);
}

export interface ClockDue {
  ruleId: RuleId;
  dueAt: Date;
}

/**
 * The due instants of an incident's clocks that bind it: applicable, not waived, and
 * started (a clock still waiting for its moment has none). A filed clock keeps its due instant.
 */
export async function clockDueTimes(tx: Sql, incidentId: string): Promise<ClockDue[]> {
  return (await listClocks(tx, incidentId)).flatMap((c) =>
    c.applicable && c.status !== 'waived' && c.due_at ? [{ ruleId: c.rule_id, dueAt: c.due_at }] : [],
  );
}

async function mustFindActiveClock(tx: Sql, incidentId: string, clockId: string): Promise<ClockRow> {
  const clock = await findClock(tx, incidentId, clockId);
  if (!clock) throw new AppError('not_found');
  if (clock.status !== 'active') throw new AppError('conflict', { status: clock.status });
  return clock;
}

const evidenceKey = (deps: DeadlineDeps) => deriveKey(deps.config.secrets.masterKey, 'deadline-evidence');
const evidenceContext = (organizationId: string, clockId: string) =>
  `deadline-evidence:${organizationId}:${clockId}`;

export interface Evidence {
  filedAt: Date;
  reference: string | null;
  text: string | null;
  document: { name: string; contentType: string; content: Buffer } | null;
}

/** Marks a notification as filed: its clock stops, the evidence is kept (the document sealed). */
export async function fileClock(
  tx: Sql,
  deps: DeadlineDeps,
  caller: Caller,
  incident: IncidentRow,
  clockId: string,
  evidence: Evidence,
): Promise<void> {
  const clock = await mustFindActiveClock(tx, incident.id, clockId);
  const doc = evidence.document;
  await markClockFiled(tx, clock.id, {
    filedAt: evidence.filedAt,
    filedBy: caller.userId,
    reference: evidence.reference,
    text: evidence.text,
    document: doc
      ? {
          sealed: seal(evidenceKey(deps), doc.content, evidenceContext(caller.organizationId, clock.id)),
          name: doc.name,
          type: doc.contentType,
          size: doc.content.length,
          sha256: createHash('sha256').update(doc.content).digest('hex'),
        }
      : null,
  });
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: incident.id,
    actor: caller.actor,
    kind: 'clock_filed',
    data: {
      clockId: clock.id,
      ruleId: clock.rule_id,
      jurisdiction: clock.jurisdiction,
      filedAt: evidence.filedAt.toISOString(),
      late: clock.due_at !== null && evidence.filedAt > clock.due_at,
      // The evidence itself (reference, text) is for those who read reports, not the whole timeline.
      document: doc !== null,
    },
    auditData: { clockId: clock.id, ruleId: clock.rule_id, document: doc !== null },
  });
  // A filing starts the clocks that follow it (the NIS2 final report, the CA Attorney General …).
  await syncClocks(tx, deps, incident, caller.actor);
}

/** A person's decision that a clock does not apply (an exemption, an authority's decision), with the reason. */
export async function waiveClock(
  tx: Sql,
  deps: DeadlineDeps,
  caller: Caller,
  incident: IncidentRow,
  clockId: string,
  reason: string,
): Promise<void> {
  const clock = await mustFindActiveClock(tx, incident.id, clockId);
  await markClockWaived(tx, clock.id, caller.userId, reason);
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: incident.id,
    actor: caller.actor,
    kind: 'clock_not_applicable',
    data: { clockId: clock.id, ruleId: clock.rule_id, jurisdiction: clock.jurisdiction },
    note: reason,
    auditData: { clockId: clock.id, ruleId: clock.rule_id },
  });
}

/** The filed document, opened; undefined when the clock has none. */
export async function clockDocument(
  tx: Sql,
  deps: DeadlineDeps,
  organizationId: string,
  incidentId: string,
  clockId: string,
): Promise<{ name: string; contentType: string; content: Buffer } | undefined> {
  const row = await findClockDocument(tx, incidentId, clockId);
  if (!row?.document) return undefined;
  return {
    name: row.document_name,
    contentType: row.document_type,
    content: open(evidenceKey(deps), Buffer.from(row.document), evidenceContext(organizationId, row.id)),
  };
}

/** An incident's clocks and the instant they were read at, which their state and time left refer to. */
export interface ClockSnapshot {
  now: Date;
  rows: ClockRow[];
}

async function snapshot(tx: Sql, incidentId: string): Promise<ClockSnapshot> {
  const now = new Date();
  return { now, rows: await listClocks(tx, incidentId) };
}

/** The clocks of an incident the caller may see (not found otherwise). */
export async function incidentClocks(tx: Sql, incidentId: string): Promise<ClockSnapshot> {
  const incident = await mustFindIncident(tx, incidentId);
  return snapshot(tx, incident.id);
}

export async function fileIncidentClock(
  tx: Sql,
  deps: DeadlineDeps,
  caller: Caller,
  incidentId: string,
  clockId: string,
  evidence: Evidence,
): Promise<ClockSnapshot> {
  const incident = await mustFindIncident(tx, incidentId);
  await fileClock(tx, deps, caller, incident, clockId, evidence);
  return snapshot(tx, incident.id);
}

export async function waiveIncidentClock(
  tx: Sql,
  deps: DeadlineDeps,
  caller: Caller,
  incidentId: string,
  clockId: string,
  reason: string,
): Promise<ClockSnapshot> {
  const incident = await mustFindIncident(tx, incidentId);
  await waiveClock(tx, deps, caller, incident, clockId, reason);
  return snapshot(tx, incident.id);
}

/** The filed document for download: every reading of the evidence is audited. */
export async function readClockDocument(
  tx: Sql,
  deps: DeadlineDeps,
  caller: Caller,
  incidentId: string,
  clockId: string,
): Promise<{ name: string; contentType: string; content: Buffer }> {
  const incident = await mustFindIncident(tx, incidentId);
  const found = await clockDocument(tx, deps, caller.organizationId, incident.id, clockId);
  if (!found) throw new AppError('not_found');
  await appendAudit(tx, deps.config.secrets.auditKey, caller.organizationId, caller.actor, {
    action: 'deadline.evidence_read',
    targetType: 'deadline_clock',
    targetId: clockId,
  });
  return found;
}

export async function incidentAssessment(tx: Sql, incidentId: string): Promise<Assessment> {
  const incident = await mustFindIncident(tx, incidentId);
  return loadAssessment(tx, incident.id);
}

/** A person's assessment of risk and significance: on the timeline, and the clocks follow it. */
export async function assessIncident(
  tx: Sql,
  deps: DeadlineDeps,
  caller: Caller,
  incidentId: string,
  assessment: Assessment,
): Promise<ClockSnapshot> {
  const incident = await mustFindIncident(tx, incidentId);
  await saveAssessment(tx, caller.organizationId, incident.id, assessment, caller.userId);
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: caller.organizationId,
    incidentId: incident.id,
    actor: caller.actor,
    kind: 'assessment_changed',
    data: { riskLevel: assessment.riskLevel, significant: assessment.significant },
    auditData: { riskLevel: assessment.riskLevel, significant: assessment.significant },
  });
  await syncClocks(tx, deps, incident, caller.actor);
  return snapshot(tx, incident.id);
}

/** What the organization states about itself; the undue-delay target is set elsewhere. */
export type DeadlineProfile = Omit<OrganizationProfile, 'undueDelayTargetHours'>;

export async function deadlineProfile(tx: Sql): Promise<DeadlineProfile> {
  const { undueDelayTargetHours: _target, ...profile } = await loadProfile(tx);
  return profile;
}

/**
 * Saves the profile and recomputes every open incident's clocks from it; `tx` must be a
 * system transaction, so that restricted incidents follow too.
 */
export async function changeDeadlineProfile(
  tx: Sql,
  deps: DeadlineDeps,
  organizationId: string,
  actor: AuditActor,
  profile: DeadlineProfile,
): Promise<void> {
  await saveProfile(tx, organizationId, profile);
  await appendAudit(tx, deps.config.secrets.auditKey, organizationId, actor, {
    action: 'deadline.profile_changed',
    targetType: 'organization',
    targetId: organizationId,
    data: { ...profile },
  });
  const open = await listOpenIncidents(tx);
  for (const incident of open) await syncClocks(tx, deps, incident, actor);
}

/** Marks the user's copy of a warning read; not found when they have none. */
export async function readWarning(tx: Sql, warningId: string, userId: string): Promise<void> {
  if (!(await markWarningRead(tx, warningId, userId))) throw new AppError('not_found');
}

/** Clocks react to incidents: whatever is declared or changes, they are synced from the facts. */
export const clockReaction: IncidentReaction = {
  declared: (ctx) => syncClocks(ctx.tx, ctx.deps, ctx.incident, ctx.actor),
  changed: (ctx) => syncClocks(ctx.tx, ctx.deps, ctx.incident, ctx.actor),
};
