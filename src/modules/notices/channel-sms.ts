import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { SmsSettings } from '../../config.js';
import { withOrg } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ErrorBody } from '../../platform/http/schemas.js';
import { normalizePhone } from '../customers/index.js';
import type { ChannelResult, ChannelSender, OutgoingNotice } from './notice-contracts.js';
import { addressIndex, suppressIndex } from './suppression.js';

/**
 * The SMS channel: Twilio's Programmable Messaging REST API (POST
 * {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From or
 * MessagingServiceSid, Body and StatusCallback, HTTP Basic auth with the account SID and auth
 * token; 201 with the message's sid; errors as JSON {code, message, status}). Other providers
 * with the same shape work by pointing CANDOR_SMS_URL at them.
 *
 * 429, 5xx, 401 (our credentials: an operator fixes them and the retry goes through), timeouts
 * and network errors are temporary; other 4xx are permanent, and 21610 (the recipient replied
 * STOP) also suppresses the number. Errors name the provider's code and HTTP status only: the
 * provider's text may quote the number.
 */
export interface SmsChannelDeps {
  settings: SmsSettings;
  /** Where the provider posts delivery reports (CANDOR_PUBLIC_URL). */
  publicUrl: URL;
  timeoutMs?: number;
}

/** The provider's delivery-report address for one delivery. */
export const smsStatusCallbackUrl = (publicUrl: URL, organizationId: string, deliveryId: string) =>
  `${publicUrl.origin}/api/public/sms-status/${organizationId}/${deliveryId}`;

/** Error codes after which the number must not be sent to again. */
const SUPPRESSING_CODES = new Set([21610]);
/** Codes that mean "later" whatever the HTTP status (20429: too many requests). */
const TEMPORARY_CODES = new Set([20429]);

export function classifySmsResponse(status: number, body: { code?: number } | undefined): ChannelResult {
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const error = `SMS provider answered HTTP ${status}${code === undefined ? '' : ` with error ${code}`}`;
  if (
    status === 429 ||
    status >= 500 ||
    status === 401 ||
    (code !== undefined && TEMPORARY_CODES.has(code))
  ) {
    return { outcome: 'temporary', error };
  }
  return { outcome: 'permanent', error, suppress: code !== undefined && SUPPRESSING_CODES.has(code) };
}

export function createSmsChannel(deps: SmsChannelDeps): ChannelSender {
  const { settings } = deps;
  const endpoint = `${settings.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  return {
    channel: 'sms',
    async send(message: OutgoingNotice): Promise<ChannelResult> {
      const to = normalizePhone(message.to);
      if (!to) return { outcome: 'permanent', error: 'not a phone number in E.164 form', suppress: false };
      const form = new URLSearchParams({ To: to, Body: message.rendered.sms });
      if (settings.messagingServiceSid) form.set('MessagingServiceSid', settings.messagingServiceSid);
      else form.set('From', settings.from!);
      form.set(
        'StatusCallback',
        smsStatusCallbackUrl(deps.publicUrl, message.organizationId, message.deliveryId),
      );
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const name = (error as Error).name;
        return {
          outcome: 'temporary',
          error:
            name === 'TimeoutError'
              ? `SMS provider gave no answer within ${timeoutMs} ms`
              : 'SMS provider unreachable',
        };
      }
      let body: { sid?: unknown; code?: number } | undefined;
      try {
        body = (await response.json()) as typeof body;
      } catch {
        body = undefined;
      }
      if (response.status === 200 || response.status === 201) {
        return typeof body?.sid === 'string'
          ? { outcome: 'accepted', providerId: body.sid }
          : { outcome: 'temporary', error: 'SMS provider accepted without a message sid' };
      }
      return classifySmsResponse(response.status, body);
    },
    async close() {},
  };
}

/**
 * X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token, of the full URL the provider
 * called followed by each POST parameter's name and value, sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((key) => key + params[key])
      .join('');
  return createHmac('sha1', authToken).update(data).digest('base64');
}

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
/** Delivery errors after which the number must not be sent to again (30005 unknown, 30006 landline). */
const SUPPRESSING_REPORTS = new Set(['21610', '30005', '30006']);

const StatusParams = Type.Object({
  organizationId: Type.String({ format: 'uuid' }),
  deliveryId: Type.String({ format: 'uuid' }),
});

/** Final reports that the message did not reach the phone. */
const FAILED_REPORTS = new Set(['undelivered', 'failed']);

/**
 * The provider's delivery reports: authenticated by X-Twilio-Signature, recorded per delivery in
 * sms_status_reports (a repeated report once). 'delivered' confirms the delivery (it stays 'sent';
 * the report is the record); 'undelivered' or 'failed' for the message the delivery was accepted
 * as (its accepted_by sid) fails the delivery with the provider's error code, never the number; a
 * report of an unknown, unreachable or unsubscribed number suppresses it. A report naming no SMS
 * delivery of that organization (another organization's, or none) changes nothing.
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
      config: { access: { kind: 'public' }, signedWebhook: true },
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
      await withOrg(
        db,
        organizationId,
        async (tx) => {
          const delivery = (
            await tx.query<{ status: string; accepted_by: string | null; recipient_index: string | null }>(
              `SELECT status, accepted_by, recipient_index FROM deliveries WHERE id = $1 AND channel = 'sms' FOR UPDATE`,
              [deliveryId],
            )
          )[0];
          if (!delivery) return;
          await tx.query(
            `INSERT INTO sms_status_reports (organization_id, delivery_id, provider_id, status, error_code)
             SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::text
             WHERE NOT EXISTS (
               SELECT 1 FROM sms_status_reports
               WHERE delivery_id = $2::uuid AND provider_id = $3::text AND status = $4::text
                 AND error_code IS NOT DISTINCT FROM $5::text)`,
            [organizationId, deliveryId, providerId, status, errorCode],
          );
          // A report for an earlier message (one sent again after a crash) leaves the delivery alone.
          if (
            FAILED_REPORTS.has(status) &&
            delivery.status === 'sent' &&
            delivery.accepted_by === providerId
          ) {
            await tx.query(
              `UPDATE deliveries SET status = 'failed', last_error = $2, locked_until = NULL WHERE id = $1`,
              [
                deliveryId,
                `SMS ${status} (reported by the provider)${errorCode ? ` with error ${errorCode}` : ''}`,
              ],
            );
          }
          // The number suppressed is the one the delivery was sent to (recorded when it was sent);
          // the report's To only for a delivery sent before numbers were recorded.
          const number = params.To && normalizePhone(params.To);
          if (errorCode && SUPPRESSING_REPORTS.has(errorCode)) {
            const keys = await keyring.get(tx, organizationId);
            const own = delivery.recipient_index ?? (number ? addressIndex(keys, 'sms', number) : undefined);
            const reason = errorCode === '21610' ? 'unsubscribed' : 'permanent_failure';
            if (own)
              await suppressIndex(tx, organizationId, 'sms', own, reason, { source: 'sms', deliveryId });
          }
        },
        { system: true },
      );
      return reply.status(204).send(null);
    },
  );
}
