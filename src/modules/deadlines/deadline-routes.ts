import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody, IdParams } from '../../platform/http/schemas.js';
import { authOf, withCaller, rolesGrant, type Access, type Permission } from '../access/index.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { recordEvent, findIncident, type IncidentRow } from '../incidents/index.js';
import { clockState, timeLeftSeconds } from './deadline-engine.js';
import {
  listClocks,
  loadAssessment,
  loadProfile,
  saveAssessment,
  saveProfile,
  type ClockRow,
} from './deadline-repo.js';
import { RULES_BY_ID } from './deadline-rules.js';
import {
  AssessmentBody,
  ClockList,
  ClockParams,
  ClockView,
  FileBody,
  ProfileView,
  WaiveBody,
  WarningParams,
  WarningQuery,
  WarningView,
} from './deadline-schemas.js';
import { clockDocument, fileClock, syncClocks, waiveClock, type Caller } from './deadline-service.js';

const access = (permission: Permission): { access: Access } => ({
  access: { kind: 'permission', permission },
});
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

function may(request: FastifyRequest, permission: Permission): boolean {
  const actor = request.auth?.actor;
  if (!actor) return false;
  return actor.type === 'user'
    ? rolesGrant(actor.roles, permission)
    : (actor.scopes as readonly string[]).includes(permission);
}

function callerOf(request: FastifyRequest): Caller {
  const auth = authOf(request);
  return {
    organizationId: auth.organizationId,
    actor: requestActor(request),
    userId: auth.actor.type === 'user' ? auth.actor.id : null,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

// Evidence is served as the uploader named it only for types a browser will not run as a page.
const INLINE_SAFE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'message/rfc822']);

export function clockView(row: ClockRow, now: Date, withEvidence: boolean): ClockView {
  const rule = RULES_BY_ID.get(row.rule_id);
  const facts = {
    status: row.status,
    applicable: row.applicable,
    startsAt: row.starts_at,
    dueAt: row.due_at,
    filedAt: row.filed_at,
  };
  const state = clockState(facts, now);
  return {
    id: row.id,
    incidentId: row.incident_id,
    ruleId: row.rule_id,
    regime: rule?.regime ?? '',
    citation: rule?.citation ?? '',
    jurisdiction: row.jurisdiction,
    timeZone: row.time_zone,
    isExercise: row.is_exercise,
    titleKey: `deadline.rule.${row.rule_id}`,
    notifierKey: `deadline.party.${rule?.notifier ?? 'controller'}`,
    recipientKey: `deadline.party.${rule?.recipient ?? 'supervisory_authority'}`,
    contentKeys: (rule?.contents ?? []).map((c) => `deadline.content.${c}`),
    startMoment: rule && 'moment' in rule.start ? rule.start.moment : null,
    startsAfterRule: rule && 'afterFiling' in rule.start ? rule.start.afterFiling : null,
    startsAt: iso(row.starts_at),
    dueAt: iso(row.due_at),
    timeLeftSeconds: timeLeftSeconds(facts, now),
    state,
    reasonKey:
      row.status === 'waived'
        ? 'deadline.reason.manual'
        : state === 'not_applicable' && row.reason
          ? `deadline.reason.${row.reason}`
          : null,
    waivedReason: row.waived_reason,
    noteKeys: row.notes.map((n) => `deadline.note.${n}`),
    uncertain: (rule?.uncertain?.length ?? 0) > 0,
    filing:
      withEvidence && row.filed_at
        ? {
            filedAt: row.filed_at.toISOString(),
            reference: row.filed_reference,
            text: row.filed_text,
            document:
              row.document_name && row.document_type && row.document_sha256
                ? {
                    name: row.document_name,
                    contentType: row.document_type,
                    size: row.document_size ?? 0,
                    sha256: row.document_sha256,
                  }
                : null,
          }
        : null,
  };
}

async function mustFindIncident(tx: Sql, id: string): Promise<IncidentRow> {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

export async function deadlineRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = app.deps;
  const { db, config } = deps;

  async function clocksOf(tx: Sql, request: FastifyRequest, incidentId: string) {
    const now = new Date();
    const rows = await listClocks(tx, incidentId);
    const evidence = may(request, 'reports.read');
    return { now: now.toISOString(), clocks: rows.map((r) => clockView(r, now, evidence)) };
  }

  app.get(
    '/api/incidents/:id/clocks',
    {
      config: access('incidents.read'),
      schema: { tags: ['deadlines'], params: IdParams, response: { 200: ClockList, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const incident = await mustFindIncident(tx, request.params.id);
        return clocksOf(tx, request, incident.id);
      }),
  );

  app.post(
    '/api/incidents/:id/clocks/:clockId/filed',
    {
      config: access('reports.file'),
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['deadlines'],
        params: ClockParams,
        body: FileBody,
        response: { 200: ClockView, ...errors },
      },
    },
    async (request) => {
      const body = request.body;
      if (!body.reference && !body.text && !body.document) {
        throw new AppError('validation_failed', {
          where: 'body',
          problem: 'reference, text or document',
        });
      }
      const filedAt = body.filedAt ? new Date(body.filedAt) : new Date();
      // A little leeway for the filer's clock; a filing in the future is a mistake.
      if (filedAt.getTime() > Date.now() + 5 * 60_000) {
        throw new AppError('validation_failed', { where: 'body/filedAt', problem: 'in the future' });
      }
      return withCaller(db, request, async (tx) => {
        const incident = await mustFindIncident(tx, request.params.id);
        await fileClock(tx, deps, callerOf(request), incident, request.params.clockId, {
          filedAt,
          reference: body.reference ?? null,
          text: body.text ?? null,
          document: body.document
            ? {
                name: body.document.name,
                contentType: body.document.contentType,
                content: Buffer.from(body.document.contentBase64, 'base64'),
              }
            : null,
        });
        const { clocks } = await clocksOf(tx, request, incident.id);
        return clocks.find((c) => c.id === request.params.clockId)!;
      });
    },
  );

  app.post(
    '/api/incidents/:id/clocks/:clockId/not-applicable',
    {
      config: access('reports.edit'),
      schema: {
        tags: ['deadlines'],
        params: ClockParams,
        body: WaiveBody,
        response: { 200: ClockView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const incident = await mustFindIncident(tx, request.params.id);
        await waiveClock(tx, deps, callerOf(request), incident, request.params.clockId, request.body.reason);
        const { clocks } = await clocksOf(tx, request, incident.id);
        return clocks.find((c) => c.id === request.params.clockId)!;
      }),
  );

  app.get(
    '/api/incidents/:id/clocks/:clockId/document',
    {
      config: access('reports.read'),
      schema: {
        tags: ['deadlines'],
        params: ClockParams,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors },
      },
    },
    async (request, reply) => {
      const document = await withCaller(db, request, async (tx) => {
        const incident = await mustFindIncident(tx, request.params.id);
        const found = await clockDocument(
          tx,
          deps,
          authOf(request).organizationId,
          incident.id,
          request.params.clockId,
        );
        if (!found) throw new AppError('not_found');
        await appendAudit(
          tx,
          config.secrets.auditKey,
          authOf(request).organizationId,
          requestActor(request),
          {
            action: 'deadline.evidence_read',
            targetType: 'deadline_clock',
            targetId: request.params.clockId,
          },
        );
        return found;
      });
      return reply
        .type(INLINE_SAFE.has(document.contentType) ? document.contentType : 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(document.name)}`)
        .header('x-content-type-options', 'nosniff')
        .send(document.content);
    },
  );

  app.get(
    '/api/incidents/:id/assessment',
    {
      config: access('incidents.read'),
      schema: { tags: ['deadlines'], params: IdParams, response: { 200: AssessmentBody, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const incident = await mustFindIncident(tx, request.params.id);
        return loadAssessment(tx, incident.id);
      }),
  );

  app.put(
    '/api/incidents/:id/assessment',
    {
      config: access('reports.edit'),
      schema: {
        tags: ['deadlines'],
        params: IdParams,
        body: AssessmentBody,
        response: { 200: ClockList, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const incident = await mustFindIncident(tx, request.params.id);
        const caller = callerOf(request);
        await saveAssessment(tx, caller.organizationId, incident.id, request.body, caller.userId);
        await recordEvent(tx, config.secrets.auditKey, {
          organizationId: caller.organizationId,
          incidentId: incident.id,
          actor: caller.actor,
          kind: 'assessment_changed',
          data: { riskLevel: request.body.riskLevel, significant: request.body.significant },
          auditData: { riskLevel: request.body.riskLevel, significant: request.body.significant },
        });
        await syncClocks(tx, deps, incident, caller.actor);
        return clocksOf(tx, request, incident.id);
      }),
  );

  app.get(
    '/api/organization/deadline-profile',
    { config: access('incidents.read'), schema: { tags: ['deadlines'], response: { 200: ProfileView } } },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { undueDelayTargetHours: _target, ...profile } = await loadProfile(tx);
        return profile;
      }),
  );

  app.put(
    '/api/organization/deadline-profile',
    {
      config: access('organization.manage'),
      schema: { tags: ['deadlines'], body: ProfileView, response: { 200: ProfileView, ...errors } },
    },
    async (request) => {
      const organizationId = authOf(request).organizationId;
      // Every open incident's clocks follow the new profile, restricted ones included.
      return withOrg(
        db,
        organizationId,
        async (tx) => {
          await saveProfile(tx, organizationId, request.body);
          await appendAudit(tx, config.secrets.auditKey, organizationId, requestActor(request), {
            action: 'deadline.profile_changed',
            targetType: 'organization',
            targetId: organizationId,
            data: { ...request.body },
          });
          const open = await tx.query<IncidentRow>(
            `SELECT * FROM incidents WHERE state NOT IN ('closed', 'reviewed')`,
          );
          for (const incident of open) await syncClocks(tx, deps, incident, requestActor(request));
          return request.body;
        },
        { system: true },
      );
    },
  );

  app.get(
    '/api/me/warnings',
    {
      config: { access: { kind: 'user' } },
      schema: { tags: ['deadlines'], querystring: WarningQuery, response: { 200: Type.Array(WarningView) } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const rows = await tx.query<{
          id: string;
          incident_id: string;
          number: number;
          title: string;
          clock_id: string;
          rule_id: string;
          jurisdiction: string;
          time_zone: string;
          threshold: '50' | '75' | '90' | 'missed';
          due_at: Date;
          is_exercise: boolean;
          created_at: Date;
          read_at: Date | null;
        }>(
          `SELECT w.id, w.incident_id, i.number, i.title, w.clock_id, c.rule_id, c.jurisdiction, c.time_zone,
                  w.threshold, w.due_at, w.is_exercise, w.created_at, r.read_at
           FROM deadline_warning_recipients r
           JOIN deadline_warnings w ON w.id = r.warning_id
           JOIN deadline_clocks c ON c.id = w.clock_id
           JOIN incidents i ON i.id = w.incident_id
           WHERE r.user_id = $1 AND ($2::boolean IS NOT TRUE OR r.read_at IS NULL)
           ORDER BY w.created_at DESC LIMIT 200`,
          [authOf(request).actor.id, request.query.unread === 'true'],
        );
        return rows.map((r) => ({
          id: r.id,
          incidentId: r.incident_id,
          incidentNumber: r.number,
          incidentTitle: r.title,
          clockId: r.clock_id,
          ruleId: r.rule_id,
          titleKey: `deadline.rule.${r.rule_id}`,
          jurisdiction: r.jurisdiction,
          timeZone: r.time_zone,
          threshold: r.threshold,
          dueAt: r.due_at.toISOString(),
          isExercise: r.is_exercise,
          createdAt: r.created_at.toISOString(),
          readAt: iso(r.read_at),
        }));
      }),
  );

  app.post(
    '/api/me/warnings/:id/read',
    {
      config: { access: { kind: 'user' } },
      schema: { tags: ['deadlines'], params: WarningParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, async (tx) => {
        const rows = await tx.query(
          `UPDATE deadline_warning_recipients SET read_at = coalesce(read_at, now())
           WHERE warning_id = $1 AND user_id = $2 RETURNING warning_id`,
          [request.params.id, authOf(request).actor.id],
        );
        if (rows.length === 0) throw new AppError('not_found');
      });
      return reply.status(204).send(null);
    },
  );
}
