/**
 * The delivery engine: a send request (N1's notice_sends row) fans out in chunks — one pg-boss job
 * each — into outbox rows, one per (notice version, recipient, channel); outbox workers claim them
 * (FOR UPDATE SKIP LOCKED) and hand them here to be rendered and sent just before sending.
 */
import { randomUUID } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { Config } from '../../config.js';
import { openCustomerRecord } from '../keys/index.js';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { defineJob, sendJob, type JobType, type ModuleTimer } from '../../platform/jobs.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import type { Logger } from '../../platform/logger.js';
import {
  openNoticeSecret,
  outboxKey,
  redactAddress,
  retryDelayMs,
  sealNoticeSecret,
  type ClaimedNotice,
  type DeliveryOutcome,
  type NoticeHandler,
  type Outbox,
} from '../../platform/outbox.js';
import { appendAudit, systemActor } from '../audit/index.js';
import type { PersonalFields } from '../customers/index.js';
import { loadRenderer } from './notice-render.js';
import { maskRecipient } from './notice-verification.js';
import { listTestRecipients, type TestRecipient } from './notice-test-recipients.js';
import { addressIndex, suppress, suppressedIndexes } from './suppression.js';
import type { DataCategory } from '../incidents/index.js';
import {
  NOTICE_LOCALES,
  type Channel,
  type ChannelSender,
  type NoticeKind,
  type NoticeLocale,
  type NoticeRecipient,
  type RenderedNotice,
} from './notice-contracts.js';
import { createRateLimiter, rateDomain, type RateLimits } from './delivery-rate.js';
import { noticeSendJob, type NoticeSendJobData } from './notice-sends.js';
import { sendCompletionTimer, settleSends } from './send-completion.js';

export const CHUNK_QUEUE = 'notice-chunk';
/** Recipients per fan-out chunk (one pg-boss job, one transaction). */
export const CHUNK_SIZE = 1000;
/** A message held back by a rate limit longer than this goes back to the queue instead of waiting. */
const MAX_RATE_WAIT_MS = 2000;

export interface VerificationRecord {
  organizationId: string;
  deliveryId: string;
  code: string;
  channel: Channel;
  subject: string;
  sentAt: Date;
  maskedRecipient: string;
}

/** The parts the engine is built from: drafting (N1), channels and verification (N3, N4). */
export interface DeliveryDeps {
  db: Database;
  config: Config;
  logger: Logger;
  outbox: Outbox;
  keyring: OrganizationKeyring;
  channels: Partial<Record<Channel, ChannelSender>>;
  newVerificationCode(): string;
  recordVerification(tx: Sql, record: VerificationRecord): Promise<void>;
  /** A claimed batch's records (one organization's) in one statement; else one recordVerification each. */
  recordVerifications?(tx: Sql, records: readonly VerificationRecord[]): Promise<void>;
  /** Queues a job in a transaction (the chunk jobs of a fan-out); platform/jobs.ts sendJob unless a test's. */
  sendJob?: typeof sendJob;
  rateLimits?: RateLimits;
  chunkSize?: number;
  /** The wait before retry n (default: the outbox's exponential backoff with jitter). */
  retryDelayMs?: (attempt: number) => number;
}

export interface SendRow {
  id: string;
  organization_id: string;
  incident_id: string;
  notice_version_id: string;
  kind: NoticeKind;
  channels: Channel[];
  audience: 'customers' | 'test_recipients';
  status: 'scheduled' | 'fanning_out' | 'sending' | 'paused' | 'cancelled' | 'completed';
}

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

export async function loadSend(tx: Sql, sendId: string, lock = false): Promise<SendRow | undefined> {
  return (
    await tx.query<SendRow>(
      // An exercise incident's send reaches the test recipients only, whatever the request says.
      `SELECT s.id, s.organization_id, s.incident_id, s.notice_version_id, s.kind, s.channels, s.status,
              CASE WHEN i.is_exercise THEN 'test_recipients' ELSE s.audience END AS audience
       FROM notice_sends s JOIN incidents i ON i.id = s.incident_id
       WHERE s.id = $1 ${lock ? 'FOR UPDATE OF s' : ''}`,
      [sendId],
    )
  )[0];
}

export function createDeliveryEngine(deps: DeliveryDeps) {
  const { db, logger } = deps;
  const key = outboxKey(deps.config.secrets.masterKey);
  const chunkSize = deps.chunkSize ?? CHUNK_SIZE;
  const limiter = createRateLimiter(deps.rateLimits ?? { channel: {}, domains: {} });
  const auditKey = deps.config.secrets.auditKey;
  const renderers = new Map<string, Promise<(r: NoticeRecipient) => RenderedNotice>>();

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
        const existing = await tx.query<{ chunk: number; done_at: Date | null }>(
          'SELECT chunk, done_at FROM notice_send_chunks WHERE send_id = $1 ORDER BY chunk',
          [send.id],
        );
        // A repeated job (pg-boss retried it, or it ran twice) re-sends only the unfinished chunks.
        if (existing.length) {
          const open = existing.filter((c) => !c.done_at).map((c) => c.chunk);
          for (const chunk of open) await queueJob(tx, noticeChunkJob, { ...data, chunk });
          return open;
        }
        let bounds: { chunk: number; first_id: string; last_id: string; n: number }[];
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
          bounds = await tx.query(
            `SELECT g AS chunk, (array_agg(customer_id ORDER BY customer_id))[1] AS first_id,
                    (array_agg(customer_id ORDER BY customer_id DESC))[1] AS last_id, count(*)::int AS n
             FROM (SELECT customer_id, ((row_number() OVER (ORDER BY customer_id)) - 1) / $2 AS g
                   FROM incident_affected_customers WHERE incident_id = $1) numbered
             GROUP BY g ORDER BY g`,
            [send.incident_id, chunkSize],
          );
        }
        await tx.query(
          `INSERT INTO notice_send_chunks (organization_id, send_id, chunk, first_id, last_id, recipients)
           SELECT $1, $2, b.chunk, b.first_id, b.last_id, b.n
           FROM json_to_recordset($3::json) AS b(chunk int, first_id uuid, last_id uuid, n int)`,
          [send.organization_id, send.id, JSON.stringify(bounds)],
        );
        await tx.query(
          `UPDATE notice_sends SET status = CASE WHEN $2 THEN 'sending' ELSE 'fanning_out' END, updated_at = now()
           WHERE id = $1 AND status = 'scheduled'`,
          [send.id, bounds.length === 0],
        );
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

  interface AudienceRow {
    id: string;
    language: string | null;
    has_email: boolean;
    has_phone: boolean;
    has_webhook: boolean;
    consent_email: boolean;
    consent_sms: boolean;
    consent_webhook: boolean;
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
        const chunk = (
          await tx.query<{ first_id: string; last_id: string; done_at: Date | null }>(
            'SELECT first_id, last_id, done_at FROM notice_send_chunks WHERE send_id = $1 AND chunk = $2 FOR UPDATE',
            [data.sendId, data.chunk],
          )
        )[0];
        if (!chunk || chunk.done_at) return 0;
        const orgLocale = (
          await tx.query<{ default_locale: NoticeLocale }>(
            'SELECT default_locale FROM organizations WHERE id = $1',
            [send.organization_id],
          )
        )[0]!.default_locale;
        const rows: Record<string, unknown>[] = [];
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
            const audience = await tx.query<AudienceRow>(
              `SELECT c.id, c.language, c.email_index IS NOT NULL AS has_email, c.phone_index IS NOT NULL AS has_phone,
                      c.has_webhook, c.consent_email, c.consent_sms, c.consent_webhook
               FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
               WHERE a.incident_id = $1 AND a.customer_id BETWEEN $2 AND $3`,
              [send.incident_id, chunk.first_id, chunk.last_id],
            );
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
        const inserted = await tx.query<{ id: string }>(
          `INSERT INTO deliveries (id, organization_id, channel, purpose, idempotency_key, payload, message_id,
                                   send_id, notice_version_id, customer_id, test_recipient_id, locale, kind, status)
           SELECT r.id, $1, r.channel, 'notice', r.key, r.payload::bytea, r.message_id, $2, $3, r.customer_id,
                  r.test_recipient_id, r.locale, $4, CASE WHEN $5 THEN 'paused' ELSE 'pending' END
           FROM json_to_recordset($6::json) AS r(id uuid, channel text, key text, payload text, message_id text,
                                                 customer_id uuid, test_recipient_id uuid, locale text)
           ON CONFLICT (organization_id, idempotency_key) DO NOTHING
           RETURNING id`,
          [
            send.organization_id,
            send.id,
            send.notice_version_id,
            send.kind,
            send.status === 'paused',
            JSON.stringify(rows),
          ],
        );
        await tx.query(
          'UPDATE notice_send_chunks SET done_at = now(), deliveries = $3 WHERE send_id = $1 AND chunk = $2',
          [send.id, data.chunk, inserted.length],
        );
        // The last chunk moves the send on to sending (a paused send stays paused).
        const open = await tx.query(
          'SELECT 1 FROM notice_send_chunks WHERE send_id = $1 AND done_at IS NULL LIMIT 1',
          [send.id],
        );
        if (open.length === 0) {
          await tx.query(
            `UPDATE notice_sends SET status = 'sending', updated_at = now() WHERE id = $1 AND status IN ('scheduled', 'fanning_out')`,
            [send.id],
          );
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

  function renderer(tx: Sql, organizationId: string, versionId: string) {
    let r = renderers.get(versionId);
    if (!r) {
      r = loadRenderer(tx, organizationId, versionId);
      r.catch(() => renderers.delete(versionId));
      renderers.set(versionId, r);
      // A few versions at a time: a long-lived worker does not keep every notice ever sent.
      if (renderers.size > 20) renderers.delete(renderers.keys().next().value!);
    }
    return r;
  }

  interface Prepared {
    row: ClaimedNotice;
    to: string;
    /** The address's blind index: recorded on the delivery, so a bounce acts on this address only. */
    index: string | undefined;
    rendered: RenderedNotice;
  }

  /** Reads, decrypts and renders one organization's claimed rows, in its transaction. */
  async function prepare(
    organizationId: string,
    rows: ClaimedNotice[],
    outcomes: Map<string, DeliveryOutcome>,
  ): Promise<Prepared[]> {
    const done = (
      row: ClaimedNotice,
      o: Omit<DeliveryOutcome, 'id' | 'retryInSeconds'> & { retryInSeconds?: number },
    ) => outcomes.set(row.id, { retryInSeconds: 0, ...o, id: row.id });
    return withOrg(
      db,
      organizationId,
      async (tx) => {
        const sendIds = [...new Set(rows.map((r) => r.send_id))];
        const sends = new Map(
          (
            await tx.query<{ id: string; status: SendRow['status']; incident_id: string }>(
              'SELECT id, status, incident_id FROM notice_sends WHERE id = ANY($1::uuid[])',
              [sendIds],
            )
          ).map((s) => [s.id, s]),
        );
        const keys = await deps.keyring.get(tx, organizationId);
        const customerIds = rows.map((r) => r.customer_id).filter((id): id is string => id !== null);
        const categories = new Map<string, DataCategory[]>();
        for (const s of sends.values()) {
          const found = await tx.query<{ customer_id: string; data_categories: DataCategory[] }>(
            `SELECT customer_id, data_categories FROM incident_affected_customers
             WHERE incident_id = $1 AND customer_id = ANY($2::uuid[])`,
            [s.incident_id, customerIds],
          );
          for (const f of found) categories.set(`${s.id}:${f.customer_id}`, f.data_categories);
        }
        const testRecipients = rows.some((r) => r.test_recipient_id)
          ? new Map((await listTestRecipients(tx, keys)).map((t) => [t.id, t]))
          : new Map<string, TestRecipient>();
        // The batch's customers in one query, decrypted here (the vault's record, bound to its id).
        const people = new Map<string, { personal: PersonalFields; timeZone: string | null }>();
        if (customerIds.length) {
          const found = await tx.query<{
            id: string;
            personal: Buffer | Uint8Array;
            key_version: number;
            time_zone: string | null;
          }>('SELECT id, personal, key_version, time_zone FROM customers WHERE id = ANY($1::uuid[])', [
            customerIds,
          ]);
          for (const c of found) {
            const personal = JSON.parse(
              openCustomerRecord(keys, c.id, c.personal, c.key_version),
            ) as PersonalFields;
            people.set(c.id, { personal, timeZone: c.time_zone });
          }
        }
        const candidates: { row: ClaimedNotice; to: string; recipient: NoticeRecipient }[] = [];
        for (const row of rows) {
          const send = sends.get(row.send_id);
          if (!send || send.status === 'cancelled') {
            done(row, { status: 'cancelled', error: 'the send was cancelled', notAnAttempt: true });
            continue;
          }
          if (send.status === 'paused') {
            done(row, { status: 'paused', error: null, notAnAttempt: true });
            continue;
          }
          let to: string | null | undefined;
          let recipient: NoticeRecipient;
          const code = row.payload ? openNoticeSecret(key, organizationId, row.id, row.payload) : '';
          if (row.customer_id) {
            const found = people.get(row.customer_id);
            if (!found) {
              done(row, { status: 'cancelled', error: 'the customer was erased', notAnAttempt: true });
              continue;
            }
            to =
              row.channel === 'email'
                ? found.personal.email
                : row.channel === 'sms'
                  ? found.personal.phone
                  : found.personal.webhookUrl;
            recipient = {
              customerId: row.customer_id,
              name: found.personal.name,
              locale: row.locale,
              timeZone: found.timeZone ?? 'UTC',
              categories: categories.get(`${row.send_id}:${row.customer_id}`) ?? [],
              verificationCode: code,
            };
          } else {
            const t = row.test_recipient_id ? testRecipients.get(row.test_recipient_id) : undefined;
            if (!t) {
              done(row, { status: 'cancelled', error: 'the test recipient was removed', notAnAttempt: true });
              continue;
            }
            to = row.channel === 'email' ? t.email : row.channel === 'sms' ? t.phone : t.webhookUrl;
            recipient = {
              customerId: null,
              name: t.name,
              locale: row.locale,
              timeZone: 'UTC',
              categories: [],
              verificationCode: code,
            };
          }
          if (!to) {
            done(row, { status: 'failed', error: `no ${row.channel} address on record` });
            continue;
          }
          if (!deps.channels[row.channel]) {
            done(row, { status: 'failed', error: `the ${row.channel} channel is not configured` });
            continue;
          }
          candidates.push({ row, to, recipient });
        }
        // The suppression list, one query per channel and kind for the whole batch: a mandatory
        // notice is stopped only by a suppression of every notice (an unsubscribe stops optional
        // updates only). A stopped delivery is 'suppressed': the send's report lists it.
        const indexes = new Map<string, string>();
        for (const c of candidates) {
          const index = addressIndex(keys, c.row.channel, c.to);
          if (index) indexes.set(c.row.id, index);
        }
        const suppressed = new Set<string>();
        const groups = new Set(candidates.map((c) => `${c.row.channel}:${c.row.kind}`));
        for (const group of groups) {
          const [channel, kind] = group.split(':') as [Channel, NoticeKind];
          const ids = candidates
            .filter((c) => c.row.channel === channel && c.row.kind === kind && indexes.has(c.row.id))
            .map((c) => c.row.id);
          const hits = await suppressedIndexes(
            tx,
            channel,
            ids.map((id) => indexes.get(id)!),
            kind,
          );
          for (const id of ids) if (hits.has(indexes.get(id)!)) suppressed.add(id);
        }
        const prepared: Prepared[] = [];
        const records: VerificationRecord[] = [];
        for (const { row, to, recipient } of candidates) {
          if (suppressed.has(row.id)) {
            done(row, {
              status: 'suppressed',
              error: `the ${row.channel} address is on the suppression list`,
            });
            continue;
          }
          const rendered = (await renderer(tx, organizationId, row.notice_version_id))(recipient);
          records.push({
            organizationId,
            deliveryId: row.id,
            code: recipient.verificationCode,
            channel: row.channel,
            subject: rendered.subject,
            sentAt: new Date(),
            maskedRecipient: maskRecipient(row.channel, to),
          });
          prepared.push({ row, to, index: indexes.get(row.id), rendered });
        }
        // What /verify confirms; recorded before the messages leave (again, harmlessly, on a repeat),
        // the whole batch in one statement where the recorder can.
        if (deps.recordVerifications) await deps.recordVerifications(tx, records);
        else for (const record of records) await deps.recordVerification(tx, record);
        return prepared;
      },
      { system: true },
    );
  }

  /**
   * A send's status as of at most half a second ago: a pause or cancel takes effect within a
   * batch, not only at the next claim (messages already handed to a channel still go).
   */
  const statusCache = new Map<string, { at: number; status: Promise<SendRow['status'] | undefined> }>();
  function currentStatus(organizationId: string, sendId: string) {
    const hit = statusCache.get(sendId);
    if (hit && Date.now() - hit.at < 500) return hit.status;
    const status = withOrg(db, organizationId, async (tx) => (await loadSend(tx, sendId))?.status, {
      system: true,
    });
    statusCache.set(sendId, { at: Date.now(), status });
    if (statusCache.size > 1000) statusCache.delete(statusCache.keys().next().value!);
    return status;
  }

  async function deliver(p: Prepared): Promise<DeliveryOutcome & { suppress?: string }> {
    const { row, to } = p;
    const status = await currentStatus(row.organization_id, row.send_id);
    if (status === 'paused')
      return { id: row.id, status: 'paused', error: null, retryInSeconds: 0, notAnAttempt: true };
    if (status !== 'sending' && status !== 'fanning_out') {
      return {
        id: row.id,
        status: 'cancelled',
        error: 'the send was cancelled',
        retryInSeconds: 0,
        notAnAttempt: true,
      };
    }
    const slot = limiter.reserve(row.channel, rateDomain(row.channel, to), MAX_RATE_WAIT_MS);
    if (!slot.reserved) {
      return {
        id: row.id,
        status: 'pending',
        error: null,
        retryInSeconds: slot.delayMs / 1000,
        notAnAttempt: true,
      };
    }
    if (slot.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.delayMs));
    let result;
    try {
      result = await deps.channels[row.channel]!.send({
        deliveryId: row.id,
        organizationId: row.organization_id,
        channel: row.channel,
        kind: row.kind,
        to,
        messageId: row.message_id,
        rendered: p.rendered,
      });
    } catch (error) {
      result = { outcome: 'temporary' as const, error: (error as Error).message };
    }
    const recipientIndex = p.index;
    if (result.outcome === 'accepted') {
      return {
        id: row.id,
        status: 'sent',
        error: null,
        retryInSeconds: 0,
        acceptedBy: result.providerId,
        recipientIndex,
      };
    }
    // A refusal often quotes the recipient: the address never goes into last_error.
    const error = redactAddress(result.error, to).slice(0, 500);
    if (result.outcome === 'permanent') {
      return {
        id: row.id,
        status: 'failed',
        error,
        retryInSeconds: 0,
        recipientIndex,
        ...(result.suppress ? { suppress: to } : {}),
      };
    }
    const last = row.attempts >= row.max_attempts;
    return {
      id: row.id,
      status: last ? 'failed' : 'pending',
      error,
      retryInSeconds: (deps.retryDelayMs ?? retryDelayMs)(row.attempts) / 1000,
      recipientIndex,
    };
  }

  const handler: NoticeHandler = {
    async send(rows) {
      const outcomes = new Map<string, DeliveryOutcome>();
      const byOrg = new Map<string, ClaimedNotice[]>();
      for (const r of rows) byOrg.set(r.organization_id, [...(byOrg.get(r.organization_id) ?? []), r]);
      for (const [organizationId, list] of byOrg) {
        const prepared = await prepare(organizationId, list, outcomes);
        const results = await Promise.all(prepared.map(deliver));
        const toSuppress = results.filter((r) => r.suppress);
        if (toSuppress.length) {
          await withOrg(
            db,
            organizationId,
            async (tx) => {
              const keys = await deps.keyring.get(tx, organizationId);
              for (const r of toSuppress) {
                const row = prepared.find((p) => p.row.id === r.id)!.row;
                await suppress(tx, keys, organizationId, row.channel, r.suppress!, 'permanent_failure', {
                  source: row.channel === 'email' ? 'smtp' : row.channel,
                  deliveryId: row.id,
                });
              }
            },
            { system: true },
          );
        }
        for (const { suppress: _s, ...r } of results) {
          if (r.status === 'failed')
            logger.warn({ deliveryId: r.id, organizationId }, 'notice delivery failed');
          outcomes.set(r.id, r);
        }
      }
      return rows.map((r) => outcomes.get(r.id)!);
    },
    // After the batch's transaction commits, in one of its own: the last check to start sees
    // every batch's outcomes (one inside the batch's transaction could miss a batch committing
    // beside it, and the send would stay 'sending').
    async settled(organizationId, sendIds) {
      await settleSends(db, auditKey, organizationId, sendIds);
    },
  };

  const sendDefinition = defineJob(noticeSendJob.name, noticeSendJob.schema, runSend);
  const chunkDefinition = defineJob(noticeChunkJob.name, noticeChunkJob.schema, runChunk);
  const timers: ModuleTimer[] = [
    sendDefinition,
    chunkDefinition,
    sendCompletionTimer({ db, auditKey, logger }),
  ];

  return {
    handler,
    timers,
    /** The jobs' handlers as pg-boss runs them: the data checked against its schema first. */
    runSend: (data: unknown) => sendDefinition.run(data),
    runChunk: (data: unknown) => chunkDefinition.run(data),
    /** Lets the outbox's workers send notices. */
    attach() {
      deps.outbox.handleNotices(handler);
    },
  };
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;
