import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { ErrorBody, LocaleSchema } from '../../platform/http/schemas.js';
import { withCaller } from '../access/index.js';
import { SITE_STYLESHEET_PATH } from './site-style.js';
import { previewIncidentPage } from './trust-preview.js';
import { UpdateParams } from './trust-schemas.js';

const PreviewQuery = Type.Object({ locale: LocaleSchema }, { additionalProperties: false });

/**
 * The public page's own policy, in a sandbox: nothing runs, nothing is sent, and only the admin
 * app may frame it. The page's stylesheets and logo are files on this server, so the sandbox keeps
 * this origin (`allow-same-origin`, which the frame's `sandbox` attribute grants too): an opaque
 * origin would have them refused by their Cross-Origin-Resource-Policy. With no script allowed,
 * the origin gives the document nothing to act with.
 */
export const TRUST_PREVIEW_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'self'; sandbox allow-same-origin";

/**
 * An incident's public page as it would look with an update published (a draft included), as its
 * own HTML document: the admin app's preview frame points here (`src=`), so the document keeps
 * its own Content-Security-Policy, and no cache keeps a page that is not public.
 */
export async function trustPreviewRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const origin = config.publicUrl.origin;

  app.get(
    '/api/trust/updates/:updateId/preview.html',
    {
      config: {
        access: { kind: 'permission', permission: 'trust.read' },
        swaggerTransform: documentRaw({
          ok: {
            contentTypes: ['text/html'],
            description: 'The public incident page with this update published, as an HTML document.',
          },
        }),
      },
      schema: {
        tags: ['trust'],
        params: UpdateParams,
        querystring: PreviewQuery,
        response: { 200: Type.Unknown(), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { locale } = request.query;
      const html = await withCaller(db, request, (tx) =>
        previewIncidentPage(tx, request.params.updateId, locale, (site) => ({
          locale,
          origin,
          stylesheetHref: SITE_STYLESHEET_PATH,
          // The organization's colour is served only for a published site.
          brandStylesheetHref: site.published
            ? `/trust/${encodeURIComponent(site.slug)}/brand.css`
            : SITE_STYLESHEET_PATH,
        })),
      );
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', TRUST_PREVIEW_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'SAMEORIGIN')
        .header('cache-control', 'no-store')
        .send(html);
    },
  );
}
