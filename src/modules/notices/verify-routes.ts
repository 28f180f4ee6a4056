import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { hmac } from '../../platform/crypto.js';
import { asApp, withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Access } from '../access/index.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { countLookup } from '../lookup/index.js';
import { CHANNELS } from './notice-contracts.js';
import {
  locateVerification,
  normalizeVerificationCode,
  readVerification,
  verificationKeys,
} from './notice-verification.js';

/** Checks allowed per IP in one hour (every check counts, genuine or not). */
export const VERIFY_LIMIT_PER_IP = 20;
export const verifyIpKey = (sessionKey: Buffer, ip: string) =>
  `verify:ip:${hmac(sessionKey, `verify-ip:${ip}`)}`;

const open: { access: Access } = { access: { kind: 'public' } };

const VerifyBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
const Genuine = Type.Object({
  status: Type.Literal('genuine'),
  organization: Type.String(),
  subject: Type.String(),
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
  const indexKeys = verificationKeys(config.secrets);

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
      await asApp(db, (tx) =>
        countLookup(tx, [
          { key: verifyIpKey(config.secrets.sessionKey, request.ip), limit: VERIFY_LIMIT_PER_IP },
        ]),
      );
      const code = normalizeVerificationCode(request.body.code);
      if (!code) {
        throw new AppError('validation_failed', {
          where: 'body/code',
          problem: 'a code has 12 letters and digits, like K7QF-2M9X-D4TA',
        });
      }
      const located = await asApp(db, (tx) => locateVerification(tx, indexKeys, code));
      if (!located) return { status: 'unknown' as const };
      const notice = await withOrg(
        db,
        located.organizationId,
        async (tx) => {
          const keys = await keyring.get(tx, located.organizationId);
          const found = await readVerification(tx, keys, located.codeIndex);
          if (found) {
            await appendAudit(tx, config.secrets.auditKey, located.organizationId, systemActor(request.id), {
              action: 'notice.verification_checked',
              targetType: 'delivery',
              targetId: found.deliveryId,
              data: { channel: found.channel },
            });
          }
          return found;
        },
        { system: true },
      );
      if (!notice) return { status: 'unknown' as const };
      return {
        status: 'genuine' as const,
        organization: notice.organization,
        subject: notice.subject,
        sentAt: notice.sentAt.toISOString(),
        channel: notice.channel,
        maskedRecipient: notice.maskedRecipient,
      };
    },
  );
}
