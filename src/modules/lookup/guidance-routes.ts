import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isLocale, LOCALES } from '../../platform/i18n.js';
import { authOf, withCaller, type Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { requestActor } from '../audit/index.js';
import { recordEvent, findIncident } from '../incidents/index.js';
import {
  addVersion,
  approveVersion,
  completeIn,
  findPage,
  latestVersion,
  listVersions,
  publishPage,
  unpublishPage,
  type GuidanceContent,
  type GuidanceVersion,
  type LookupPage,
} from './guidance-repo.js';

const read: { access: Access } = { access: { kind: 'permission', permission: 'incidents.read' } };
const draft: { access: Access } = { access: { kind: 'permission', permission: 'guidance.draft' } };
const approve: { access: Access } = { access: { kind: 'permission', permission: 'guidance.approve' } };
const publish: { access: Access } = { access: { kind: 'permission', permission: 'lookup.publish' } };
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

const Uuid = Type.String({ format: 'uuid' });
const IncidentParams = Type.Object({ id: Uuid });
const VersionParams = Type.Object({ id: Uuid, version: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }) });

const Part = Type.String({ maxLength: 5000 });
const Parts = Type.Object({ happened: Part, done: Part, advice: Part }, { additionalProperties: false });
export const GuidanceContentSchema = Type.Object(
  { en: Parts, cs: Parts, ar: Parts },
  { additionalProperties: false },
);

const VersionView = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  content: GuidanceContentSchema,
  authorId: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  approvedBy: Type.Union([Uuid, Type.Null()]),
  approvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Languages whose three parts are all written. */
  complete: Type.Array(Type.String()),
});

const PageView = Type.Object({
  publicId: Type.String(),
  url: Type.String(),
  published: Type.Boolean(),
  version: Type.Union([Type.Integer(), Type.Null()]),
  supportUrl: Type.Union([Type.String(), Type.Null()]),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const GuidanceView = Type.Object({
  versions: Type.Array(VersionView),
  page: Type.Union([PageView, Type.Null()]),
});
type GuidanceView = Static<typeof GuidanceView>;

const PublishBody = Type.Object(
  {
    supportUrl: Type.Optional(
      Type.Union([Type.String({ pattern: '^(https://|mailto:)\\S+$', maxLength: 500 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

const versionView = (v: GuidanceVersion) => ({
  id: v.id,
  version: v.version,
  content: v.content,
  authorId: v.authorId,
  createdAt: v.createdAt.toISOString(),
  approvedBy: v.approvedBy,
  approvedAt: v.approvedAt?.toISOString() ?? null,
  complete: LOCALES.filter((l) => completeIn(v.content, l)),
});

/**
 * An incident's public guidance (versions in en, cs and ar; approval of one version by a legal
 * user who did not write it) and its "Was I affected?" page (published by a legal user with the
 * approved version). Every change is on the incident's timeline and in the audit log.
 */
export async function guidanceRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  const pageUrl = (publicId: string) => new URL(`/affected/${publicId}`, config.publicUrl).toString();

  async function visibleIncident(tx: Sql, id: string) {
    const incident = await findIncident(tx, id);
    if (!incident) throw new AppError('not_found');
    return incident;
  }

  async function view(tx: Sql, incidentId: string): Promise<GuidanceView> {
    const versions = await listVersions(tx, incidentId);
    const page = await findPage(tx, incidentId);
    return { versions: versions.map(versionView), page: page ? await pageView(tx, page) : null };
  }

  async function pageView(tx: Sql, page: LookupPage) {
    const version = page.versionId
      ? ((
          await tx.query<{ version: number }>(
            'SELECT version FROM incident_guidance_versions WHERE id = $1',
            [page.versionId],
          )
        )[0]?.version ?? null)
      : null;
    return {
      publicId: page.publicId,
      url: pageUrl(page.publicId),
      published: page.published,
      version,
      supportUrl: page.supportUrl,
      publishedAt: page.publishedAt?.toISOString() ?? null,
    };
  }

  const event = (
    tx: Sql,
    request: FastifyRequest,
    incidentId: string,
    kind: string,
    data: Record<string, string | number | boolean | null>,
  ) =>
    recordEvent(tx, config.secrets.auditKey, {
      organizationId: authOf(request).organizationId,
      incidentId,
      actor: requestActor(request),
      kind,
      data,
      auditData: data,
    });

  const userOf = (request: FastifyRequest) => {
    const actor = authOf(request).actor;
    if (actor.type !== 'user') throw new AppError('forbidden');
    return actor.id;
  };

  app.get(
    '/api/incidents/:id/guidance',
    {
      config: read,
      schema: { tags: ['lookup'], params: IncidentParams, response: { 200: GuidanceView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        return view(tx, request.params.id);
      }),
  );

  app.put(
    '/api/incidents/:id/guidance',
    {
      config: draft,
      schema: {
        tags: ['lookup'],
        params: IncidentParams,
        body: GuidanceContentSchema,
        response: { 201: GuidanceView, ...errors },
      },
    },
    async (request, reply) => {
      const result = await withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const actor = authOf(request).actor;
        const version = await addVersion(
          tx,
          authOf(request).organizationId,
          request.params.id,
          request.body as GuidanceContent,
          actor.type === 'user' ? actor.id : null,
        );
        await event(tx, request, request.params.id, 'guidance_edited', { version: version.version });
        return view(tx, request.params.id);
      });
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/api/incidents/:id/guidance/versions/:version/approve',
    {
      config: approve,
      schema: { tags: ['lookup'], params: VersionParams, response: { 200: GuidanceView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        const incident = await visibleIncident(tx, request.params.id);
        const userId = userOf(request);
        const latest = await latestVersion(tx, request.params.id);
        const wanted = (await listVersions(tx, request.params.id, 1000)).find(
          (v) => v.version === Number(request.params.version),
        );
        if (!wanted || !latest) throw new AppError('not_found');
        if (wanted.authorId === userId) throw new AppError('author_cannot_approve');
        // Only the newest version can be approved: an older one was replaced by an edit.
        if (wanted.version !== latest.version) {
          throw new AppError('guidance_outdated', { latest: latest.version });
        }
        if (wanted.approvedBy) throw new AppError('conflict', { reason: 'already_approved' });
        const organizationLocale = (
          await tx.query<{ default_locale: string }>('SELECT default_locale FROM organizations')
        )[0]?.default_locale;
        const fallback = isLocale(organizationLocale) ? organizationLocale : 'en';
        if (!completeIn(wanted.content, fallback)) {
          throw new AppError('validation_failed', {
            where: `body/content/${fallback}`,
            problem: 'incomplete',
          });
        }
        await approveVersion(tx, wanted.id, userId);
        await event(tx, request, incident.id, 'guidance_approved', { version: wanted.version });
        return view(tx, request.params.id);
      }),
  );

  app.post(
    '/api/incidents/:id/lookup-page/publish',
    {
      config: publish,
      schema: {
        tags: ['lookup'],
        params: IncidentParams,
        body: PublishBody,
        response: { 200: GuidanceView, ...errors },
      },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const userId = userOf(request);
        const latest = await latestVersion(tx, request.params.id);
        if (!latest?.approvedBy) throw new AppError('guidance_not_approved');
        const page = await publishPage(
          tx,
          authOf(request).organizationId,
          request.params.id,
          latest.id,
          request.body.supportUrl ?? null,
          userId,
        );
        await event(tx, request, request.params.id, 'lookup_page_published', {
          version: latest.version,
          publicId: page.publicId,
        });
        return view(tx, request.params.id);
      }),
  );

  app.post(
    '/api/incidents/:id/lookup-page/unpublish',
    {
      config: publish,
      schema: { tags: ['lookup'], params: IncidentParams, response: { 200: GuidanceView, ...errors } },
    },
    async (request) =>
      withCaller(db, request, async (tx) => {
        await visibleIncident(tx, request.params.id);
        const page = await unpublishPage(tx, request.params.id);
        if (!page) throw new AppError('not_found');
        await event(tx, request, request.params.id, 'lookup_page_unpublished', { publicId: page.publicId });
        return view(tx, request.params.id);
      }),
  );
}
