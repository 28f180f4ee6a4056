import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { deriveKey, open, seal } from './crypto.js';
import { asApp, withOrg, type Database, type Sql } from './db.js';
import type { Logger } from './logger.js';
import { PermanentMailError, type Mailer } from './mailer.js';
import type { Metrics } from './metrics.js';

export interface EmailContent {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Outbox {
  /**
   * Records a message to send, in the caller's transaction. The same
   * idempotency key within an organization records it once.
   */
  enqueueEmail(
    tx: Sql,
    organizationId: string,
    options: { purpose: string; idempotencyKey: string; message: EmailContent },
  ): Promise<void>;
  /** Delivers everything due now; returns how many were attempted. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  wake(): void;
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

export function createOutbox(deps: {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  mailer: () => Mailer;
  pollMs?: number;
}): Outbox {
  const { config, db, logger } = deps;
  const key = deriveKey(config.secrets.masterKey, 'outbox');
  const context = (orgId: string, id: string) => `delivery:${orgId}:${id}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  interface Claimed {
    organization_id: string;
    id: string;
    payload: Buffer;
    message_id: string;
    attempts: number;
    max_attempts: number;
  }
  interface Outcome {
    id: string;
    status: 'sent' | 'pending' | 'failed';
    error: string | null;
    retryInSeconds: number;
  }

  async function send(d: Claimed): Promise<Outcome> {
    let to: string | undefined;
    try {
      const content = JSON.parse(
        open(key, Buffer.from(d.payload), context(d.organization_id, d.id)).toString(),
      ) as EmailContent;
      to = content.to;
      await deps.mailer().send({ from: config.mailFrom, ...content, messageId: d.message_id });
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
  async function record(organizationId: string, outcomes: Outcome[]): Promise<void> {
    await withOrg(db, organizationId, (tx) =>
      tx.query(
        `UPDATE deliveries d SET status = o.status, locked_until = NULL, last_error = o.error,
           sent_at = CASE WHEN o.status = 'sent' THEN now() END,
           next_attempt_at = CASE WHEN o.status = 'pending' THEN now() + make_interval(secs => o.retry)
                                  ELSE d.next_attempt_at END
         FROM json_to_recordset($1::json) AS o(id uuid, status text, error text, retry double precision)
         WHERE d.id = o.id`,
        [
          JSON.stringify(
            outcomes.map((o) => ({ id: o.id, status: o.status, error: o.error, retry: o.retryInSeconds })),
          ),
        ],
      ),
    );
  }

  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await asApp(db, (tx) =>
        tx.query<Claimed>('SELECT * FROM candor_claim_deliveries($1, $2)', [BATCH, LEASE_SECONDS]),
      );
      // A batch is sent concurrently: the pooled SMTP connections overlap their round trips.
      const outcomes = await Promise.all(claimed.map(send));
      const byOrg = new Map<string, Outcome[]>();
      claimed.forEach((d, i) =>
        byOrg.set(d.organization_id, [...(byOrg.get(d.organization_id) ?? []), outcomes[i]!]),
      );
      for (const [organizationId, list] of byOrg) await record(organizationId, list);
      total += claimed.length;
      if (claimed.length < BATCH) return total;
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  function tick() {
    if (running) return;
    running = runOnce()
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
    async enqueueEmail(tx, organizationId, { purpose, idempotencyKey, message }) {
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
          `<${id}@${config.publicUrl.hostname}>`,
        ],
      );
    },
    runOnce,
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
