import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { t, type Locale, type MessageKey } from '../../platform/i18n.js';
import { requestLocale } from '../../platform/request-locale.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import type { IncidentType } from '../incidents/index.js';
import { contactRoutes } from './contact-routes.js';
import type { PlanTask } from './plan-model.js';
import { listPlans, type CurrentPlanRow, type VersionRow } from './plan-repo.js';
import {
  CheckQuery,
  CheckView,
  CopyBody,
  IdParams,
  PlanSummary,
  PlanView,
  PlaybookView,
  SaveVersionBody,
  TypeParams,
  VersionParams,
  VersionSummary,
  VersionView,
} from './plan-schemas.js';
import {
  checkPlanVersion,
  copyPlaybook,
  currentPlan,
  planVersion,
  planVersions,
  runCheck,
  saveVersion,
  type PlanCaller,
  type PlanCheck,
} from './plan-service.js';
import { localizePlaybook, PLAYBOOK_LIST, PLAYBOOKS } from './playbooks/index.js';
import { taskRoutes } from './task-routes.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'plans.read' } };
const manage: { access: Access } = { access: { kind: 'permission', permission: 'plans.manage' } };
const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export function versionSummary(v: VersionRow) {
  return {
    id: v.id,
    version: v.version,
    name: v.name,
    locale: v.locale,
    note: v.note,
    taskCount: v.tasks.length,
    createdBy: v.created_by ? { id: v.created_by, displayName: v.created_by_name } : null,
    createdAt: v.created_at.toISOString(),
  };
}

export function versionView(v: VersionRow): VersionView {
  return { ...versionSummary(v), planId: v.plan_id, tasks: v.tasks };
}

function planView(plan: CurrentPlanRow) {
  return {
    id: plan.id,
    type: plan.incident_type,
    sourcePlaybook: plan.source_playbook,
    createdAt: plan.created_at.toISOString(),
    current: versionView(plan.version),
  };
}

function checkView(
  locale: Locale,
  type: IncidentType,
  plan: { id: string; version: number } | null,
  tasks: PlanTask[],
  result: PlanCheck,
) {
  const titles = new Map(tasks.map((task) => [task.key, task.title]));
  return {
    type,
    planId: plan?.id ?? null,
    version: plan?.version ?? null,
    ok: result.flags.length === 0,
    checkedAt: new Date().toISOString(),
    lastExercisedAt: result.lastExercisedAt?.toISOString() ?? null,
    flags: result.flags.map((flag) => ({
      code: flag.code,
      taskKey: flag.taskKey,
      clock: flag.clock ?? null,
      message: t(locale, `plan.check.${flag.code}` as MessageKey, {
        task: (flag.taskKey && titles.get(flag.taskKey)) || flag.taskKey || '',
        clock: flag.clock ? t(locale, `deadline.rule.${flag.clock}`) : '',
      }),
    })),
  };
}

const callerOf = (request: FastifyRequest): PlanCaller => ({
  organizationId: authOf(request).organizationId,
  actor: requestActor(request),
  userId: authOf(request).actor.type === 'user' ? authOf(request).actor.id : null,
});

/** Built-in playbooks, organization plans and their versions, the plan check; tasks and contacts beside. */
export async function planRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;

  app.get(
    '/api/playbooks',
    { config: read, schema: { tags: ['plans'], response: { 200: Type.Array(PlaybookView) } } },
    async (request) => PLAYBOOK_LIST.map((p) => localizePlaybook(p, requestLocale(request))),
  );

  app.get(
    '/api/playbooks/:type',
    {
      config: read,
      schema: { tags: ['plans'], params: TypeParams, response: { 200: PlaybookView, ...errors } },
    },
    async (request) => localizePlaybook(PLAYBOOKS[request.params.type], requestLocale(request)),
  );

  // The exercise look-up counts restricted exercise incidents too, so a check runs as
  // system work: it reads only the date of the last exercise, never an incident.
  app.get(
    '/api/playbooks/:type/check',
    {
      config: read,
      schema: { tags: ['plans'], params: TypeParams, response: { 200: CheckView, ...errors } },
    },
    async (request) => {
      const locale = requestLocale(request);
      const playbook = localizePlaybook(PLAYBOOKS[request.params.type], locale);
      const result = await withOrg(
        db,
        authOf(request).organizationId,
        (tx) => runCheck(tx, playbook.type, playbook.tasks),
        { system: true },
      );
      return checkView(locale, playbook.type, null, playbook.tasks, result);
    },
  );

  app.get(
    '/api/plans',
    { config: read, schema: { tags: ['plans'], response: { 200: Type.Array(PlanSummary) } } },
    async (request) => {
      const plans = await withCaller(db, request, (tx) => listPlans(tx));
      return plans.map((p) => ({
        id: p.id,
        type: p.incident_type,
        sourcePlaybook: p.source_playbook,
        createdAt: p.created_at.toISOString(),
        current: versionSummary(p.version),
      }));
    },
  );

  app.post(
    '/api/plans',
    {
      config: manage,
      schema: { tags: ['plans'], body: CopyBody, response: { 201: PlanView, ...errors } },
    },
    async (request, reply) => {
      const locale = request.body.locale ?? requestLocale(request);
      const plan = await withCaller(db, request, (tx) =>
        copyPlaybook(tx, auditKey, callerOf(request), request.body.type, locale),
      );
      return reply.status(201).send(planView(plan));
    },
  );

  app.get(
    '/api/plans/:id',
    { config: read, schema: { tags: ['plans'], params: IdParams, response: { 200: PlanView, ...errors } } },
    async (request) => planView(await withCaller(db, request, (tx) => currentPlan(tx, request.params.id))),
  );

  app.get(
    '/api/plans/:id/versions',
    {
      config: read,
      schema: {
        tags: ['plans'],
        params: IdParams,
        response: { 200: Type.Array(VersionSummary), ...errors },
      },
    },
    async (request) =>
      (await withCaller(db, request, (tx) => planVersions(tx, request.params.id))).map(versionSummary),
  );

  app.get(
    '/api/plans/:id/versions/:version',
    {
      config: read,
      schema: { tags: ['plans'], params: VersionParams, response: { 200: VersionView, ...errors } },
    },
    async (request) =>
      versionView(
        await withCaller(db, request, (tx) =>
          planVersion(tx, request.params.id, Number(request.params.version)),
        ),
      ),
  );

  app.post(
    '/api/plans/:id/versions',
    {
      config: manage,
      schema: {
        tags: ['plans'],
        params: IdParams,
        body: SaveVersionBody,
        response: { 201: VersionView, ...errors },
      },
    },
    async (request, reply) => {
      const version = await withCaller(db, request, (tx) =>
        saveVersion(tx, auditKey, callerOf(request), request.params.id, request.body),
      );
      return reply.status(201).send(versionView(version));
    },
  );

  app.get(
    '/api/plans/:id/check',
    {
      config: read,
      schema: {
        tags: ['plans'],
        params: IdParams,
        querystring: CheckQuery,
        response: { 200: CheckView, ...errors },
      },
    },
    async (request) => {
      const locale = requestLocale(request);
      const wanted = request.query.version ? Number(request.query.version) : undefined;
      const { plan, version, result } = await withOrg(
        db,
        authOf(request).organizationId,
        (tx) => checkPlanVersion(tx, request.params.id, wanted),
        { system: true },
      );
      return checkView(
        locale,
        plan.incident_type,
        { id: plan.id, version: version.version },
        version.tasks,
        result,
      );
    },
  );

  await app.register(taskRoutes);
  await app.register(contactRoutes);
}
