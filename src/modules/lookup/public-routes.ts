import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { fromAcceptLanguage, LOCALES, type Locale } from '../../platform/i18n.js';
import type { Access } from '../access/index.js';
import { OrganizationBrandSchema } from '../accounts/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { normalizeEmail } from '../customers/index.js';
import { lookupResult, publicPage, requestLookup, type PublicLookupDeps } from './lookup-service.js';

const open: { access: Access } = { access: { kind: 'public' } };
const errors = { 400: ErrorBody, 404: ErrorBody, 410: ErrorBody, 429: ErrorBody };

const PublicParams = Type.Object({ publicId: Type.String({ pattern: '^[A-Za-z0-9_-]{22,64}$' }) });
const LocaleSchema = Type.Unsafe<Locale>({ type: 'string', enum: [...LOCALES] });
const PageQuery = Type.Object({ locale: Type.Optional(LocaleSchema) }, { additionalProperties: false });

const Guidance = Type.Object({ happened: Type.String(), done: Type.String(), advice: Type.String() });
const PublicPage = Type.Object({
  organization: Type.String(),
  /** The page shows the organization's name, logo and colour, not Candor's. */
  brand: OrganizationBrandSchema,
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

/**
 * The public side of "Was I affected?": the page of a published incident, the look-up (one
 * answer whatever the address; the work happens in a queued job) and the one-time link's result.
 * An unpublished or unknown page is the same 404.
 */
export async function publicLookupRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const { keyring } = app.deps;
  const deps: PublicLookupDeps = { db, keyring, secrets: config.secrets };

  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });

  const wantedLocale = (request: FastifyRequest, given: Locale | undefined): Locale | undefined =>
    given ?? fromAcceptLanguage(request.headers['accept-language']);

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
    async (request) => publicPage(db, request.params.publicId, wantedLocale(request, request.query.locale)),
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
      await requestLookup(deps, request.params.publicId, email, locale, request.ip);
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
    async (request) =>
      lookupResult(
        deps,
        request.params.publicId,
        request.body.token,
        wantedLocale(request, request.body.locale),
        request.id,
      ),
  );
}
