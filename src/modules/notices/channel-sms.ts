import { createHmac } from 'node:crypto';
import type { SmsSettings } from '../../config.js';
import { withOrg, type Database } from '../../platform/db.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { normalizePhone } from '../customers/index.js';
import type { ChannelResult, ChannelSender, OutgoingNotice } from './notice-contracts.js';
import { insertSmsStatusReport, lockSmsDelivery, markSmsDeliveryFailed } from './sms-repo.js';
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

/** Delivery errors after which the number must not be sent to again (30005 unknown, 30006 landline). */
const SUPPRESSING_REPORTS = new Set(['21610', '30005', '30006']);

/** Final reports that the message did not reach the phone. */
const FAILED_REPORTS = new Set(['undelivered', 'failed']);

/** A delivery report as the provider posted it, its signature checked (sms-status-routes.ts). */
export interface SmsStatusReport {
  organizationId: string;
  deliveryId: string;
  /** The provider's id for the message reported on. */
  providerId: string;
  /** Twilio's MessageStatus. */
  status: string;
  errorCode: string | null;
  /** The report's To: used only for a delivery sent before numbers were recorded. */
  to: string | undefined;
}

/**
 * Records a delivery report in sms_status_reports (a repeated report once). 'delivered' confirms
 * the delivery (it stays 'sent'; the report is the record); 'undelivered' or 'failed' for the
 * message the delivery was accepted as (its accepted_by sid) fails the delivery with the
 * provider's error code, never the number; a report of an unknown, unreachable or unsubscribed
 * number suppresses it. A report naming no SMS delivery of that organization (another
 * organization's, or none) changes nothing.
 */
export async function recordSmsStatusReport(
  deps: { db: Database; keyring: OrganizationKeyring },
  report: SmsStatusReport,
): Promise<void> {
  const { organizationId, deliveryId, providerId, status, errorCode } = report;
  await withOrg(
    deps.db,
    organizationId,
    async (tx) => {
      const delivery = await lockSmsDelivery(tx, deliveryId);
      if (!delivery) return;
      await insertSmsStatusReport(tx, { organizationId, deliveryId, providerId, status, errorCode });
      // A report for an earlier message (one sent again after a crash) leaves the delivery alone.
      if (FAILED_REPORTS.has(status) && delivery.status === 'sent' && delivery.accepted_by === providerId) {
        await markSmsDeliveryFailed(
          tx,
          deliveryId,
          `SMS ${status} (reported by the provider)${errorCode ? ` with error ${errorCode}` : ''}`,
        );
      }
      // The number suppressed is the one the delivery was sent to (recorded when it was sent);
      // the report's To only for a delivery sent before numbers were recorded.
      const number = report.to && normalizePhone(report.to);
      if (errorCode && SUPPRESSING_REPORTS.has(errorCode)) {
        const keys = await deps.keyring.get(tx, organizationId);
        const own = delivery.recipient_index ?? (number ? addressIndex(keys, 'sms', number) : undefined);
        const reason = errorCode === '21610' ? 'unsubscribed' : 'permanent_failure';
        if (own) await suppressIndex(tx, organizationId, 'sms', own, reason, { source: 'sms', deliveryId });
      }
    },
    { system: true },
  );
}
