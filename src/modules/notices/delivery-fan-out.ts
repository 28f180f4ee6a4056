/**
 * A send's fan-out: the send job cuts the audience into chunks by keyset and queues a job per
 * chunk; each chunk job writes its delivery rows, one per (notice version, recipient, channel),
 * holding no message, only its sealed verification code.
 */
import { randomUUID } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { Config } from '../../config.js';
import { withOrg, type Database } from '../../platform/db.js';
import { sendJob, type JobType } from '../../platform/jobs.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { sealNoticeSecret, type Outbox } from '../../platform/outbox.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { loadSend } from './delivery-repo.js';
import {
  affectedCustomerChunks,
  anyOpenChunk,
  findDefaultLocale,
  insertChunks,
  insertNoticeDeliveries,
  listChunkAudience,
  listChunks,
  lockChunk,
  markChunkDone,
  markSendFannedOut,
  startFanOut,
  type ChunkBounds,
  type NewDelivery,
} from './fan-out-repo.js';
import { NOTICE_LOCALES, type Channel, type NoticeLocale } from './notice-contracts.js';
import type { NoticeSendJobData } from './notice-sends.js';
import { listTestRecipients } from './notice-test-recipients.js';
import { settleSends } from './send-completion.js';

export const CHUNK_QUEUE = 'notice-chunk';
/** Recipients per fan-out chunk (one pg-boss job, one transaction). */
export const CHUNK_SIZE = 1000;

const ChunkJobData = Type.Object(
  {
    organizationId: Type.String({ format: 'uuid' }),
    sendId: Type.String({ format: 'uuid' }),
    chunk: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** One chunk of a send's audience: queued by the send job, in the transaction that records the chunks. */
export const noticeChunkJob: JobType<typeof ChunkJobData> = {
  name: CHUNK_QUEUE,
  schema: ChunkJobData,
  options: { retryLimit: 5, retryDelay: 10, retryBackoff: true },
};

/** The customer's language if Candor writes notices in it (primary subtag), else the organization's. */
export function noticeLocale(language: string | null, fallback: NoticeLocale): NoticeLocale {
  const primary = language?.split('-')[0]?.toLowerCase();
  return (NOTICE_LOCALES as readonly string[]).includes(primary ?? '') ? (primary as NoticeLocale) : fallback;
}

export interface FanOutDeps {
  db: Database;
  config: Config;
  outbox: Outbox;
  keyring: OrganizationKeyring;
  newVerificationCode(): string;
  /** Queues a job in a transaction (the chunk jobs of a fan-out); platform/jobs.ts sendJob unless a test's. */
  sendJob?: typeof sendJob;
  chunkSize?: number;
}

/** The send and chunk jobs' handlers; key seals each delivery's verification code. */
export function createFanOut(deps: FanOutDeps, key: Buffer) {
  const { db } = deps;
  const chunkSize = deps.chunkSize ?? CHUNK_SIZE;
  const auditKey = deps.config.secrets.auditKey;
  const queueJob = deps.sendJob ?? sendJob;

  /**
   * The send job: cuts the audience into chunks by keyset and queues a job per chunk, in the
   * transaction that records the chunks (a crash leaves both or neither).
   */
  async function runSend(data: NoticeSendJobData): Promise<number> {
    const chunks = await withOrg(
      db,
      data.organizationId,
      async (tx) => {
        const send = await loadSend(tx, data.sendId, true);
        if (!send || send.status === 'cancelled' || send.status === 'completed') return [];
        const existing = await listChunks(tx, send.id);
        // A repeated job (pg-boss retried it, or it ran twice) re-sends only the unfinished chunks.
        if (existing.length) {
          const open = existing.filter((c) => !c.done_at).map((c) => c.chunk);
          for (const chunk of open) await queueJob(tx, noticeChunkJob, { ...data, chunk });
          return open;
        }
        let bounds: ChunkBounds[];
        if (send.audience === 'test_recipients') {
          const ids = (await listTestRecipients(tx, await deps.keyring.get(tx, send.organization_id)))
            .map((r) => r.id)
            .sort();
          bounds = [];
          for (let i = 0; i < ids.length; i += chunkSize) {
            const part = ids.slice(i, i + chunkSize);
            bounds.push({ chunk: i / chunkSize, first_id: part[0]!, last_id: part.at(-1)!, n: part.length });
          }
        } else {
          bounds = await affectedCustomerChunks(tx, send.incident_id, chunkSize);
        }
        await insertChunks(tx, send.organization_id, send.id, bounds);
        await startFanOut(tx, send.id, bounds.length === 0);
        await appendAudit(tx, auditKey, send.organization_id, systemActor(), {
          action: 'notice_send.fan_out_started',
          targetType: 'notice_send',
          targetId: send.id,
          data: { chunks: bounds.length, recipients: bounds.reduce((n, b) => n + b.n, 0) },
        });
        for (const b of bounds) await queueJob(tx, noticeChunkJob, { ...data, chunk: b.chunk });
        return bounds.map((b) => b.chunk);
      },
      { system: true },
    );
    // Nothing to fan out (an empty audience, or a repeated job): complete it, once committed.
    if (chunks.length === 0) await settleSends(db, auditKey, data.organizationId, [data.sendId]);
    return chunks.length;
  }

  /** One chunk: its delivery rows, idempotently (a repeated chunk inserts nothing new). */
  async function runChunk(data: Static<typeof ChunkJobData>): Promise<number> {
    const written = await withOrg(
      db,
      data.organizationId,
      async (tx) => {
        // The send's row first (pause and cancel take it first too): one send's chunks finish one
        // at a time, so of two last chunks the second sees the first done and moves the send on
        // (each seeing the other still open would leave it fanning out for ever).
        const send = await loadSend(tx, data.sendId, true);
        if (!send) return 0;
        const chunk = await lockChunk(tx, data.sendId, data.chunk);
        if (!chunk || chunk.done_at) return 0;
        const orgLocale = await findDefaultLocale(tx, send.organization_id);
        const rows: NewDelivery[] = [];
        const add = (
          recipient: { customerId?: string; testRecipientId?: string },
          channel: Channel,
          locale: NoticeLocale,
        ) => {
          const id = randomUUID();
          rows.push({
            id,
            channel,
            key: `notice:${send.notice_version_id}:${recipient.customerId ?? `test:${recipient.testRecipientId}`}:${channel}`,
            payload: `\\x${sealNoticeSecret(key, send.organization_id, id, deps.newVerificationCode()).toString('hex')}`,
            // Random, not the delivery id: a Message-ID a reader forwards tells nothing about the row.
            message_id: `<${randomUUID()}@${deps.config.publicUrl.hostname}>`,
            customer_id: recipient.customerId ?? null,
            test_recipient_id: recipient.testRecipientId ?? null,
            locale,
          });
        };
        if (send.status !== 'cancelled') {
          if (send.audience === 'test_recipients') {
            const list = await listTestRecipients(tx, await deps.keyring.get(tx, send.organization_id));
            for (const r of list.filter((r) => r.id >= chunk.first_id && r.id <= chunk.last_id)) {
              const has: Record<Channel, boolean> = {
                email: !!r.email,
                sms: !!r.phone,
                webhook: !!r.webhookUrl,
              };
              for (const channel of send.channels)
                if (has[channel]) add({ testRecipientId: r.id }, channel, r.locale);
            }
          } else {
            const audience = await listChunkAudience(tx, send.incident_id, chunk.first_id, chunk.last_id);
            for (const c of audience) {
              // Channels a customer has, known without decrypting: the blind indexes say whether
              // an e-mail or phone is on record, has_webhook whether an endpoint is.
              const has: Record<Channel, boolean> = {
                email: c.has_email,
                sms: c.has_phone,
                webhook: c.has_webhook,
              };
              const consent: Record<Channel, boolean> = {
                email: c.consent_email,
                sms: c.consent_sms,
                webhook: c.consent_webhook,
              };
              for (const channel of send.channels) {
                if (!has[channel]) continue;
                if (send.kind === 'optional' && !consent[channel]) continue;
                add({ customerId: c.id }, channel, noticeLocale(c.language, orgLocale));
              }
            }
          }
        }
        const inserted = await insertNoticeDeliveries(
          tx,
          {
            organizationId: send.organization_id,
            sendId: send.id,
            noticeVersionId: send.notice_version_id,
            kind: send.kind,
            paused: send.status === 'paused',
          },
          rows,
        );
        await markChunkDone(tx, send.id, data.chunk, inserted.length);
        // The last chunk moves the send on to sending (a paused send stays paused).
        if (!(await anyOpenChunk(tx, send.id))) {
          await markSendFannedOut(tx, send.id);
          await appendAudit(tx, auditKey, send.organization_id, systemActor(), {
            action: 'notice_send.fanned_out',
            targetType: 'notice_send',
            targetId: send.id,
            data: {},
          });
        }
        return inserted.length;
      },
      { system: true },
    );
    // Once committed: the last chunk may end the send (it wrote nothing to send, and the earlier
    // chunks' messages went out while it was fanning out); a repeated job ends one a crash left.
    await settleSends(db, auditKey, data.organizationId, [data.sendId]);
    if (written > 0) deps.outbox.wake();
    return written;
  }

  return { runSend, runChunk };
}
