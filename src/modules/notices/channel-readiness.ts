import type { SmsSettings } from '../../config.js';
import type { Sql } from '../../platform/db.js';
import { AppError, type ErrorCode } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { loadWebhookSecret } from './channel-webhook.js';
import { findFailedChannels } from './delivery-repo.js';
import { loadSigningSettings } from './email-settings.js';
import { CHANNELS, type Channel } from './notice-contracts.js';

/**
 * Whether a send can go anywhere, asked when it is requested and when its failed deliveries are
 * sent again: a channel without its settings would otherwise fail every recipient for good, one
 * attempt each, after the request was accepted.
 *
 * - e-mail: the organization's e-mail settings (From address and DKIM key, Administration →
 *   E-mail for notices). The relay is the server's and always there: CANDOR_SMTP_URL is required
 *   in production, and without it the server keeps mail in its development mailbox.
 * - SMS: the server's provider (CANDOR_SMS_*).
 * - webhook: the organization's signing secret (POST /api/notices/webhook-secret).
 *
 * Read from the database on every call, never cached: settings saved a moment ago count.
 */
export interface ChannelReadinessDeps {
  keyring: OrganizationKeyring;
  /** The server's SMS provider (config.sms); undefined: no SMS channel. */
  sms: SmsSettings | undefined;
}

export interface MissingSettings {
  channel: Channel;
  code: ErrorCode;
  /** What is missing, as names safe to show: fromAddress, dkimKey, smsProvider, webhookSecret. */
  missing: string[];
}

/** The channels among `channels` that lack their settings, in CHANNELS order. */
export async function missingSettings(
  tx: Sql,
  deps: ChannelReadinessDeps,
  organizationId: string,
  channels: readonly Channel[],
): Promise<MissingSettings[]> {
  const wanted = CHANNELS.filter((c) => channels.includes(c));
  const keys = wanted.some((c) => c !== 'sms') ? await deps.keyring.get(tx, organizationId) : undefined;
  const found: MissingSettings[] = [];
  for (const channel of wanted) {
    if (channel === 'email') {
      if (!(await loadSigningSettings(tx, keys!, organizationId))) {
        found.push({ channel, code: 'email_settings_missing', missing: ['fromAddress', 'dkimKey'] });
      }
    } else if (channel === 'sms') {
      if (!deps.sms) found.push({ channel, code: 'sms_settings_missing', missing: ['smsProvider'] });
    } else if (!(await loadWebhookSecret(tx, keys!, organizationId))) {
      found.push({ channel, code: 'webhook_secret_missing', missing: ['webhookSecret'] });
    }
  }
  return found;
}

/**
 * Refuses (409) a send on a channel without its settings, before anything is written. The code is
 * the first such channel's; `details.channels` names every one, so all can be fixed at once.
 */
export async function assertChannelsReady(
  tx: Sql,
  deps: ChannelReadinessDeps,
  organizationId: string,
  channels: readonly Channel[],
): Promise<void> {
  const missing = await missingSettings(tx, deps, organizationId, channels);
  const first = missing[0];
  if (!first) return;
  throw new AppError(first.code, {
    channel: first.channel,
    missing: first.missing.join(' '),
    channels: missing.map((m) => m.channel).join(' '),
  });
}

/**
 * The channels "resend to the failed" would send on: those of the deliveries it takes up again
 * (the statuses resendFailed in delivery-control.ts resets; keep the two in step).
 */
export function failedChannels(tx: Sql, sendId: string): Promise<Channel[]> {
  return findFailedChannels(tx, sendId);
}
