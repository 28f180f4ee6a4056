import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Access } from '../access/index.js';
import { OrganizationBrandSchema } from '../accounts/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { CHANNELS } from './notice-contracts.js';
import { verificationChecker } from './verify-service.js';

export { VERIFY_LIMIT_PER_IP, verifyIpKey } from './verify-service.js';

const open: { access: Access } = { access: { kind: 'public' } };

const VerifyBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
const Genuine = Type.Object({
  status: Type.Literal('genuine'),
  organization: Type.String(),
  /** The page shows the organization's name, logo and colour, not Candor's. */
  brand: OrganizationBrandSchema,
  subject: Type.String(),
  /** The subject's language, for its `lang`; null for codes recorded before it was kept. */
  subjectLocale: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.String({ format: 'date-time' }),
  channel: Type.Unsafe<(typeof CHANNELS)[number]>({ type: 'string', enum: [...CHANNELS] }),
  maskedRecipient: Type.String(),
});
const Unknown = Type.Object({ status: Type.Literal('unknown') });

/**
 * The public check of a notice's verification code: confirms the notice it came with (the
 * organization, subject, date, channel and a partly masked recipient) or answers that it is not
 * one of ours. Rate-limited per IP in PostgreSQL, shared by every process.
 */
export async function verifyRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const { keyring } = app.deps;
  const check = verificationChecker({ db, keyring, secrets: config.secrets });

  app.post(
    '/api/public/verify',
    {
      config: open,
      schema: {
        tags: ['notices'],
        body: VerifyBody,
        response: { 200: Type.Union([Genuine, Unknown]), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const notice = await check({ ip: request.ip, requestId: request.id, code: request.body.code });
      if (!notice) return { status: 'unknown' as const };
      return {
        status: 'genuine' as const,
        organization: notice.organization,
        brand: notice.brand,
        subject: notice.subject,
        subjectLocale: notice.subjectLocale,
        sentAt: notice.sentAt.toISOString(),
        channel: notice.channel,
        maskedRecipient: notice.maskedRecipient,
      };
    },
  );
}
