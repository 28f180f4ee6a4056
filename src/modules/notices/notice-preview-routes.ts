import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { ErrorBody, LocaleSchema, Uuid } from '../../platform/http/schemas.js';
import { withCaller } from '../access/index.js';
import { callerOf } from './notice-caller.js';
import { previewNotice } from './notice-preview.js';
import { NoticeParams } from './notice-schemas.js';
import type { NoticeDeps } from './notice-service.js';

const PreviewQuery = Type.Object(
  {
    locale: LocaleSchema,
    version: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$' })),
    /** An affected customer to preview as (their name is decrypted: audited); else a sample. */
    customerId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

/**
 * The e-mail's own policy: its inline styles apply (the admin app's `style-src 'self'` would refuse
 * them in a srcdoc frame), nothing loads or runs, and only the admin app may frame it.
 */
export const PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'self'; sandbox";

/**
 * A notice's e-mail as a customer would get it, as its own HTML document: the admin app's preview
 * frame points here (`src=`), so the document has its own Content-Security-Policy.
 */
export async function noticePreviewRoutes(
  fastify: FastifyInstance,
  opts: { deps: Pick<NoticeDeps, 'auditKey' | 'keyring'> },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.deps;

  app.get(
    '/api/notices/:noticeId/preview.html',
    {
      config: {
        access: { kind: 'permission', permission: 'notices.preview' },
        swaggerTransform: documentRaw({
          ok: { contentTypes: ['text/html'], description: 'The notice e-mail as an HTML document.' },
        }),
      },
      schema: {
        tags: ['notices'],
        params: NoticeParams,
        querystring: PreviewQuery,
        response: { 200: Type.Unknown(), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { locale, version, customerId } = request.query;
      const preview = await withCaller(db, request, (tx) =>
        previewNotice(tx, opts.deps, callerOf(request), request.params.noticeId, {
          locale,
          ...(version ? { version: Number(version) } : {}),
          ...(customerId ? { customerId } : {}),
        }),
      );
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', PREVIEW_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'SAMEORIGIN')
        .header('cache-control', 'no-store')
        .send(preview.html);
    },
  );
}
