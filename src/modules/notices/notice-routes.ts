import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { crashAt } from '../../platform/crash-points.js';
import { AppError } from '../../platform/errors.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, requestActor } from '../audit/index.js';
import { normalizeWebhookUrl, openPersonal } from '../customers/index.js';
import { recordEvent, type DataCategory, findIncident, type IncidentRow } from '../incidents/index.js';
import { findPage, latestVersion as latestGuidance } from '../lookup/index.js';
import { assertChannelsReady } from './channel-readiness.js';
import { candourCheck, type CandourFlag } from './notice-candour.js';
import { NOTICE_PARTS, type NoticeLocale } from './notice-contracts.js';
import { findTextProblem, type NoticeContent } from './notice-model.js';
import { compileNotice, loadNoticeContext } from './notice-render.js';
import {
  acceptFlag,
  addVersion,
  approveVersion,
  createNotice,
  findNotice,
  findVersion,
  latestVersion,
  listAcceptances,
  listNotices,
  listVersions,
  organizationLocale,
  readersByLocale,
  type Notice,
  type NoticeLinks,
  type NoticeVersion,
} from './notice-repo.js';
import { insertSend, listSends, queueSend, type NoticeSend } from './notice-sends.js';
import { templateFor } from './notice-templates.js';
import { countSegments } from './sms-segments.js';
import {
  addTestRecipient,
  deleteTestRecipient,
  listTestRecipients,
  updateTestRecipient,
} from './notice-test-recipients.js';

const perm = (permission: Access & { kind: 'permission' }): { access: Access } => ({ access: permission });
const read = perm({ kind: 'permission', permission: 'notices.read' });
const draft = perm({ kind: 'permission', permission: 'notices.draft' });
const preview = perm({ kind: 'permission', permission: 'notices.preview' });
const approve = perm({ kind: 'permission', permission: 'notices.approve' });
const send = perm({ kind: 'permission', permission: 'notices.send' });
const testers = perm({ kind: 'permission', permission: 'notices.test_recipients' });
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const Uuid = Type.String({ format: 'uuid' });
const IncidentParams = Type.Object({ id: Uuid });
const NoticeParams = Type.Object({ noticeId: Uuid });
const VersionNumber = Type.String({ pattern: '^[1-9][0-9]{0,8}$' });
const VersionParams = Type.Object({ noticeId: Uuid, version: VersionNumber });
const FlagParams = Type.Object({
  noticeId: Uuid,
  version: VersionNumber,
  flagId: Type.String({ minLength: 1, maxLength: 200 }),
});
const Locale = Type.Union([Type.Literal('en'), Type.Literal('cs'), Type.Literal('ar')]);
const ChannelSchema = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('webhook')]);
const Kind = Type.Union([Type.Literal('mandatory'), Type.Literal('optional')]);

const Text = Type.String({ maxLength: 10_000 });
const LocaleContent = Type.Object(
  {
    subject: Type.String({ maxLength: 300 }),
    sms: Type.String({ maxLength: 1000 }),
    parts: Type.Object(
      Object.fromEntries(NOTICE_PARTS.map((p) => [p, Text])) as Record<string, typeof Text>,
      {
        additionalProperties: false,
      },
    ),
  },
  { additionalProperties: false },
);
export const NoticeContentSchema = Type.Object(
  { en: LocaleContent, cs: LocaleContent, ar: LocaleContent },
  { additionalProperties: false },
);

const Flag = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  locale: Type.String(),
  field: Type.Optional(Type.String()),
  term: Type.Optional(Type.String()),
  customers: Type.Optional(Type.Integer()),
  accepted: Type.Union([
    Type.Object({
      reason: Type.String(),
      acceptedBy: Type.Union([Uuid, Type.Null()]),
      acceptedAt: Type.String(),
    }),
    Type.Null(),
  ]),
});

const VersionSummary = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  authorId: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  approvedBy: Type.Union([Uuid, Type.Null()]),
  approvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const SendView = Type.Object({
  id: Uuid,
  noticeVersionId: Uuid,
  version: Type.Integer(),
  kind: Kind,
  channels: Type.Array(Type.String()),
  audience: Type.String(),
  scheduledAt: Type.String({ format: 'date-time' }),
  status: Type.String(),
  requestedBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const NoticeView = Type.Object({
  id: Uuid,
  incidentId: Uuid,
  kind: Kind,
  isExercise: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  latest: Type.Object({
    ...VersionSummary.properties,
    content: NoticeContentSchema,
    links: Type.Object({
      verifyUrl: Type.Optional(Type.String()),
      lookupUrl: Type.Optional(Type.String()),
      supportUrl: Type.Optional(Type.String()),
    }),
    flags: Type.Array(Flag),
    /** Affected customers (test recipients in an exercise) by the language they will read. */
    readers: Type.Record(Type.String(), Type.Integer()),
  }),
  versions: Type.Array(VersionSummary),
  sends: Type.Array(SendView),
});
type NoticeView = Static<typeof NoticeView>;

const NoticeListItem = Type.Object({
  id: Uuid,
  kind: Kind,
  createdAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
  subject: Type.String(),
  approved: Type.Boolean(),
  sends: Type.Integer(),
});

const CreateBody = Type.Object(
  { kind: Kind, content: Type.Optional(NoticeContentSchema) },
  { additionalProperties: false },
);
const EditBody = Type.Object({ content: NoticeContentSchema }, { additionalProperties: false });
const AcceptBody = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 2000 }) },
  { additionalProperties: false },
);
const PreviewBody = Type.Object(
  {
    locale: Locale,
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    /** An affected customer to preview as (their name is decrypted: audited); else a sample. */
    customerId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
const PreviewView = Type.Object({
  locale: Locale,
  direction: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
  sms: Type.String(),
  version: Type.Integer(),
  asCustomer: Type.Boolean(),
  /** The SMS text's encoding and how many segments it takes (sms-segments.ts). */
  smsSegments: Type.Object({ encoding: Type.String(), units: Type.Integer(), segments: Type.Integer() }),
});
const SendBody = Type.Object(
  {
    channels: Type.Array(ChannelSchema, { minItems: 1, maxItems: 3, uniqueItems: true }),
    scheduledAt: Type.Optional(Type.String({ format: 'date-time' })),
    audience: Type.Optional(Type.Union([Type.Literal('customers'), Type.Literal('test_recipients')])),
  },
  { additionalProperties: false },
);
const PreviewCustomer = Type.Object({
  id: Uuid,
  externalId: Type.String(),
  language: Type.Union([Type.String(), Type.Null()]),
  categories: Type.Array(Type.String()),
});

const TestRecipientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    locale: Locale,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })),
    webhookUrl: Type.Optional(Type.String({ pattern: '^https://\\S+$', maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const TestRecipientView = Type.Object({ id: Uuid, ...TestRecipientBody.properties });
const TestRecipientParams = Type.Object({ id: Uuid });

/** A sample recipient for previews: no one's personal data. */
const SAMPLE_NAME: Record<NoticeLocale, string> = { en: 'Alex Taylor', cs: 'Jana Nováková', ar: 'سارة أحمد' };
const SAMPLE_CODE = 'K7QF-2M9X-D4TA';

const iso = (d: Date) => d.toISOString();
const summary = (v: NoticeVersion) => ({
  id: v.id,
  version: v.version,
  authorId: v.authorId,
  createdAt: iso(v.createdAt),
  approvedBy: v.approvedBy,
  approvedAt: v.approvedAt ? iso(v.approvedAt) : null,
});

/** A test recipient's webhook endpoint follows the customers' rule: https, no credentials, at most 2048. */
function testRecipientInput<T extends { webhookUrl?: string }>(body: T): T {
  if (body.webhookUrl === undefined) return body;
  const webhookUrl = normalizeWebhookUrl(body.webhookUrl);
  if (!webhookUrl) throw new AppError('validation_failed', { field: 'webhookUrl' });
  return { ...body, webhookUrl };
}

/**
 * Customer notices of an incident: versions written in en, cs and ar (each edit a new version),
 * the candour check with flags accepted for a reason, previews, approval of one version by a
 * legal user who did not write it, and send requests for the delivery engine. Every change is on
 * the incident's timeline and in the audit log.
 */
export async function noticeRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;
  const { keyring } = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const userOf = (request: FastifyRequest) => {
    const actor = authOf(request).actor;
    return actor.type === 'user' ? actor.id : null;
  };

  const event = (
    tx: Sql,
    request: FastifyRequest,
    incidentId: string,
    kind: string,
    data: Record<string, string | number | boolean | null>,
  ) =>
    recordEvent(tx, auditKey, {
      organizationId: authOf(request).organizationId,
      incidentId,
      actor: requestActor(request),
      kind,
      data,
      auditData: data,
    });

  async function visibleIncident(tx: Sql, id: string): Promise<IncidentRow> {
    const incident = await findIncident(tx, id);
    if (!incident) throw new AppError('not_found');
    return incident;
  }

  async function visibleNotice(tx: Sql, id: string): Promise<{ notice: Notice; incident: IncidentRow }> {
    const notice = await findNotice(tx, id);
    if (!notice) throw new AppError('not_found');
    return { notice, incident: await visibleIncident(tx, notice.incidentId) };
  }

  /** The addresses behind {verifyUrl}, {lookupUrl} and {supportUrl}, as of now. */
  async function linksFor(tx: Sql, incidentId: string): Promise<NoticeLinks> {
    const page = await findPage(tx, incidentId);
    return {
      verifyUrl: new URL('/verify', config.publicUrl).toString(),
      ...(page?.published
        ? { lookupUrl: new URL(`/affected/${page.publicId}`, config.publicUrl).toString() }
        : {}),
      ...(page?.supportUrl ? { supportUrl: page.supportUrl } : {}),
    };
  }

  function validContent(content: NoticeContent): NoticeContent {
    const problem = findTextProblem(content);
    if (problem) {
      throw new AppError('validation_failed', {
        where: `body/content/${problem.locale}/${problem.field}`,
        locale: problem.locale,
        part: problem.field,
        problem: problem.problem,
        detail: problem.detail,
      });
    }
    return content;
  }

  async function flagsOf(tx: Sql, incident: IncidentRow, version: NoticeVersion) {
    const fallback = await organizationLocale(tx);
    const readers = await readersByLocale(tx, incident.id, incident.is_exercise, fallback);
    const flags = candourCheck({
      content: version.content,
      customersByLocale: readers,
      defaultLocale: fallback,
    });
    const accepted = new Map((await listAcceptances(tx, version.id)).map((a) => [a.flagId, a]));
    return {
      readers,
      flags: flags.map((f: CandourFlag) => {
        const a = accepted.get(f.id);
        return {
          ...f,
          accepted: a ? { reason: a.reason, acceptedBy: a.acceptedBy, acceptedAt: iso(a.acceptedAt) } : null,
        };
      }),
    };
  }

  const sendView = (s: NoticeSend, versions: Map<string, number>) => ({
    id: s.id,
    noticeVersionId: s.noticeVersionId,
    version: versions.get(s.noticeVersionId) ?? 0,
    kind: s.kind,
    channels: s.channels,
    audience: s.audience,
    scheduledAt: iso(s.scheduledAt),
    status: s.status,
    requestedBy: s.requestedBy,
    createdAt: iso(s.createdAt),
  });

  async function view(tx: Sql, notice: Notice, incident: IncidentRow): Promise<NoticeView> {
    const versions = await listVersions(tx, notice.id, 1000);
    const latest = versions[0]!;
    const { flags, readers } = await flagsOf(tx, incident, latest);
    const numbers = new Map(versions.map((v) => [v.id, v.version]));
    return {
      id: notice.id,
      incidentId: notice.incidentId,
      kind: notice.kind,
      isExercise: incident.is_exercise,
      createdAt: iso(notice.createdAt),
      latest: { ...summary(latest), content: latest.content, links: latest.links, flags, readers },
      versions: versions.map(summary),
      sends: (await listSends(tx, notice.id)).map((s) => sendView(s, numbers)),
    };
  }

  async function versionOf(tx: Sql, noticeId: string, raw: string): Promise<NoticeVersion> {
    const version = await findVersion(tx, noticeId, Number(raw));
    if (!version) throw new AppError('not_found');
    return version;
  }

  app.get(
    '/api/incidents/:id/notices',
    {
      config: read,
      schema: {
        tags: ['notices'],
        params: IncidentParams,
        response: { 200: Type.Array(NoticeListItem), ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const notices = await listNotices(tx, request.params.id);
        const fallback = await organizationLocale(tx);
        return Promise.all(
          notices.map(async (n) => {
            const latest = (await latestVersion(tx, n.id))!;
            return {
              id: n.id,
              kind: n.kind,
              createdAt: iso(n.createdAt),
              version: latest.version,
              subject: latest.content[fallback].subject || latest.content.en.subject,
              approved: latest.approvedBy !== null,
              sends: (await listSends(tx, n.id)).length,
            };
          }),
        );
      }),
  );

  app.post(
    '/api/incidents/:id/notices',
    {
      config: draft,
      schema: {
        tags: ['notices'],
        params: IncidentParams,
        body: CreateBody,
        response: { 201: NoticeView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, async (tx) => {
        const incident = await visibleIncident(tx, request.params.id);
        const links = await linksFor(tx, incident.id);
        let content = request.body.content as NoticeContent | undefined;
        if (!content) {
          // The built-in text for the incident's type, with its approved public guidance.
          const guidance = await latestGuidance(tx, incident.id);
          content = templateFor({
            type: incident.type,
            guidance: guidance?.approvedBy ? guidance.content : null,
            hasSupportUrl: Boolean(links.supportUrl),
            hasLookupUrl: Boolean(links.lookupUrl),
          });
        }
        validContent(content);
        const notice = await createNotice(
          tx,
          authOf(request).organizationId,
          incident.id,
          request.body.kind,
          userOf(request),
        );
        const version = await addVersion(
          tx,
          authOf(request).organizationId,
          notice,
          content,
          links,
          userOf(request),
        );
        await event(tx, request, incident.id, 'notice_created', {
          noticeId: notice.id,
          kind: notice.kind,
          version: version.version,
          fromTemplate: !request.body.content,
        });
        return view(tx, notice, incident);
      });
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/api/notices/:noticeId',
    {
      config: read,
      schema: { tags: ['notices'], params: NoticeParams, response: { 200: NoticeView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        return view(tx, notice, incident);
      }),
  );

  app.put(
    '/api/notices/:noticeId',
    {
      config: draft,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        body: EditBody,
        response: { 201: NoticeView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        const content = validContent(request.body.content as NoticeContent);
        const links = await linksFor(tx, incident.id);
        const version = await addVersion(
          tx,
          authOf(request).organizationId,
          notice,
          content,
          links,
          userOf(request),
        );
        await event(tx, request, incident.id, 'notice_edited', {
          noticeId: notice.id,
          version: version.version,
        });
        return view(tx, notice, incident);
      });
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/api/notices/:noticeId/versions/:version/flags/:flagId/accept',
    {
      config: draft,
      schema: {
        tags: ['notices'],
        params: FlagParams,
        body: AcceptBody,
        response: { 200: NoticeView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        const version = await versionOf(tx, notice.id, request.params.version);
        const reason = request.body.reason.trim();
        if (reason.length < 3)
          throw new AppError('validation_failed', { where: 'body/reason', problem: 'empty' });
        const { flags } = await flagsOf(tx, incident, version);
        const flag = flags.find((f) => f.id === request.params.flagId);
        if (!flag) throw new AppError('not_found', { flag: request.params.flagId });
        if (
          !(await acceptFlag(tx, authOf(request).organizationId, version, flag.id, reason, userOf(request)))
        ) {
          throw new AppError('conflict', { reason: 'already_accepted', flag: flag.id });
        }
        // The reason is kept with the version; the audit log names the flag and the reason's length.
        await event(tx, request, incident.id, 'notice_flag_accepted', {
          noticeId: notice.id,
          version: version.version,
          flag: flag.id,
          reasonLength: reason.length,
        });
        return view(tx, notice, incident);
      }),
  );

  app.get(
    '/api/notices/:noticeId/versions/:version/candour',
    {
      config: read,
      schema: {
        tags: ['notices'],
        params: VersionParams,
        response: { 200: Type.Object({ version: Type.Integer(), flags: Type.Array(Flag) }), ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        const version = await versionOf(tx, notice.id, request.params.version);
        return { version: version.version, flags: (await flagsOf(tx, incident, version)).flags };
      }),
  );

  app.post(
    '/api/notices/:noticeId/versions/:version/approve',
    {
      config: approve,
      schema: { tags: ['notices'], params: VersionParams, response: { 200: NoticeView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        const userId = userOf(request);
        if (!userId) throw new AppError('forbidden');
        const version = await versionOf(tx, notice.id, request.params.version);
        if (version.authorId === userId) throw new AppError('author_cannot_approve');
        const latest = (await latestVersion(tx, notice.id))!;
        // An edit voids approval: only the newest version can be approved.
        if (latest.version !== version.version) {
          throw new AppError('conflict', { reason: 'outdated_version', latest: latest.version });
        }
        if (version.approvedBy) throw new AppError('conflict', { reason: 'already_approved' });
        const open = (await flagsOf(tx, incident, version)).flags.filter((f) => !f.accepted);
        if (open.length) {
          throw new AppError('conflict', {
            reason: 'candour_flags',
            flags: open.map((f) => f.id).join(' '),
          });
        }
        await approveVersion(tx, version.id, userId);
        await event(tx, request, incident.id, 'notice_approved', {
          noticeId: notice.id,
          version: version.version,
        });
        return view(tx, notice, incident);
      }),
  );

  app.post(
    '/api/notices/:noticeId/preview',
    {
      config: preview,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        body: PreviewBody,
        response: { 200: PreviewView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        const version = request.body.version
          ? await versionOf(tx, notice.id, String(request.body.version))
          : (await latestVersion(tx, notice.id))!;
        const loaded = (await loadNoticeContext(tx, version.id))!;
        const locale = request.body.locale;
        let name: string | null = SAMPLE_NAME[locale];
        let timeZone = 'UTC';
        let categories: DataCategory[] = incident.data_categories.length
          ? incident.data_categories
          : ['contact_details'];
        if (request.body.customerId) {
          const affected = (
            await tx.query<{ data_categories: DataCategory[] }>(
              'SELECT data_categories FROM incident_affected_customers WHERE incident_id = $1 AND customer_id = $2',
              [incident.id, request.body.customerId],
            )
          )[0];
          if (!affected) throw new AppError('not_found', { where: 'body/customerId' });
          const opened = await openPersonal(
            tx,
            await keyring.get(tx, authOf(request).organizationId),
            request.body.customerId,
          );
          if (!opened) throw new AppError('not_found', { where: 'body/customerId' });
          // DESIGN: communications see customers' personal data in previews only; each is audited.
          await appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), {
            action: 'customer.revealed',
            targetType: 'customer',
            targetId: opened.customer.id,
            data: { reason: 'notice_preview', noticeId: notice.id, version: version.version },
          });
          name = opened.personal.name;
          timeZone = opened.customer.timeZone ?? 'UTC';
          categories = affected.data_categories;
        }
        const rendered = compileNotice(
          loaded.content[locale],
          locale,
          loaded.context,
        )({
          customerId: request.body.customerId ?? null,
          name,
          locale,
          timeZone,
          categories,
          verificationCode: SAMPLE_CODE,
        });
        return {
          locale,
          direction: rendered.direction,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          sms: rendered.sms,
          version: version.version,
          asCustomer: Boolean(request.body.customerId),
          smsSegments: (({ encoding, units, segments }) => ({ encoding, units, segments }))(
            countSegments(rendered.sms),
          ),
        };
      }),
  );

  app.get(
    '/api/notices/:noticeId/preview-customers',
    {
      config: preview,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        response: { 200: Type.Array(PreviewCustomer), ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const { incident } = await visibleNotice(tx, request.params.noticeId);
        const rows = await tx.query<{
          id: string;
          external_id: string;
          language: string | null;
          data_categories: string[];
        }>(
          `SELECT c.id, c.external_id, c.language, a.data_categories
           FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
           WHERE a.incident_id = $1 ORDER BY c.external_id LIMIT 50`,
          [incident.id],
        );
        return rows.map((r) => ({
          id: r.id,
          externalId: r.external_id,
          language: r.language,
          categories: r.data_categories,
        }));
      }),
  );

  app.post(
    '/api/notices/:noticeId/sends',
    {
      config: send,
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        body: SendBody,
        response: { 201: SendView, ...errors },
      },
    },
    async (request, reply) => {
      const scheduledAt = request.body.scheduledAt ? new Date(request.body.scheduledAt) : null;
      if (scheduledAt && Number.isNaN(scheduledAt.getTime())) {
        throw new AppError('validation_failed', { where: 'body/scheduledAt' });
      }
      const { created, version } = await withCaller(db, request, async (tx) => {
        const { notice, incident } = await visibleNotice(tx, request.params.noticeId);
        const latest = (await latestVersion(tx, notice.id))!;
        if (!latest.approvedBy) {
          throw new AppError('conflict', { reason: 'not_approved', version: latest.version });
        }
        // An exercise never reaches a customer: only the organization's test recipients.
        const audience = incident.is_exercise ? 'test_recipients' : (request.body.audience ?? 'customers');
        // Refused now rather than accepted and failed for every recipient: each channel needs its settings.
        await assertChannelsReady(
          tx,
          { keyring, sms: config.sms },
          authOf(request).organizationId,
          request.body.channels,
        );
        const created = await insertSend(tx, {
          organizationId: authOf(request).organizationId,
          incidentId: incident.id,
          noticeVersionId: latest.id,
          kind: notice.kind,
          channels: request.body.channels,
          audience,
          scheduledAt,
          requestedBy: userOf(request),
        });
        await event(tx, request, incident.id, 'notice_send_requested', {
          noticeId: notice.id,
          version: latest.version,
          sendId: created.id,
          audience,
          channels: created.channels.join(' '),
          scheduledAt: iso(created.scheduledAt),
        });
        // The job commits with the request, or neither does: never a request nothing will act on.
        await queueSend(tx, created, authOf(request).organizationId).catch((error: unknown) => {
          request.log.error({ err: error }, 'notice send not queued');
          throw new AppError('unavailable');
        });
        crashAt(config.testHooks.crashAt, 'notice_send.before_commit');
        return { created, version: latest.version };
      });
      crashAt(config.testHooks.crashAt, 'notice_send.after_commit');
      return reply.status(201).send(sendView(created, new Map([[created.noticeVersionId, version]])));
    },
  );

  // The organization's test recipients.
  app.get(
    '/api/notice-test-recipients',
    { config: testers, schema: { tags: ['notices'], response: { 200: Type.Array(TestRecipientView) } } },
    async (request) =>
      withCaller(db, request, async (tx) =>
        listTestRecipients(tx, await keyring.get(tx, authOf(request).organizationId)),
      ),
  );

  app.post(
    '/api/notice-test-recipients',
    {
      config: testers,
      schema: { tags: ['notices'], body: TestRecipientBody, response: { 201: TestRecipientView, ...errors } },
    },
    async (request, reply) => {
      const created = await withCaller(db, request, async (tx) => {
        const r = await addTestRecipient(
          tx,
          await keyring.get(tx, authOf(request).organizationId),
          authOf(request).organizationId,
          testRecipientInput(request.body),
        );
        await appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), {
          action: 'notice_test_recipient.created',
          targetType: 'notice_test_recipient',
          targetId: r.id,
        });
        return r;
      });
      return reply.status(201).send(created);
    },
  );

  app.put(
    '/api/notice-test-recipients/:id',
    {
      config: testers,
      schema: {
        tags: ['notices'],
        params: TestRecipientParams,
        body: TestRecipientBody,
        response: { 200: TestRecipientView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const r = await updateTestRecipient(
          tx,
          await keyring.get(tx, authOf(request).organizationId),
          request.params.id,
          testRecipientInput(request.body),
        );
        if (!r) throw new AppError('not_found');
        await appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), {
          action: 'notice_test_recipient.updated',
          targetType: 'notice_test_recipient',
          targetId: r.id,
        });
        return r;
      }),
  );

  app.delete(
    '/api/notice-test-recipients/:id',
    {
      config: testers,
      schema: { tags: ['notices'], params: TestRecipientParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await withCaller(db, request, async (tx) => {
        if (!(await deleteTestRecipient(tx, request.params.id))) throw new AppError('not_found');
        await appendAudit(tx, auditKey, authOf(request).organizationId, requestActor(request), {
          action: 'notice_test_recipient.deleted',
          targetType: 'notice_test_recipient',
          targetId: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );
}
