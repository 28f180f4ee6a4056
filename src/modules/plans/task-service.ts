import type { Config } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { PERMISSIONS, type Role } from '../access/index.js';
import type { Actor } from '../access/index.js';
import type { AuditActor } from '../audit/index.js';
import { clockDueTimes } from '../deadlines/index.js';
import {
  recordEvent,
  incidentMembers,
  isIncidentMember,
  mustFindIncident,
  type IncidentRow,
  type MemberRow,
  type IncidentReaction,
} from '../incidents/index.js';
import {
  FALLBACK_QUEUE,
  isIncidentOwnerRole,
  type OrgOwnerRole,
  type OwnerRole,
  type PlanTask,
} from './plan-model.js';
import {
  assignTask,
  closeTask,
  findIncidentPlan,
  findPlanForType,
  findTask,
  findUserStanding,
  findVersion,
  insertIncidentPlan,
  listQueuedTasks,
  listTasks,
  type IncidentPlanRow,
  type NewTask,
  type TaskRow,
  type Texts,
} from './plan-repo.js';
import { PLAYBOOKS } from './playbooks/index.js';
import { clockDeadlines, offsetsStart, taskDue } from './task-due.js';

/** What this needs of the app: the audit key (and the master key) from its secrets. */
export interface TaskDeps {
  config: Pick<Config, 'secrets'>;
}

export interface StartedPlan {
  name: string;
  /** The organization's plan version, or null for the built-in playbook. */
  planVersionId: string | null;
  version: number | null;
  tasks: number;
}

/**
 * Who a task goes to: an incident role to the member holding it (or, while
 * nobody does, to the queue of the organization role behind it); an
 * organization role stays that role's queue.
 */
export function assigneeFor(
  owner: OwnerRole | null,
  members: Pick<MemberRow, 'user_id' | 'role'>[],
): { userId: string | null; role: OrgOwnerRole | null } {
  if (!owner) return { userId: null, role: null };
  if (!isIncidentOwnerRole(owner)) return { userId: null, role: owner };
  const member = members.find((m) => m.role === owner);
  return member ? { userId: member.user_id, role: null } : { userId: null, role: FALLBACK_QUEUE[owner] };
}

/**
 * Starts the plan for the incident's type: the organization's newest version
 * if it has one, else the built-in playbook. Tasks are copied onto the
 * incident with owners, offsets and clocks, so later edits of the plan never
 * change a running incident; due times as task-due.ts says (awareness +
 * offset, before the clock). Starting twice does nothing.
 */
export async function startPlan(
  tx: Sql,
  deps: TaskDeps,
  incident: IncidentRow,
  actor: AuditActor,
): Promise<StartedPlan | null> {
  if (await findIncidentPlan(tx, incident.id)) return null;
  const own = await findPlanForType(tx, incident.type);
  const version = own ? await findVersion(tx, own.id) : undefined;
  const builtin = PLAYBOOKS[incident.type];

  type Source = Pick<PlanTask, 'key' | 'phase' | 'owner' | 'dueAfterMinutes' | 'kind' | 'clock'> & {
    title: Texts;
    description: Texts;
  };
  const sources: Source[] = version
    ? version.tasks.map((t) => ({
        ...t,
        title: { [version.locale]: t.title },
        description: { [version.locale]: t.description },
      }))
    : builtin.tasks.map((t) => ({ ...t, kind: t.kind ?? null, clock: t.clock ?? null }));

  const members = await incidentMembers(tx, incident.id);
  const from = offsetsStart(incident);
  const clocks = clockDeadlines(await clockDueTimes(tx, incident.id));
  const tasks: NewTask[] = sources.map((t) => {
    const assignee = assigneeFor(t.owner, members);
    return {
      key: t.key,
      title: t.title,
      description: t.description,
      phase: t.phase,
      kind: t.kind,
      ownerRole: t.owner,
      assigneeUserId: assignee.userId,
      assigneeRole: assignee.role,
      dueAfterMinutes: t.dueAfterMinutes,
      clock: t.clock,
      dueAt: taskDue(t, from, clocks),
    };
  });
  const name = version?.name ?? builtin.name.en;
  await insertIncidentPlan(
    tx,
    {
      organizationId: incident.organization_id,
      incidentId: incident.id,
      planVersionId: version?.id ?? null,
      playbook: own?.source_playbook ?? incident.type,
      name,
      startedBy: actor.type === 'user' ? actor.id : null,
    },
    tasks,
  );
  await recordEvent(tx, deps.config.secrets.auditKey, {
    organizationId: incident.organization_id,
    incidentId: incident.id,
    actor,
    kind: 'plan_started',
    data: {
      // Texts per language, as the tasks' titles are.
      name: version ? { [version.locale]: name } : builtin.name,
      source: version ? 'organization' : 'builtin',
      planId: own?.id ?? null,
      version: version?.version ?? null,
      tasks: tasks.length,
      isExercise: incident.is_exercise,
    },
    auditData: {
      planVersionId: version?.id ?? null,
      playbook: incident.type,
      tasks: tasks.length,
      exercise: incident.is_exercise,
    },
  });
  return { name, planVersionId: version?.id ?? null, version: version?.version ?? null, tasks: tasks.length };
}

const MANAGE_ANY_TASK: readonly Role[] = ['admin', 'incident_manager'];

/**
 * 'tasks.work': admins and incident managers work any task; communications,
 * legal and support only tasks assigned to them, personally or to one of
 * their roles. An API token was scoped to the work by an admin.
 */
export function mayWork(actor: Actor, task: Pick<TaskRow, 'assignee_user_id' | 'assignee_role'>): boolean {
  if (actor.type === 'api_token') return actor.scopes.includes('tasks.work');
  if (actor.roles.some((r) => MANAGE_ANY_TASK.includes(r))) return true;
  if (!actor.roles.some((r) => (PERMISSIONS['tasks.work'] as readonly Role[]).includes(r))) return false;
  if (task.assignee_user_id === actor.id) return true;
  return task.assignee_role !== null && actor.roles.includes(task.assignee_role);
}

export interface TaskCaller {
  organizationId: string;
  actor: Actor;
  audit: AuditActor;
}

async function workableTask(
  tx: Sql,
  caller: TaskCaller,
  incidentId: string,
  taskId: string,
): Promise<TaskRow> {
  const task = await findTask(tx, incidentId, taskId);
  if (!task) throw new AppError('not_found');
  if (!mayWork(caller.actor, task)) throw new AppError('forbidden');
  if (task.status !== 'open') throw new AppError('conflict', { reason: 'task_closed', status: task.status });
  return task;
}

/** A task worked on, with its incident (whose view it is part of). */
export interface WorkedTask {
  incident: IncidentRow;
  task: TaskRow;
}

export async function completeTask(
  tx: Sql,
  auditKey: Buffer,
  caller: TaskCaller,
  incidentId: string,
  taskId: string,
): Promise<WorkedTask> {
  const incident = await mustFindIncident(tx, incidentId);
  const task = await workableTask(tx, caller, incident.id, taskId);
  const by = caller.actor.type === 'user' ? caller.actor.id : null;
  if (!(await closeTask(tx, task.id, { status: 'done', by, reason: null }))) {
    throw new AppError('conflict', { reason: 'task_closed' });
  }
  await recordEvent(tx, auditKey, {
    organizationId: caller.organizationId,
    incidentId,
    actor: caller.audit,
    kind: 'task_completed',
    data: {
      taskId: task.id,
      taskKey: task.task_key,
      title: task.title,
      onTime: task.due_at.getTime() >= Date.now(),
    },
    auditData: { taskId: task.id, taskKey: task.task_key },
  });
  return { incident, task: (await findTask(tx, incidentId, taskId))! };
}

export async function skipTask(
  tx: Sql,
  auditKey: Buffer,
  caller: TaskCaller,
  incidentId: string,
  taskId: string,
  reason: string,
): Promise<WorkedTask> {
  const incident = await mustFindIncident(tx, incidentId);
  const why = reason.trim();
  if (!why) throw new AppError('validation_failed', { where: 'body/reason', problem: 'empty' });
  const task = await workableTask(tx, caller, incident.id, taskId);
  const by = caller.actor.type === 'user' ? caller.actor.id : null;
  if (!(await closeTask(tx, task.id, { status: 'skipped', by, reason: why }))) {
    throw new AppError('conflict', { reason: 'task_closed' });
  }
  await recordEvent(tx, auditKey, {
    organizationId: caller.organizationId,
    incidentId,
    actor: caller.audit,
    kind: 'task_skipped',
    data: { taskId: task.id, taskKey: task.task_key, title: task.title },
    // The reason is free text: on the timeline, never in the audit log.
    note: why,
    auditData: { taskId: task.id, taskKey: task.task_key },
  });
  return { incident, task: (await findTask(tx, incidentId, taskId))! };
}

export type ReassignTo = { userId: string } | { role: OrgOwnerRole };

export async function reassignTask(
  tx: Sql,
  auditKey: Buffer,
  caller: TaskCaller,
  incidentId: string,
  taskId: string,
  to: ReassignTo,
): Promise<WorkedTask> {
  const incident = await mustFindIncident(tx, incidentId);
  const task = await workableTask(tx, caller, incident.id, taskId);
  const target = 'userId' in to ? { userId: to.userId, role: null } : { userId: null, role: to.role };
  if (target.userId) await assertCanTakeTask(tx, incident, target.userId);
  if (!(await assignTask(tx, task.id, target))) throw new AppError('conflict', { reason: 'task_closed' });
  await recordEvent(tx, auditKey, {
    organizationId: caller.organizationId,
    incidentId: incident.id,
    actor: caller.audit,
    kind: 'task_reassigned',
    data: {
      taskId: task.id,
      taskKey: task.task_key,
      title: task.title,
      from: { userId: task.assignee_user_id, role: task.assignee_role },
      to: target,
    },
    auditData: {
      taskId: task.id,
      fromUser: task.assignee_user_id,
      fromRole: task.assignee_role,
      toUser: target.userId,
      toRole: target.role,
    },
  });
  return { incident, task: (await findTask(tx, incident.id, taskId))! };
}

/** A task goes only to an active colleague who may work tasks and, on a restricted incident, is a member. */
async function assertCanTakeTask(tx: Sql, incident: Pick<IncidentRow, 'id' | 'restricted'>, userId: string) {
  const user = await findUserStanding(tx, userId);
  const problem = !user
    ? 'unknown user'
    : user.status !== 'active'
      ? 'inactive user'
      : !user.roles.some((r) => (PERMISSIONS['tasks.work'] as readonly Role[]).includes(r))
        ? 'cannot work tasks'
        : undefined;
  if (problem) throw new AppError('validation_failed', { where: 'body/userId', problem });
  if (incident.restricted && !(await isIncidentMember(tx, incident.id, userId))) {
    throw new AppError('validation_failed', { where: 'body/userId', problem: 'not a member' });
  }
}

/**
 * A task the plan gave to an incident role nobody held waits in an
 * organization role's queue; once a member takes that incident role, the
 * open tasks still waiting there become theirs.
 */
export async function handOverQueuedTasks(
  tx: Sql,
  deps: TaskDeps,
  incident: IncidentRow,
  actor: AuditActor,
): Promise<number> {
  const members = await incidentMembers(tx, incident.id);
  const queued = await listQueuedTasks(tx, incident.id);
  const handed: { taskKey: string; userId: string }[] = [];
  for (const task of queued) {
    const to = assigneeFor(task.owner_role, members);
    if (to.userId && (await assignTask(tx, task.id, to)))
      handed.push({ taskKey: task.task_key, userId: to.userId });
  }
  if (handed.length > 0) {
    await recordEvent(tx, deps.config.secrets.auditKey, {
      organizationId: incident.organization_id,
      incidentId: incident.id,
      actor,
      kind: 'tasks_handed_over',
      data: { tasks: handed },
      auditData: { count: handed.length },
    });
  }
  return handed.length;
}

/** An incident's plan and tasks, and the instant they were read at (which says what is overdue). */
export interface IncidentTasks {
  incident: IncidentRow;
  plan: IncidentPlanRow | undefined;
  now: Date;
  tasks: TaskRow[];
}

async function tasksOf(tx: Sql, incident: IncidentRow): Promise<IncidentTasks> {
  const plan = await findIncidentPlan(tx, incident.id);
  const now = new Date();
  return { incident, plan, now, tasks: await listTasks(tx, incident.id) };
}

export async function incidentTasks(tx: Sql, incidentId: string): Promise<IncidentTasks> {
  return tasksOf(tx, await mustFindIncident(tx, incidentId));
}

/** Starts the plan of an incident opened without it (an alert, when the organization says so). */
export async function startIncidentPlan(
  tx: Sql,
  deps: TaskDeps,
  incidentId: string,
  actor: AuditActor,
): Promise<IncidentTasks> {
  const incident = await mustFindIncident(tx, incidentId);
  if (!(await startPlan(tx, deps, incident, actor))) {
    throw new AppError('conflict', { reason: 'plan_started' });
  }
  return tasksOf(tx, incident);
}

/**
 * Plans react to incidents: a declared incident starts its plan; new members take queued
 * tasks. Due times follow awareness through the clocks' sync that every change causes
 * (taskClockFollower), so that they move after the clocks, never before.
 */
export const planReaction: IncidentReaction = {
  async declared(ctx) {
    if (ctx.startPlan) await startPlan(ctx.tx, ctx.deps, ctx.incident, ctx.actor);
  },
  async changed(ctx) {
    if (ctx.changed.includes('members')) await handOverQueuedTasks(ctx.tx, ctx.deps, ctx.incident, ctx.actor);
  },
};
