import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { authOf } from '../access/index.js';
import { requestActor } from '../audit/index.js';
import { changeOrganizationLogo, publicLogo } from './account-service.js';
import { findOrganizationLogo } from './organization-repo.js';
import { LOGO_MAX_BYTES } from './organization-model.js';
import { logoUrlOf } from './organization-profile.js';

/** What an upload may be labelled: the bytes decide, so an SVG or a GIF is read and then refused by name. */
const UPLOAD_TYPES = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/svg+xml',
  'image/gif',
  'application/octet-stream',
];
const SERVED_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
/** Read past the limit, so that a too-large logo is refused with our own answer, not the parser's. */
const READ_LIMIT = 4 * LOGO_MAX_BYTES;

const PublicLogoParams = Type.Object({ logoId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) });

const LogoView = Type.Object({ logoUrl: Type.Union([Type.String(), Type.Null()]) });

/** The organization's logo: uploaded as the raw image, stored in the database, served as an image only. */
export async function organizationLogoRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const auditKey = config.secrets.auditKey;

  app.addContentTypeParser(
    UPLOAD_TYPES,
    { parseAs: 'buffer', bodyLimit: READ_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.get(
    '/api/organization/logo',
    {
      config: {
        access: { kind: 'user' },
        swaggerTransform: documentRaw({
          ok: { contentTypes: SERVED_TYPES, description: 'The logo image (PNG, JPEG or WebP).' },
        }),
      },
      // The image is sent as its bytes (never serialized); documentRaw describes it.
      schema: { tags: ['organization'], response: { 200: Type.Unknown(), 404: ErrorBody } },
    },
    async (request, reply) => {
      const logo = await withOrg(db, authOf(request).organizationId, (tx) => findOrganizationLogo(tx));
      if (!logo) throw new AppError('not_found');
      // Only ever an image: the type is the sniffed one, never guessed again, and nothing in it runs.
      return reply
        .type(logo.logo_type)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', 'inline; filename="logo"')
        .header('cache-control', 'private, max-age=86400')
        .send(logo.logo);
    },
  );

  // The logo on public pages, without sign-in: by an opaque id that changes with each upload (so
  // it is cached for good), an image only, and the same 404 for an unknown id as for a removed logo.
  app.get(
    '/api/public/logos/:logoId',
    {
      config: {
        access: { kind: 'public' },
        swaggerTransform: documentRaw({
          ok: { contentTypes: SERVED_TYPES, description: 'The logo image (PNG, JPEG or WebP).' },
        }),
      },
      schema: {
        tags: ['organization'],
        params: PublicLogoParams,
        response: { 200: Type.Unknown(), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const logo = await publicLogo(db, request.params.logoId);
      if (!logo || !SERVED_TYPES.includes(logo.logo_type)) throw new AppError('not_found');
      return reply
        .type(logo.logo_type)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', 'inline; filename="logo"')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(logo.logo);
    },
  );

  app.put(
    '/api/organization/logo',
    {
      config: {
        access: { kind: 'permission', permission: 'organization.manage' },
        swaggerTransform: documentRaw({
          body: {
            contentTypes: UPLOAD_TYPES,
            description: 'The logo as the raw image: PNG, JPEG or WebP by its bytes, at most 256 KB.',
          },
        }),
      },
      bodyLimit: READ_LIMIT,
      schema: { tags: ['organization'], response: { 200: LogoView, 400: ErrorBody, 413: ErrorBody } },
    },
    async (request) => {
      const auth = authOf(request);
      const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const row = await withOrg(db, auth.organizationId, (tx) =>
        changeOrganizationLogo(tx, auditKey, auth.organizationId, requestActor(request), bytes),
      );
      return { logoUrl: logoUrlOf(row.logo_updated_at) };
    },
  );

  app.delete(
    '/api/organization/logo',
    {
      config: { access: { kind: 'permission', permission: 'organization.manage' } },
      schema: { tags: ['organization'], response: { 200: LogoView, 400: ErrorBody } },
    },
    async (request) => {
      const auth = authOf(request);
      await withOrg(db, auth.organizationId, (tx) =>
        changeOrganizationLogo(tx, auditKey, auth.organizationId, requestActor(request), null),
      );
      return { logoUrl: null };
    },
  );
}
