import type { Sql } from '../../platform/db.js';
import type { Locale } from '../../platform/i18n.js';
import type { Role } from '../access/index.js';
import type { RuleId } from '../deadlines/index.js';
import type { IncidentType } from '../incidents/index.js';
import type { OrgOwnerRole, OwnerRole, Phase, PlanTask, TaskKind } from './plan-model.js';

export interface PlanRow {
  id: string;
  incident_type: IncidentType;
  source_playbook: string;
  created_at: Date;
}

export interface VersionRow {
  id: string;
  plan_id: string;
  version: number;
  name: string;
  locale: Locale;
  tasks: PlanTask[];
  note: string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
}

/** A plan with its newest version: the one an incident of its type starts with. */
export interface CurrentPlanRow extends PlanRow {
  version: VersionRow;
}

const VERSION_COLUMNS = `v.id, v.plan_id, v.version, v.name, v.locale, v.tasks, v.note, v.created_by,
  u.display_name AS created_by_name, v.created_at`;

/** Versions saved before tasks could be tied to a legal clock have tasks without one. */
const withClocks = <V extends Pick<VersionRow, 'tasks'>>(v: V): V => ({
  ...v,
  tasks: v.tasks.map((task) => ({ ...task, clock: task.clock ?? null })),
});

export async function listPlans(tx: Sql): Promise<CurrentPlanRow[]> {
  const rows = await tx.query<PlanRow & { v: VersionRow }>(
    `SELECT p.id, p.incident_type, p.source_playbook, p.created_at, row_to_json(cv) AS v
     FROM response_plans p
     CROSS JOIN LATERAL (
       SELECT ${VERSION_COLUMNS} FROM plan_versions v LEFT JOIN users u ON u.id = v.created_by
       WHERE v.plan_id = p.id ORDER BY v.version DESC LIMIT 1) cv
     ORDER BY p.incident_type`,
  );
  return rows.map(({ v, ...plan }) => ({
    ...plan,
    version: withClocks({ ...v, created_at: new Date(v.created_at) }),
  }));
}

export async function findPlan(tx: Sql, id: string): Promise<PlanRow | undefined> {
  return (
    await tx.query<PlanRow>(
      'SELECT id, incident_type, source_playbook, created_at FROM response_plans WHERE id = $1',
      [id],
    )
  )[0];
}

export async function findPlanForType(tx: Sql, type: IncidentType): Promise<PlanRow | undefined> {
  return (
    await tx.query<PlanRow>(
      'SELECT id, incident_type, source_playbook, created_at FROM response_plans WHERE incident_type = $1',
      [type],
    )
  )[0];
}

export async function insertPlan(
  tx: Sql,
  plan: { organizationId: string; type: IncidentType; sourcePlaybook: string; createdBy: string | null },
): Promise<PlanRow> {
  return (
    await tx.query<PlanRow>(
      `INSERT INTO response_plans (organization_id, incident_type, source_playbook, created_by)
       VALUES ($1, $2, $3, $4) RETURNING id, incident_type, source_playbook, created_at`,
      [plan.organizationId, plan.type, plan.sourcePlaybook, plan.createdBy],
    )
  )[0]!;
}

/** The newest version, or the given one. */
export async function findVersion(
  tx: Sql,
  planId: string,
  version?: number,
): Promise<VersionRow | undefined> {
  const found = (
    await tx.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM plan_versions v LEFT JOIN users u ON u.id = v.created_by
       WHERE v.plan_id = $1 AND ($2::int IS NULL OR v.version = $2)
       ORDER BY v.version DESC LIMIT 1`,
      [planId, version ?? null],
    )
  )[0];
  return found && withClocks(found);
}

export async function listVersions(tx: Sql, planId: string): Promise<VersionRow[]> {
  const rows = await tx.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM plan_versions v LEFT JOIN users u ON u.id = v.created_by
     WHERE v.plan_id = $1 ORDER BY v.version DESC`,
    [planId],
  );
  return rows.map(withClocks);
}

/** Adds a version; two saves racing for one number meet the unique key and one fails. */
export async function insertVersion(
  tx: Sql,
  v: {
    organizationId: string;
    planId: string;
    version: number;
    name: string;
    locale: Locale;
    tasks: PlanTask[];
    note: string;
    createdBy: string | null;
  },
): Promise<VersionRow> {
  await tx.query(
    `INSERT INTO plan_versions (organization_id, plan_id, version, name, locale, tasks, note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [v.organizationId, v.planId, v.version, v.name, v.locale, JSON.stringify(v.tasks), v.note, v.createdBy],
  );
  return (await findVersion(tx, v.planId, v.version))!;
}

/** The organization's own target for "without undue delay" where the law sets no bound, in hours. */
export async function undueDelayTargetHours(tx: Sql): Promise<number> {
  return (
    (await tx.query<{ hours: number }>('SELECT undue_delay_target_hours AS hours FROM organizations'))[0]
      ?.hours ?? 72
  );
}

export async function contactCount(tx: Sql): Promise<number> {
  return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM oob_contacts'))[0]!.n;
}

/** When the last exercise incident of the type was started (an exercise of that type's plan). */
export async function lastExerciseAt(tx: Sql, type: IncidentType): Promise<Date | null> {
  return (
    await tx.query<{ at: Date | null }>(
      'SELECT max(created_at) AS at FROM incidents WHERE is_exercise AND type = $1',
      [type],
    )
  )[0]!.at;
}

// The plan an incident runs and its tasks.

export interface IncidentPlanRow {
  incident_id: string;
  plan_version_id: string | null;
  plan_id: string | null;
  version: number | null;
  playbook: string;
  name: string;
  started_at: Date;
}

export async function findIncidentPlan(tx: Sql, incidentId: string): Promise<IncidentPlanRow | undefined> {
  return (
    await tx.query<IncidentPlanRow>(
      `SELECT ip.incident_id, ip.plan_version_id, v.plan_id, v.version, ip.playbook, ip.name, ip.started_at
       FROM incident_plans ip LEFT JOIN plan_versions v ON v.id = ip.plan_version_id
       WHERE ip.incident_id = $1`,
      [incidentId],
    )
  )[0];
}

export type Texts = Partial<Record<Locale, string>>;

export interface NewTask {
  key: string;
  title: Texts;
  description: Texts;
  phase: Phase;
  kind: TaskKind | null;
  ownerRole: OwnerRole | null;
  assigneeUserId: string | null;
  assigneeRole: OrgOwnerRole | null;
  /** Kept with the task, so that it can be rescheduled when awareness or its clock moves. */
  dueAfterMinutes: number;
  clock: RuleId | null;
  dueAt: Date;
}

export async function insertIncidentPlan(
  tx: Sql,
  plan: {
    organizationId: string;
    incidentId: string;
    planVersionId: string | null;
    playbook: string;
    name: string;
    startedBy: string | null;
  },
  tasks: NewTask[],
): Promise<void> {
  await tx.query(
    `INSERT INTO incident_plans (incident_id, organization_id, plan_version_id, playbook, name, started_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [plan.incidentId, plan.organizationId, plan.planVersionId, plan.playbook, plan.name, plan.startedBy],
  );
  if (tasks.length === 0) return;
  // One statement for all tasks: a plan starts inside the declaring transaction.
  await tx.query(
    `INSERT INTO incident_tasks (organization_id, incident_id, position, task_key, title, description, phase, kind,
       owner_role, assignee_user_id, assignee_role, due_after_minutes, clock_rule, due_at)
     SELECT $1, $2, t.position, t.key, t.title, t.description, t.phase, t.kind, t.owner_role,
            t.assignee_user_id, t.assignee_role, t.due_after_minutes, t.clock_rule, t.due_at
     FROM jsonb_to_recordset($3::jsonb) AS t(position int, key text, title jsonb, description jsonb, phase text,
       kind text, owner_role text, assignee_user_id uuid, assignee_role text, due_after_minutes int,
       clock_rule text, due_at timestamptz)`,
    [
      plan.organizationId,
      plan.incidentId,
      JSON.stringify(
        tasks.map((t, position) => ({
          position,
          key: t.key,
          title: t.title,
          description: t.description,
          phase: t.phase,
          kind: t.kind,
          owner_role: t.ownerRole,
          assignee_user_id: t.assigneeUserId,
          assignee_role: t.assigneeRole,
          due_after_minutes: t.dueAfterMinutes,
          clock_rule: t.clock,
          due_at: t.dueAt.toISOString(),
        })),
      ),
    ],
  );
}

export interface TaskRow {
  id: string;
  incident_id: string;
  position: number;
  task_key: string;
  title: Texts;
  description: Texts;
  phase: Phase;
  kind: TaskKind | null;
  owner_role: OwnerRole | null;
  assignee_user_id: string | null;
  assignee_name: string | null;
  assignee_role: OrgOwnerRole | null;
  clock_rule: RuleId | null;
  due_at: Date;
  status: 'open' | 'done' | 'skipped';
  closed_at: Date | null;
  closed_by: string | null;
  closed_by_name: string | null;
  skip_reason: string | null;
}

const TASK_SELECT = `SELECT t.id, t.incident_id, t.position, t.task_key, t.title, t.description, t.phase, t.kind,
    t.owner_role, t.assignee_user_id, a.display_name AS assignee_name, t.assignee_role, t.clock_rule, t.due_at,
    t.status,
    t.closed_at, t.closed_by, c.display_name AS closed_by_name, t.skip_reason
  FROM incident_tasks t
  LEFT JOIN users a ON a.id = t.assignee_user_id
  LEFT JOIN users c ON c.id = t.closed_by`;

export async function listTasks(tx: Sql, incidentId: string): Promise<TaskRow[]> {
  return tx.query<TaskRow>(`${TASK_SELECT} WHERE t.incident_id = $1 ORDER BY t.position`, [incidentId]);
}

export async function findTask(tx: Sql, incidentId: string, taskId: string): Promise<TaskRow | undefined> {
  return (
    await tx.query<TaskRow>(`${TASK_SELECT} WHERE t.incident_id = $1 AND t.id = $2`, [incidentId, taskId])
  )[0];
}

/** Open tasks the plan gave to an incident role nobody held, still waiting in a queue. */
export async function listQueuedTasks(
  tx: Sql,
  incidentId: string,
): Promise<{ id: string; task_key: string; owner_role: OwnerRole }[]> {
  return tx.query<{ id: string; task_key: string; owner_role: OwnerRole }>(
    `SELECT id, task_key, owner_role FROM incident_tasks
     WHERE incident_id = $1 AND status = 'open' AND assignee_user_id IS NULL
       AND owner_role IN ('commander', 'communications_lead', 'legal_lead')
     ORDER BY position`,
    [incidentId],
  );
}

export interface TaskTimes {
  id: string;
  due_after_minutes: number;
  clock_rule: RuleId | null;
  due_at: Date;
}

/** What an incident's open tasks are due from: done and skipped tasks keep the due time they had. */
export async function listOpenTaskTimes(tx: Sql, incidentId: string): Promise<TaskTimes[]> {
  return tx.query<TaskTimes>(
    `SELECT id, due_after_minutes, clock_rule, due_at FROM incident_tasks
     WHERE incident_id = $1 AND status = 'open' ORDER BY position`,
    [incidentId],
  );
}

export async function setTaskDue(tx: Sql, taskId: string, dueAt: Date): Promise<void> {
  await tx.query(`UPDATE incident_tasks SET due_at = $2 WHERE id = $1 AND status = 'open'`, [taskId, dueAt]);
}

/** Closes an open task; false when it was no longer open (someone else closed it first). */
export async function closeTask(
  tx: Sql,
  taskId: string,
  close: { status: 'done' | 'skipped'; by: string | null; reason: string | null },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE incident_tasks SET status = $2, closed_at = now(), closed_by = $3, skip_reason = $4
     WHERE id = $1 AND status = 'open' RETURNING id`,
    [taskId, close.status, close.by, close.reason],
  );
  return rows.length === 1;
}

export async function assignTask(
  tx: Sql,
  taskId: string,
  to: { userId: string | null; role: OrgOwnerRole | null },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE incident_tasks SET assignee_user_id = $2, assignee_role = $3
     WHERE id = $1 AND status = 'open' RETURNING id`,
    [taskId, to.userId, to.role],
  );
  return rows.length === 1;
}

/** Whether a user may be given a task: their roles and status (RLS hides other organizations' users). */
export async function findUserStanding(
  tx: Sql,
  userId: string,
): Promise<{ roles: Role[]; status: string } | undefined> {
  return (
    await tx.query<{ roles: Role[]; status: string }>('SELECT roles, status FROM users WHERE id = $1', [
      userId,
    ])
  )[0];
}
