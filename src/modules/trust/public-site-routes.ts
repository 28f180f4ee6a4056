import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { sendCachedPage } from '../../platform/http/cached-page.js';
import { fromAcceptLanguage, isLocale, type Locale } from '../../platform/i18n.js';
import { createPageCache, type PageCache, type RenderedPage } from '../../platform/page-cache.js';
import type { Access } from '../access/index.js';
import {
  renderIncidentPage,
  renderSiteHome,
  renderSiteNotFound,
  siteHomePath,
  type PageContext,
} from './site-render.js';
import { brandStylesheet, SITE_STYLESHEET, SITE_STYLESHEET_PATH } from './site-style.js';
import { loadPublicIncident, loadSiteHome } from './trust-public.js';

const open: { access: Access } = { access: { kind: 'public' } };

/**
 * The public site's pages may load nothing but their own stylesheets and images: no script at all,
 * no frames, forms only to this server.
 */
export const SITE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** Pages may be kept by browsers and shared caches for a few seconds, then checked by ETag. */
const PAGE_CACHE_CONTROL = 'public, max-age=10, stale-while-revalidate=30';
/** How stale a page this process holds may get before it renews it (another process's publish). */
const FRESH_MS = 5_000;

const SLUG = '^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$';
const PUBLIC_ID = '^[A-Za-z0-9_-]{22,64}$';
const SiteParams = Type.Object({ slug: Type.String({ pattern: SLUG }) });
const PageParams = Type.Object({
  slug: Type.String({ pattern: SLUG }),
  locale: Type.String({ maxLength: 8 }),
});
const IncidentParams = Type.Object({
  slug: Type.String({ pattern: SLUG }),
  locale: Type.String({ maxLength: 8 }),
  publicId: Type.String({ maxLength: 64 }),
});

const caches = new WeakMap<object, PageCache>();

/** The rendered pages of this app's public sites: one cache per app, shared by its routes. */
export function siteCache(deps: object): PageCache {
  let cache = caches.get(deps);
  if (!cache) {
    cache = createPageCache({ freshMs: FRESH_MS, maxEntries: 2_000 });
    caches.set(deps, cache);
  }
  return cache;
}

/** After anything a public site shows changed (a publish, the site's settings): its pages render anew. */
export function invalidateSites(deps: object): void {
  siteCache(deps).invalidate('/trust/');
}

/**
 * The organization's public trust center: server-rendered pages that need no JavaScript (issue 15),
 * each rendered once per change and served from memory, compressed, with ETags, to whoever comes.
 * An unknown site, language or incident is the same 404 page, never cached (anyone can ask for
 * any address: caching misses would let them push real pages out).
 */
export async function publicSiteRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const cache = siteCache(app.deps);
  const origin = config.publicUrl.origin;

  const contextFor = (locale: Locale, slug: string | null): PageContext => ({
    locale,
    origin,
    stylesheetHref: SITE_STYLESHEET_PATH,
    brandStylesheetHref: slug ? `/trust/${slug}/brand.css` : SITE_STYLESHEET_PATH,
  });

  const readerLocale = (request: FastifyRequest): Locale =>
    fromAcceptLanguage(request.headers['accept-language']) ?? 'en';

  function notFound(request: FastifyRequest, reply: FastifyReply, locale?: Locale) {
    return reply
      .status(404)
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Content-Security-Policy', SITE_CSP)
      .header('Cache-Control', 'no-store')
      .send(renderSiteNotFound(contextFor(locale ?? readerLocale(request), null)));
  }

  /** From the cache, rendered on a miss; undefined when the render found nothing (never cached). */
  const cached = (key: string, render: () => Promise<RenderedPage | undefined>) =>
    cache
      .get(key, async () => {
        const rendered = await render();
        if (!rendered) throw new SiteMissing();
        return rendered;
      })
      .catch((error: unknown) => {
        if (error instanceof SiteMissing) return undefined;
        throw error;
      });

  /** A page from the cache; a render finding nothing is the 404 page. */
  async function servePage(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    locale: Locale,
    render: () => Promise<RenderedPage | undefined>,
  ) {
    const page = await cached(key, render);
    if (!page) return notFound(request, reply, locale);
    reply.header('Content-Security-Policy', SITE_CSP);
    return sendCachedPage(request, reply, page, {
      contentType: 'text/html; charset=utf-8',
      cacheControl: PAGE_CACHE_CONTROL,
    });
  }

  app.get(SITE_STYLESHEET_PATH, { config: open, schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('Content-Type', 'text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .send(SITE_STYLESHEET),
  );

  app.get(
    '/trust/:slug/brand.css',
    { config: open, schema: { hide: true, params: SiteParams } },
    async (request, reply) => {
      const { slug } = request.params;
      const page = await cached(`/trust/${slug}/brand.css`, async () => {
        const home = await loadSiteHome(db, slug);
        return home && { status: 200, html: brandStylesheet(home.site.brand) };
      });
      if (!page) return reply.status(404).header('Cache-Control', 'no-store').send('');
      return sendCachedPage(request, reply, page, {
        contentType: 'text/css; charset=utf-8',
        cacheControl: PAGE_CACHE_CONTROL,
      });
    },
  );

  // The site's address without a language: the reader's, from Accept-Language, else the site's own.
  const toLanguage = async (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) => {
    const { slug } = request.params;
    const home = await loadSiteHome(db, slug);
    if (!home) return notFound(request, reply);
    const locale = fromAcceptLanguage(request.headers['accept-language']) ?? home.site.defaultLocale;
    return reply
      .header('Vary', 'Accept-Language')
      .header('Cache-Control', 'no-cache')
      .redirect(siteHomePath(slug, locale), 302);
  };
  app.get('/trust/:slug', { config: open, schema: { hide: true, params: SiteParams } }, toLanguage);
  app.get('/trust/:slug/', { config: open, schema: { hide: true, params: SiteParams } }, toLanguage);

  app.get(
    '/trust/:slug/:locale/',
    { config: open, schema: { hide: true, params: PageParams } },
    async (request, reply) => {
      const { slug, locale } = request.params;
      if (!isLocale(locale)) return notFound(request, reply);
      return servePage(request, reply, `/trust/${slug}/${locale}/`, locale, async () => {
        const home = await loadSiteHome(db, slug);
        return home && { status: 200, html: renderSiteHome(home, contextFor(locale, slug)) };
      });
    },
  );
  app.get(
    '/trust/:slug/:locale',
    { config: open, schema: { hide: true, params: PageParams } },
    async (request, reply) => {
      const { slug, locale } = request.params;
      if (!isLocale(locale)) return notFound(request, reply);
      return reply.redirect(siteHomePath(slug, locale), 301);
    },
  );

  app.get(
    '/trust/:slug/:locale/incidents/:publicId',
    { config: open, schema: { hide: true, params: IncidentParams } },
    async (request, reply) => {
      const { slug, locale, publicId } = request.params;
      if (!isLocale(locale) || !new RegExp(PUBLIC_ID).test(publicId)) return notFound(request, reply);
      return servePage(request, reply, `/trust/${slug}/${locale}/incidents/${publicId}`, locale, async () => {
        const found = await loadPublicIncident(db, slug, publicId);
        return (
          found && {
            status: 200,
            html: renderIncidentPage(found.site, found.incident, contextFor(locale, slug)),
          }
        );
      });
    },
  );
}

/** A render that found no such site or page: answered 404, never cached. */
class SiteMissing extends Error {}
