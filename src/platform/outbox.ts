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

  async function deliver(organizationId: string, id: string): Promise<void> {
    const row = await withOrg(db, organizationId, async (tx) => {
      const rows = await tx.query<{
        payload: Buffer;
        message_id: string;
        attempts: number;
        max_attempts: number;
      }>(`SELECT payload, message_id, attempts, max_attempts FROM deliveries WHERE id = $1`, [id]);
      return rows[0];
    });
    if (!row) return;
    const content = JSON.parse(
      open(key, Buffer.from(row.payload), context(organizationId, id)).toString(),
    ) as EmailContent;
    let outcome: 'sent' | 'retry' | 'failed';
    let errorText: string | null = null;
    try {
      await deps.mailer().send({ from: config.mailFrom, ...content, messageId: row.message_id });
      outcome = 'sent';
    } catch (error) {
      errorText = (error as Error).message.slice(0, 500);
      outcome = error instanceof PermanentMailError || row.attempts >= row.max_attempts ? 'failed' : 'retry';
    }
    deps.metrics.deliveries.inc({ channel: 'email', outcome });
    await withOrg(db, organizationId, (tx) =>
      tx.query(
        outcome === 'sent'
          ? `UPDATE deliveries SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1`
          : outcome === 'failed'
            ? `UPDATE deliveries SET status = 'failed', locked_until = NULL, last_error = $2 WHERE id = $1`
            : `UPDATE deliveries SET status = 'pending', locked_until = NULL, last_error = $2,
                 next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
        outcome === 'sent'
          ? [id]
          : outcome === 'failed'
            ? [id, errorText]
            : [id, errorText, retryDelayMs(row.attempts) / 1000],
      ),
    );
    if (outcome !== 'sent') logger.warn({ deliveryId: id, organizationId, outcome }, 'delivery not sent');
  }

  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await asApp(db, (tx) =>
        tx.query<{ organization_id: string; id: string }>('SELECT * FROM candor_claim_deliveries($1, $2)', [
          BATCH,
          LEASE_SECONDS,
        ]),
      );
      for (const d of claimed) await deliver(d.organization_id, d.id);
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
