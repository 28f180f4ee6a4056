/**
 * The delivery engine: a send request (N1's notice_sends row) fans out in chunks — one pg-boss job
 * each — into outbox rows, one per (notice version, recipient, channel) (delivery-fan-out.ts);
 * outbox workers claim them (FOR UPDATE SKIP LOCKED) and hand them here, a batch at a time: made
 * ready in one transaction (delivery-prepare.ts), then sent through the channels within the rate
 * limits, their outcomes handed back to the outbox, which records them in one statement.
 */
import { withOrg } from '../../platform/db.js';
import { defineJob, type ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import {
  outboxKey,
  redactAddress,
  retryDelayMs,
  type ClaimedNotice,
  type DeliveryOutcome,
  type NoticeHandler,
} from '../../platform/outbox.js';
import { createRateLimiter, rateDomain, type RateLimits } from './delivery-rate.js';
import { createFanOut, noticeChunkJob, type FanOutDeps } from './delivery-fan-out.js';
import { createPreparer, type Prepared, type PrepareDeps } from './delivery-prepare.js';
import { loadSend, type SendStatus } from './delivery-repo.js';
import { noticeSendJob } from './notice-sends.js';
import { sendCompletionTimer, settleSends } from './send-completion.js';
import { suppress } from './suppression.js';

/** A message held back by a rate limit longer than this goes back to the queue instead of waiting. */
const MAX_RATE_WAIT_MS = 2000;

/** The parts the engine is built from: drafting (N1), channels and verification (N3, N4). */
export interface DeliveryDeps extends FanOutDeps, PrepareDeps {
  logger: Logger;
  rateLimits?: RateLimits;
  /** The wait before retry n (default: the outbox's exponential backoff with jitter). */
  retryDelayMs?: (attempt: number) => number;
}

export function createDeliveryEngine(deps: DeliveryDeps) {
  const { db, logger } = deps;
  const key = outboxKey(deps.config.secrets.masterKey);
  const limiter = createRateLimiter(deps.rateLimits ?? { channel: {}, domains: {} });
  const auditKey = deps.config.secrets.auditKey;
  const { runSend, runChunk } = createFanOut(deps, key);
  const prepare = createPreparer(deps, key);

  /**
   * A send's status as of at most half a second ago: a pause or cancel takes effect within a
   * batch, not only at the next claim (messages already handed to a channel still go).
   */
  const statusCache = new Map<string, { at: number; status: Promise<SendStatus | undefined> }>();
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
