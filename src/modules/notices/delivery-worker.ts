/**
 * The delivery engine as a worker runs it: real channels, the verification records of /verify,
 * pg-boss for the chunk jobs (queued by platform/jobs.ts sendJob), and the rate limits of CANDOR_NOTICE_RATE_LIMITS.
 */
import type { Config } from '../../config.js';
import type { Database } from '../../platform/db.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import { masterKeyFrom, organizationKeyring, type OrganizationKeyring } from '../../platform/keys.js';
import type { Logger } from '../../platform/logger.js';
import type { Outbox } from '../../platform/outbox.js';
import { createEmailChannel } from './channel-email.js';
import { createSmsChannel } from './channel-sms.js';
import { createWebhookChannel } from './channel-webhook.js';
import { createDeliveryEngine, type DeliveryDeps, type DeliveryEngine } from './delivery-engine.js';
import { parseRateLimits } from './delivery-rate.js';
import { vacuumDeliveries } from './delivery-repo.js';
import type { Channel, ChannelSender } from './notice-contracts.js';
import { newVerificationCode, verificationRecorder, verificationsRecorder } from './notice-verification.js';

export const VACUUM_QUEUE = 'deliveries-vacuum';

/**
 * Every minute, VACUUM the outbox's tables. A bulk send writes each delivery three times; until
 * its dead versions are cleared every claim walks past them in the due index, and each claim
 * slows as the send goes on. Autovacuum may be off on a server, and the embedded database has
 * none. A vacuum that finds nothing to do reads only the pages not yet all-visible.
 */
export function vacuumTimer(db: Database): ModuleTimer {
  return {
    name: VACUUM_QUEUE,
    cron: '* * * * *',
    async run() {
      await vacuumDeliveries(db);
      return 0;
    },
  };
}

export interface NoticeWorker extends DeliveryEngine {
  close(): Promise<void>;
}

export function createNoticeWorker(deps: {
  db: Database;
  config: Config;
  logger: Logger;
  outbox: Outbox;
  /** The SMTP relay notices go through (the same as the platform's mail). */
  smtpUrl: string;
  /** Other channels (SMS, webhook) as they are configured. */
  channels?: Partial<Record<Channel, ChannelSender>>;
  env?: Record<string, string | undefined>;
  overrides?: Partial<DeliveryDeps>;
  /** The process's keyring (the composition root's); a worker of its own makes one. */
  keyring?: OrganizationKeyring;
}): NoticeWorker {
  const keyring = deps.keyring ?? organizationKeyring(masterKeyFrom(deps.config.secrets));
  const email = createEmailChannel({
    db: deps.db,
    keyring,
    smtpUrl: deps.smtpUrl,
    email: deps.config.email,
    publicUrl: deps.config.publicUrl,
  });
  const webhook = createWebhookChannel({
    db: deps.db,
    keyring,
    allowPrivate: deps.config.webhookAllowPrivate,
  });
  // Without CANDOR_SMS_ACCOUNT_SID there is no SMS channel: SMS deliveries fail as not configured.
  const sms = deps.config.sms
    ? createSmsChannel({ settings: deps.config.sms, publicUrl: deps.config.publicUrl })
    : undefined;
  const channels: Partial<Record<Channel, ChannelSender>> = {
    email,
    webhook,
    ...(sms ? { sms } : {}),
    ...deps.channels,
  };
  const engine = createDeliveryEngine({
    db: deps.db,
    config: deps.config,
    logger: deps.logger,
    outbox: deps.outbox,
    keyring,
    channels,
    newVerificationCode,
    recordVerification: verificationRecorder(deps.config.secrets, keyring),
    recordVerifications: verificationsRecorder(deps.config.secrets, keyring),
    rateLimits: parseRateLimits((deps.env ?? process.env).CANDOR_NOTICE_RATE_LIMITS),
    ...deps.overrides,
  });
  return {
    ...engine,
    timers: [...engine.timers, vacuumTimer(deps.db)],
    async close() {
      await Promise.all(Object.values(channels).map((c) => c.close()));
    },
  };
}
