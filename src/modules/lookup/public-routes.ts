import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { hashToken } from '../../platform/crypto.js';
import { asApp, withOrg, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { sendJob } from '../../platform/jobs.js';
import { fromAcceptLanguage, isLocale, LOCALES, type Locale } from '../../platform/i18n.js';
import type { Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { emailIndex, normalizeEmail } from '../customers/index.js';
import { completeIn, guidanceLocale, type GuidanceContent } from './guidance-repo.js';
import { lookupJob } from './lookup-job.js';
import { addressKey, countLookup, ipKey, LOOKUP_LIMITS } from './lookup-throttle.js';

const open: { access: Access } = { access: { kind: 'public' } };
const errors = { 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody };

const PublicParams = Type.Object({ publicId: Type.String({ pattern: '^[A-Za-z0-9_-]{22,64}$' }) });
const LocaleSchema = Type.Unsafe<Locale>({ type: 'string', enum: [...LOCALES] });
const PageQuery = Type.Object({ locale: Type.Optional(LocaleSchema) }, { additionalProperties: false });

const Guidance = Type.Object({ happened: Type.String(), done: Type.String(), advice: Type.String() });
const PublicPage = Type.Object({
  organization: Type.String(),
  /** The language of the guidance shown (the one asked for, or the organization's default). */
  locale: LocaleSchema,
  /** Languages the guidance is written in. */
  locales: Type.Array(LocaleSchema),
  guidance: Guidance,
  supportUrl: Type.Union([Type.String(), Type.Null()]),
});

const LookupBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }), locale: Type.Optional(LocaleSchema) },
  { additionalProperties: false },
);
/** The one answer to every accepted look-up. */
const LOOKUP_ACCEPTED = { status: 'queued' } as const;
const LookupAccepted = Type.Object({ status: Type.Literal('queued') });

const ResultBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 100 }), locale: Type.Optional(LocaleSchema) },
  { additionalProperties: false },
);
const Result = Type.Object({
  ...PublicPage.properties,
  categories: Type.Array(Type.String()),
});

interface PageRow {
  organization_id: string;
  incident_id: string;
  organization: string;
  default_locale: string;
  content: GuidanceContent;
  support_url: string | null;
}

/**
 * The public side of "Was I affected?": the page of a published incident, the look-up (one
 * answer whatever the address; the work happens in a queued job) and the one-time link's result.
 * An unpublished or unknown page is the same 404.
 */
export async function publicLookupRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const { keyring } = app.deps;

  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });

  /** The published page's organization and incident: the named cross-organization look-up. */
  async function locatePage(publicId: string) {
    const found = await asApp(db, (tx) =>
      tx.query<{ organization_id: string; id: string }>('SELECT * FROM candor_find_lookup_page($1)', [
        publicId,
      ]),
    );
    if (!found[0]) throw new AppError('not_found');
    return { organizationId: found[0].organization_id, incidentId: found[0].id };
  }

  async function loadPage(tx: Sql, incidentId: string): Promise<PageRow> {
    const row = (
      await tx.query<PageRow>(
        `SELECT p.organization_id, p.incident_id, o.name AS organization, o.default_locale, v.content, p.support_url
         FROM incident_lookup_pages p JOIN incident_guidance_versions v ON v.id = p.version_id
         JOIN organizations o ON o.id = p.organization_id
         WHERE p.incident_id = $1 AND p.published`,
        [incidentId],
      )
    )[0];
    if (!row) throw new AppError('not_found');
    return row;
  }

  const wantedLocale = (request: FastifyRequest, given: Locale | undefined): Locale | undefined =>
    given ?? fromAcceptLanguage(request.headers['accept-language']);

  function pageView(row: PageRow, wanted: Locale | undefined) {
    const fallback: Locale = isLocale(row.default_locale) ? row.default_locale : 'en';
    const locale = guidanceLocale(row.content, wanted ?? fallback, fallback);
    return {
      organization: row.organization,
      locale,
      locales: LOCALES.filter((l) => completeIn(row.content, l)),
      guidance: row.content[locale],
      supportUrl: row.support_url,
    };
  }

  app.get(
    '/api/public/affected/:publicId',
    {
      config: open,
      schema: {
        tags: ['lookup'],
        params: PublicParams,
        querystring: PageQuery,
        response: { 200: PublicPage, ...errors },
      },
    },
    async (request) => {
      const { organizationId, incidentId } = await locatePage(request.params.publicId);
      const row = await withOrg(db, organizationId, (tx) => loadPage(tx, incidentId), { system: true });
      return pageView(row, wantedLocale(request, request.query.locale));
    },
  );

  app.post(
    '/api/public/affected/:publicId/lookup',
    {
      config: open,
      schema: {
        tags: ['lookup'],
        params: PublicParams,
        body: LookupBody,
        response: { 202: LookupAccepted, ...errors },
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.body.email);
      if (!email)
        throw new AppError('validation_failed', {
          where: 'body/email',
          problem: 'not an e-mail address',
        });
      const locale = wantedLocale(request, request.body.locale) ?? 'en';
      const { organizationId, incidentId } = await locatePage(request.params.publicId);
      // From here on nothing looks at whether the address belongs to anyone: the blind index is
      // computed, counted and queued the same way for every address.
      const index = await withOrg(
        db,
        organizationId,
        async (tx) => {
          const keys = await keyring.get(tx, organizationId);
          return emailIndex(keys, email);
        },
        { system: true },
      );
      // Counted and queued in one transaction: a look-up its limits refuse queues nothing.
      await asApp(db, async (tx) => {
        await countLookup(tx, [
          { key: addressKey(organizationId, index), limit: LOOKUP_LIMITS.address },
          { key: ipKey(config.secrets.sessionKey, request.ip), limit: LOOKUP_LIMITS.ip },
        ]);
        await sendJob(tx, lookupJob, { organizationId, incidentId, emailIndex: index, locale });
      });
      return reply.status(202).send(LOOKUP_ACCEPTED);
    },
  );

  app.post(
    '/api/public/affected/:publicId/result',
    {
      config: open,
      schema: {
        tags: ['lookup'],
        params: PublicParams,
        body: ResultBody,
        response: { 200: Result, ...errors },
      },
    },
    async (request) => {
      const { organizationId, incidentId } = await locatePage(request.params.publicId);
      const tokenHash = hashToken(request.body.token);
      const link = (
        await asApp(db, (tx) =>
          tx.query<{ organization_id: string; id: string }>('SELECT * FROM candor_find_lookup_link($1)', [
            tokenHash,
          ]),
        )
      )[0];
      if (!link || link.organization_id !== organizationId) throw new AppError('link_expired');
      return withOrg(
        db,
        organizationId,
        async (tx) => {
          // Used once: the first request takes it; any later one (or one after 15 minutes) is refused.
          const used = (
            await tx.query<{ customer_id: string }>(
              `UPDATE lookup_links SET used_at = now()
               WHERE id = $1 AND incident_id = $2 AND used_at IS NULL AND expires_at > now()
               RETURNING customer_id`,
              [link.id, incidentId],
            )
          )[0];
          if (!used) throw new AppError('link_expired');
          const row = await loadPage(tx, incidentId);
          const categories =
            (
              await tx.query<{ data_categories: string[] }>(
                `SELECT data_categories FROM incident_affected_customers WHERE incident_id = $1 AND customer_id = $2`,
                [incidentId, used.customer_id],
              )
            )[0]?.data_categories ?? [];
          await appendAudit(tx, config.secrets.auditKey, organizationId, systemActor(request.id), {
            action: 'lookup.result_viewed',
            targetType: 'customer',
            targetId: used.customer_id,
            data: { incidentId, categories: categories.length },
          });
          return { ...pageView(row, wantedLocale(request, request.body.locale)), categories };
        },
        { system: true },
      );
    },
  );
}
