import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LOCALES, type Locale } from '../../platform/i18n.js';
import { requestLocale } from '../../platform/request-locale.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import type { Actor } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import type { IncidentType, IncidentRow } from '../incidents/index.js';
import type { TaskRow, Texts } from './plan-repo.js';
import { PLAYBOOKS } from './playbooks/index.js';
import { IdParams, IncidentTasksView, ReassignBody, SkipBody, TaskParams, TaskView } from './plan-schemas.js';
import {
  completeTask,
  incidentTasks,
  mayWork,
  reassignTask,
  skipTask,
  startIncidentPlan,
  type IncidentTasks,
  type TaskCaller,
  type WorkedTask,
} from './task-service.js';

const readIncidents: { access: Access } = { access: { kind: 'permission', permission: 'incidents.read' } };
const manageIncidents: { access: Access } = {
  access: { kind: 'permission', permission: 'incidents.manage' },
};
const work: { access: Access } = { access: { kind: 'permission', permission: 'tasks.work' } };
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** The caller's language when the plan has it, else the first language it has. */
function pick(texts: Texts, locale: Locale): { text: string; locale: Locale } {
  const chosen =
    texts[locale] !== undefined ? locale : (LOCALES.find((l) => texts[l] !== undefined) ?? locale);
  return { text: texts[chosen] ?? '', locale: chosen };
}

export function taskView(
  task: TaskRow,
  incident: IncidentRow,
  locale: Locale,
  actor: Actor,
  now: Date,
): TaskView {
  const title = pick(task.title, locale);
  return {
    id: task.id,
    incidentId: task.incident_id,
    isExercise: incident.is_exercise,
    key: task.task_key,
    title: title.text,
    description: task.description[title.locale] ?? pick(task.description, locale).text,
    locale: title.locale,
    phase: task.phase,
    kind: task.kind,
    ownerRole: task.owner_role,
    assignee: task.assignee_user_id ? { id: task.assignee_user_id, displayName: task.assignee_name } : null,
    assigneeRole: task.assignee_role,
    clock: task.clock_rule,
    dueAt: task.due_at.toISOString(),
    overdue: task.status === 'open' && task.due_at < now,
    status: task.status,
    closedAt: task.closed_at?.toISOString() ?? null,
    closedBy: task.closed_by ? { id: task.closed_by, displayName: task.closed_by_name } : null,
    skipReason: task.skip_reason,
    canWork: task.status === 'open' && mayWork(actor, task),
  };
}

function tasksView({ incident, plan, now, tasks }: IncidentTasks, locale: Locale, actor: Actor) {
  return {
    incidentId: incident.id,
    isExercise: incident.is_exercise,
    plan: plan
      ? {
          // A built-in playbook is named in the caller's language; an organization's plan in its own.
          name: plan.plan_version_id
            ? plan.name
            : (PLAYBOOKS[plan.playbook as IncidentType]?.name[locale] ?? plan.name),
          source: plan.plan_version_id ? ('organization' as const) : ('builtin' as const),
          playbook: plan.playbook,
          planId: plan.plan_id,
          planVersionId: plan.plan_version_id,
          version: plan.version,
          startedAt: plan.started_at.toISOString(),
        }
      : null,
    tasks: tasks.map((task) => taskView(task, incident, locale, actor, now)),
  };
}

const callerOf = (request: FastifyRequest): TaskCaller => ({
  organizationId: authOf(request).organizationId,
  actor: authOf(request).actor,
  audit: requestActor(request),
});

/** An incident's plan and tasks: read, start, complete, reassign, skip. */
export async function taskRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;

  app.get(
    '/api/incidents/:id/tasks',
    {
      config: readIncidents,
      schema: { tags: ['tasks'], params: IdParams, response: { 200: IncidentTasksView, ...errors } },
    },
    async (request) =>
      tasksView(
        await withCaller(db, request, (tx) => incidentTasks(tx, request.params.id)),
        requestLocale(request),
        authOf(request).actor,
      ),
  );

  // An incident opened without its plan (an alert, when the organization says so) gets it here.
  app.post(
    '/api/incidents/:id/plan',
    {
      config: manageIncidents,
      schema: { tags: ['tasks'], params: IdParams, response: { 201: IncidentTasksView, ...errors } },
    },
    async (request, reply) => {
      const started = await withCaller(db, request, (tx) =>
        startIncidentPlan(tx, app.deps, request.params.id, requestActor(request)),
      );
      return reply.status(201).send(tasksView(started, requestLocale(request), authOf(request).actor));
    },
  );

  const taskRoute = {
    config: work,
    schema: { tags: ['tasks'], params: TaskParams, response: { 200: TaskView, ...errors } },
  };
  const respond = (request: FastifyRequest, { incident, task }: WorkedTask) =>
    taskView(task, incident, requestLocale(request), authOf(request).actor, new Date());

  app.post('/api/incidents/:id/tasks/:taskId/complete', taskRoute, async (request) =>
    respond(
      request,
      await withCaller(db, request, (tx) =>
        completeTask(tx, auditKey, callerOf(request), request.params.id, request.params.taskId),
      ),
    ),
  );

  app.post(
    '/api/incidents/:id/tasks/:taskId/reassign',
    { ...taskRoute, schema: { ...taskRoute.schema, body: ReassignBody } },
    async (request) =>
      respond(
        request,
        await withCaller(db, request, (tx) =>
          reassignTask(
            tx,
            auditKey,
            callerOf(request),
            request.params.id,
            request.params.taskId,
            request.body,
          ),
        ),
      ),
  );

  app.post(
    '/api/incidents/:id/tasks/:taskId/skip',
    { ...taskRoute, schema: { ...taskRoute.schema, body: SkipBody } },
    async (request) =>
      respond(
        request,
        await withCaller(db, request, (tx) =>
          skipTask(
            tx,
            auditKey,
            callerOf(request),
            request.params.id,
            request.params.taskId,
            request.body.reason,
          ),
        ),
      ),
  );
}
