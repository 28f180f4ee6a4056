import { timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.js';
import { documentRaw } from '../../platform/http/raw-docs.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { recordSmsStatusReport, twilioSignature } from './channel-sms.js';

/** Twilio's MessageStatus values. */
const STATUSES = [
  'accepted',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'read',
  'canceled',
  'scheduled',
  'receiving',
  'received',
];

const StatusParams = Type.Object({
  organizationId: Type.String({ format: 'uuid' }),
  deliveryId: Type.String({ format: 'uuid' }),
});

/**
 * The SMS provider's delivery reports: authenticated by X-Twilio-Signature, then recorded against
 * the delivery they name (recordSmsStatusReport in channel-sms.ts says what each one does).
 */
export async function smsStatusRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app.deps;
  const settings = config.sms;
  const { keyring } = app.deps;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post(
    '/api/public/sms-status/:organizationId/:deliveryId',
    {
      config: {
        access: { kind: 'public' },
        signedWebhook: true,
        swaggerTransform: documentRaw({
          body: {
            contentTypes: ['application/x-www-form-urlencoded'],
            description:
              "The provider's delivery report (Twilio's status callback: MessageSid, MessageStatus, ErrorCode), signed in X-Twilio-Signature.",
          },
        }),
      },
      schema: {
        tags: ['notices'],
        params: StatusParams,
        response: { 204: Type.Null(), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!settings) throw new AppError('not_found');
      const params = (request.body ?? {}) as Record<string, string>;
      const given = request.headers['x-twilio-signature'];
      const expected = twilioSignature(
        settings.authToken,
        `${config.publicUrl.origin}${request.url}`,
        params,
      );
      if (
        typeof given !== 'string' ||
        given.length !== expected.length ||
        !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
      ) {
        throw new AppError('forbidden');
      }
      const status = params.MessageStatus ?? params.SmsStatus;
      const providerId = params.MessageSid ?? params.SmsSid;
      if (!status || !STATUSES.includes(status) || !providerId || !/^[A-Za-z0-9]{10,64}$/.test(providerId)) {
        throw new AppError('validation_failed', {
          where: 'body',
          problem: 'MessageSid and MessageStatus expected',
        });
      }
      const errorCode = params.ErrorCode && /^\d{1,10}$/.test(params.ErrorCode) ? params.ErrorCode : null;
      const { organizationId, deliveryId } = request.params;
      await recordSmsStatusReport(
        { db, keyring },
        { organizationId, deliveryId, providerId, status, errorCode, to: params.To },
      );
      return reply.status(204).send(null);
    },
  );
}
