import { randomBytes } from 'node:crypto';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Locale } from '../../platform/i18n.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { IncidentType } from '../incidents/index.js';
import { checkPlan, type CheckFlag } from './plan-check.js';
import type { PlanTask } from './plan-model.js';
import {
  contactCount,
  findPlan,
  findPlanForType,
  findVersion,
  insertPlan,
  insertVersion,
  lastExerciseAt,
  listVersions,
  undueDelayTargetHours,
  type CurrentPlanRow,
  type PlanRow,
  type VersionRow,
} from './plan-repo.js';
import { localizePlaybook, PLAYBOOKS } from './playbooks/index.js';

export interface PlanCaller {
  organizationId: string;
  actor: AuditActor;
  /** The signed-in user, recorded as the author; null for an API token. */
  userId: string | null;
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export async function mustFindPlan(tx: Sql, id: string): Promise<PlanRow> {
  const plan = await findPlan(tx, id);
  if (!plan) throw new AppError('not_found');
  return plan;
}

export async function mustFindVersion(tx: Sql, planId: string, version?: number): Promise<VersionRow> {
  const found = await findVersion(tx, planId, version);
  if (!found) throw new AppError('not_found');
  return found;
}

/** A plan with its newest version. */
export async function currentPlan(tx: Sql, id: string): Promise<CurrentPlanRow> {
  const plan = await mustFindPlan(tx, id);
  const version = await mustFindVersion(tx, plan.id);
  return { ...plan, version };
}

/** Every version of a plan, newest first. */
export async function planVersions(tx: Sql, id: string): Promise<VersionRow[]> {
  const plan = await mustFindPlan(tx, id);
  return listVersions(tx, plan.id);
}

export async function planVersion(tx: Sql, id: string, version: number): Promise<VersionRow> {
  const plan = await mustFindPlan(tx, id);
  return mustFindVersion(tx, plan.id, version);
}

/** An organization's own plan for a type, begun as a copy of the built-in playbook in one language. */
export async function copyPlaybook(
  tx: Sql,
  auditKey: Buffer,
  caller: PlanCaller,
  type: IncidentType,
  locale: Locale,
): Promise<CurrentPlanRow> {
  if (await findPlanForType(tx, type)) throw new AppError('conflict', { reason: 'plan_exists' });
  const playbook = localizePlaybook(PLAYBOOKS[type], locale);
  let plan: PlanRow;
  try {
    plan = await insertPlan(tx, {
      organizationId: caller.organizationId,
      type,
      sourcePlaybook: type,
      createdBy: caller.userId,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', { reason: 'plan_exists' });
    throw error;
  }
  const version = await insertVersion(tx, {
    organizationId: caller.organizationId,
    planId: plan.id,
    version: 1,
    name: playbook.name,
    locale,
    tasks: playbook.tasks,
    note: '',
    createdBy: caller.userId,
  });
  await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
    action: 'plan.created',
    targetType: 'plan',
    targetId: plan.id,
    data: { type, locale, version: 1, versionId: version.id },
  });
  return { ...plan, version };
}

export interface SaveVersion {
  /** The version the editor started from: a save over someone else's newer one is refused. */
  baseVersion: number;
  name: string;
  locale: Locale;
  tasks: (Omit<PlanTask, 'key' | 'clock'> & { key?: string; clock?: PlanTask['clock'] })[];
  note?: string;
}

/** Every save is a new, immutable version; incidents already running keep theirs. */
export async function saveVersion(
  tx: Sql,
  auditKey: Buffer,
  caller: PlanCaller,
  planId: string,
  body: SaveVersion,
): Promise<VersionRow> {
  const plan = await mustFindPlan(tx, planId);
  const current = await mustFindVersion(tx, plan.id);
  if (current.version !== body.baseVersion) {
    throw new AppError('conflict', { reason: 'stale_version', currentVersion: current.version });
  }
  const seen = new Set<string>();
  const tasks: PlanTask[] = body.tasks.map((task, i) => {
    const key = task.key ?? `task-${randomBytes(4).toString('hex')}`;
    if (seen.has(key)) {
      throw new AppError('validation_failed', {
        where: `body/tasks/${i}/key`,
        problem: 'duplicate key',
      });
    }
    seen.add(key);
    return {
      key,
      title: task.title.trim(),
      description: task.description.trim(),
      phase: task.phase,
      owner: task.owner,
      dueAfterMinutes: task.dueAfterMinutes,
      kind: task.kind,
      clock: task.clock ?? null,
    };
  });
  let version: VersionRow;
  try {
    version = await insertVersion(tx, {
      organizationId: caller.organizationId,
      planId: plan.id,
      version: current.version + 1,
      name: body.name.trim(),
      locale: body.locale,
      tasks,
      note: body.note?.trim() ?? '',
      createdBy: caller.userId,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', { reason: 'stale_version' });
    throw error;
  }
  await appendAudit(tx, auditKey, caller.organizationId, caller.actor, {
    action: 'plan.version_saved',
    targetType: 'plan',
    targetId: plan.id,
    data: { version: version.version, versionId: version.id, tasks: tasks.length },
  });
  return version;
}

export interface PlanCheck {
  flags: CheckFlag[];
  lastExercisedAt: Date | null;
}

/**
 * Checks tasks of a plan of the given type against the organization's
 * out-of-band list, exercises and undue-delay target. `tx` should see every incident of the
 * organization (a restricted exercise still counts), so callers pass a
 * system transaction for the exercise look-up.
 */
export async function runCheck(
  tx: Sql,
  type: IncidentType,
  tasks: PlanTask[],
  now = new Date(),
): Promise<PlanCheck> {
  const contacts = await contactCount(tx);
  const lastExercisedAt = await lastExerciseAt(tx, type);
  const targetHours = await undueDelayTargetHours(tx);
  return {
    flags: checkPlan({
      type,
      tasks,
      contactCount: contacts,
      lastExercisedAt,
      undueDelayTargetHours: targetHours,
      now,
    }),
    lastExercisedAt,
  };
}

/** Checks a version of a plan (the newest unless one is given); `tx` as for runCheck. */
export async function checkPlanVersion(
  tx: Sql,
  id: string,
  wanted: number | undefined,
): Promise<{ plan: PlanRow; version: VersionRow; result: PlanCheck }> {
  const plan = await mustFindPlan(tx, id);
  const version = await mustFindVersion(tx, plan.id, wanted);
  const result = await runCheck(tx, plan.incident_type, version.tasks);
  return { plan, version, result };
}
