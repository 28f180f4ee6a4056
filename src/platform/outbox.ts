import { randomUUID } from 'node:crypto';
import { deriveKey, open, seal } from './crypto.js';
import { asApp, withOrg, type Database, type Sql } from './db.js';
import type { Logger } from './logger.js';
import { mailAddress, PermanentMailError, type Mailer } from './mailer.js';
import type { DeliveryBacklog, Metrics } from './metrics.js';

export interface EmailContent {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The display name on the platform's From address (an organization's name), else the configured one. */
  fromName?: string;
  /** A message its sender composed and signed (RFC 5322, base64), sent as it is. */
  raw?: string;
}

export interface Outbox {
  /**
   * Records a message to send, in the caller's transaction. The same
   * idempotency key within an organization records it once.
   */
  enqueueEmail(
    tx: Sql,
    organizationId: string,
    options: {
      purpose: string;
      idempotencyKey: string;
      message: EmailContent;
      /** The Message-ID a raw message already carries (with its angle brackets). */
      messageId?: string;
    },
  ): Promise<void>;
  /** Delivers everything due now; returns how many were attempted. */
  runOnce(): Promise<number>;
  /**
   * Lets this worker claim notice deliveries (rows with a send_id) too, handing them to the
   * notice engine, which renders and sends them; without it only platform mail is claimed.
   */
  handleNotices(handler: NoticeHandler): void;
  start(): void;
  stop(): Promise<void>;
  wake(): void;
}

/** A notice delivery as claimed: no message, only what the engine needs to render one. */
export interface ClaimedNotice {
  organization_id: string;
  id: string;
  /** The sealed verification code (open with openNoticeSecret). */
  payload: Buffer | null;
  message_id: string;
  attempts: number;
  max_attempts: number;
  channel: 'email' | 'sms' | 'webhook';
  send_id: string;
  notice_version_id: string;
  customer_id: string | null;
  test_recipient_id: string | null;
  locale: 'en' | 'cs' | 'ar';
  kind: 'mandatory' | 'optional';
}

/** What became of one claimed delivery. */
export interface DeliveryOutcome {
  id: string;
  /**
   * 'pending' retries after retryInSeconds; 'paused' waits for its send to resume; 'suppressed':
   * the address is on the suppression list for this kind of message.
   */
  status: 'sent' | 'pending' | 'failed' | 'cancelled' | 'paused' | 'suppressed';
  error: string | null;
  retryInSeconds: number;
  /** Not an attempt (e.g. held back by a rate limit): the claim's attempt is given back. */
  notAnAttempt?: boolean;
  /** The channel's id for the accepted message (e.g. the SMS provider's). */
  acceptedBy?: string;
  /** The blind index of the address tried: a report about the delivery acts on this address only. */
  recipientIndex?: string;
}

export interface NoticeHandler {
  /** Sends a claimed batch (one outcome per row, in order); never throws for one row's failure. */
  send(rows: ClaimedNotice[]): Promise<DeliveryOutcome[]>;
  /**
   * In the batch's transaction, after its outcomes are written and before it commits. Not where a
   * send completes: this transaction cannot see a batch committing beside it (a test holds two here).
   */
  recorded?(tx: Sql, organizationId: string, sendIds: string[]): Promise<void>;
  /** After the batch's transaction commits (e.g. a send completes, checked in a transaction of its own). */
  settled?(organizationId: string, sendIds: string[]): Promise<void>;
}

/** The outbox's key for sealed payloads; notice deliveries seal their verification code with it. */
export const outboxKey = (masterKey: Buffer) => deriveKey(masterKey, 'outbox');
export const deliveryContext = (orgId: string, id: string) => `delivery:${orgId}:${id}`;
export function sealNoticeSecret(key: Buffer, orgId: string, id: string, value: string): Buffer {
  return seal(key, value, deliveryContext(orgId, id));
}
export function openNoticeSecret(key: Buffer, orgId: string, id: string, sealed: Buffer): string {
  return open(key, Buffer.from(sealed), deliveryContext(orgId, id)).toString();
}

const BATCH = 20;
const LEASE_SECONDS = 120;
const BASE_DELAY_MS = 10_000;
const MAX_DELAY_MS = 3_600_000;

/** The message without the recipient's address, however the server quoted or cased it. */
export function redactAddress(message: string, to: string | undefined): string {
  if (!to) return message;
  const escaped = to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(escaped, 'gi'), '[recipient]');
}

/** Exponential backoff with jitter: 10 s, 20 s, 40 s … capped at an hour, each 50–100 %. */
export function retryDelayMs(attempt: number, random = Math.random()): number {
  const ceiling = Math.min(BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1), MAX_DELAY_MS);
  return Math.round(ceiling * (0.5 + random / 2));
}

/** What the outbox needs of the configuration: its key's source, the sender and the host of Message-IDs. */
export interface OutboxConfig {
  secrets: { masterKey: Buffer };
  mailFrom: string;
  publicUrl: URL;
}

/** Deliveries due now, platform mail and notices apart, and when the oldest of each fell due. */
export async function deliveryBacklog(db: Database): Promise<DeliveryBacklog[]> {
  const rows = await asApp(db, (tx) =>
    tx.query<{ kind: 'mail' | 'notice'; due: string | number; oldest_due_at: Date | null }>(
      'SELECT kind, due, oldest_due_at FROM candor_delivery_backlog()',
    ),
  );
  return rows.map((row) => ({ kind: row.kind, due: Number(row.due), oldestDueAt: row.oldest_due_at }));
}

export function createOutbox(deps: {
  config: OutboxConfig;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  mailer: () => Mailer;
  pollMs?: number;
  /** Rows claimed at once by a worker that also sends notices (more overlap for bulk sends). */
  noticeBatch?: number;
  /**
   * Claim loops run side by side while notices are sent: one batch is prepared or recorded in
   * the database while another is on the wire (each claims its own rows, SKIP LOCKED).
   */
  noticeLoops?: number;
}): Outbox {
  const { config, db, logger } = deps;
  const key = outboxKey(config.secrets.masterKey);
  const context = deliveryContext;
  let notices: NoticeHandler | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  const batch = deps.noticeBatch ?? 100;

  type Claimed = Omit<ClaimedNotice, 'send_id' | 'payload'> & { send_id: string | null; payload: Buffer };
  type Outcome = DeliveryOutcome;

  async function send(d: Claimed): Promise<Outcome> {
    let to: string | undefined;
    try {
      const content = JSON.parse(
        open(key, Buffer.from(d.payload), context(d.organization_id, d.id)).toString(),
      ) as EmailContent;
      to = content.to;
      const { fromName, raw, ...mail } = content;
      await deps.mailer().send({
        from: fromName ? { name: fromName, address: mailAddress(config.mailFrom) } : config.mailFrom,
        ...mail,
        ...(raw ? { raw: Buffer.from(raw, 'base64') } : {}),
        messageId: d.message_id,
      });
      deps.metrics.deliveries.inc({ channel: 'email', outcome: 'sent' });
      return { id: d.id, status: 'sent', error: null, retryInSeconds: 0 };
    } catch (error) {
      const permanent = error instanceof PermanentMailError || d.attempts >= d.max_attempts;
      deps.metrics.deliveries.inc({ channel: 'email', outcome: permanent ? 'failed' : 'retry' });
      logger.warn({ deliveryId: d.id, organizationId: d.organization_id, permanent }, 'delivery not sent');
      return {
        id: d.id,
        status: permanent ? 'failed' : 'pending',
        // A server's refusal often quotes the recipient: the address never goes into last_error.
        error: redactAddress((error as Error).message, to).slice(0, 500),
        retryInSeconds: retryDelayMs(d.attempts) / 1000,
      };
    }
  }

  /** The outcomes of a batch, written in one transaction per organization. */
  async function record(organizationId: string, outcomes: Outcome[], sendIds: string[]): Promise<void> {
    await withOrg(
      db,
      organizationId,
      async (tx) => {
        await tx.query(
          `UPDATE deliveries d SET status = o.status, locked_until = NULL,
             last_error = CASE WHEN o.skip THEN d.last_error ELSE o.error END,
             attempts = CASE WHEN o.skip THEN d.attempts - 1 ELSE d.attempts END,
             sent_at = CASE WHEN o.status = 'sent' THEN now() END,
             accepted_by = CASE WHEN o.status = 'sent' THEN o.accepted ELSE d.accepted_by END,
             recipient_index = coalesce(o.recipient, d.recipient_index),
             next_attempt_at = CASE WHEN o.status = 'pending' THEN now() + make_interval(secs => o.retry)
                                    ELSE d.next_attempt_at END
           FROM json_to_recordset($1::json)
             AS o(id uuid, status text, error text, retry double precision, skip boolean, accepted text,
                  recipient text)
           WHERE d.id = o.id`,
          [
            JSON.stringify(
              outcomes.map((o) => ({
                id: o.id,
                status: o.status,
                error: o.error,
                retry: o.retryInSeconds,
                skip: o.notAnAttempt ?? false,
                accepted: o.acceptedBy?.slice(0, 200) ?? null,
                recipient: o.recipientIndex ?? null,
              })),
            ),
          ],
        );
        if (sendIds.length && notices?.recorded) await notices.recorded(tx, organizationId, sendIds);
      },
      { system: true },
    );
    // The outcomes are written whatever the check does: a failed one is left to the next batch's
    // check or to the engine's sweeper.
    if (sendIds.length && notices?.settled) {
      await notices.settled(organizationId, sendIds).catch((error: unknown) => {
        logger.error({ err: error, organizationId }, 'notice send check failed');
      });
    }
  }

  async function sendAll(claimed: Claimed[]): Promise<Outcome[]> {
    const mail = claimed.filter((d) => d.send_id === null);
    const notice = claimed.filter((d) => d.send_id !== null) as unknown as ClaimedNotice[];
    const [mailOutcomes, noticeOutcomes] = await Promise.all([
      Promise.all(mail.map(send)),
      notice.length
        ? notices!.send(notice).catch((error: unknown) => {
            // The engine failed as a whole (e.g. the database): the batch is tried again later.
            logger.error({ err: error }, 'notice batch failed');
            return notice.map((d): Outcome => ({
              id: d.id,
              status: 'pending',
              error: 'the notice engine failed; tried again',
              retryInSeconds: retryDelayMs(d.attempts) / 1000,
            }));
          })
        : [],
    ]);
    notice.forEach((d, i) => {
      const status = noticeOutcomes[i]?.status;
      const outcome =
        status === 'sent' ? 'sent' : status === 'failed' ? 'failed' : status === 'pending' ? 'retry' : status;
      if (outcome) deps.metrics.deliveries.inc({ channel: d.channel, outcome });
    });
    const byId = new Map([...mailOutcomes, ...noticeOutcomes].map((o) => [o.id, o]));
    return claimed.map((d) => byId.get(d.id)!);
  }

  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await asApp(db, (tx) =>
        tx.query<Claimed>('SELECT * FROM candor_claim_deliveries($1, $2, $3)', [
          notices ? batch : BATCH,
          LEASE_SECONDS,
          notices !== undefined,
        ]),
      );
      // A batch is sent concurrently: the pooled SMTP connections overlap their round trips.
      const outcomes = await sendAll(claimed);
      const byOrg = new Map<string, { outcomes: Outcome[]; sends: Set<string> }>();
      claimed.forEach((d, i) => {
        const entry = byOrg.get(d.organization_id) ?? { outcomes: [], sends: new Set<string>() };
        entry.outcomes.push(outcomes[i]!);
        if (d.send_id) entry.sends.add(d.send_id);
        byOrg.set(d.organization_id, entry);
      });
      for (const [organizationId, entry] of byOrg)
        await record(organizationId, entry.outcomes, [...entry.sends]);
      total += claimed.length;
      if (claimed.length < (notices ? batch : BATCH)) return total;
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  function tick() {
    if (running) return;
    const loops = notices ? Math.max(1, deps.noticeLoops ?? 1) : 1;
    running = Promise.all(Array.from({ length: loops }, () => runOnce()))
      .then((counts) => counts.reduce((a, b) => a + b, 0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'outbox run failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
        schedule(deps.pollMs ?? 1000);
      });
  }

  return {
    async enqueueEmail(tx, organizationId, { purpose, idempotencyKey, message, messageId }) {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO deliveries (id, organization_id, channel, purpose, idempotency_key, payload, message_id)
         VALUES ($1, $2, 'email', $3, $4, $5, $6)
         ON CONFLICT (organization_id, idempotency_key) DO NOTHING`,
        [
          id,
          organizationId,
          purpose,
          idempotencyKey,
          seal(key, JSON.stringify(message), context(organizationId, id)),
          // Random, not the delivery id: the Message-ID a recipient sees names no row.
          messageId ?? `<${randomUUID()}@${config.publicUrl.hostname}>`,
        ],
      );
    },
    runOnce,
    handleNotices(handler) {
      notices = handler;
    },
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    wake() {
      if (!stopped && !running) schedule(0);
    },
  };
}
