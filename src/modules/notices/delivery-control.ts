/**
 * Control of a send once requested: pause, resume, cancel, resend to the failed; and what it has
 * done so far (totals by status and channel, rate, ETA, the per-recipient list of clear fields).
 * Every function runs in the caller's organization transaction; the routes audit each action.
 */
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Channel } from './notice-contracts.js';
import {
  cancelDeliveries,
  chunkProgress,
  closeOpenChunks,
  countOpenChunks,
  countsByChannel,
  DELIVERY_STATUSES,
  foldCounts,
  listRecipientStatusRows,
  loadSend,
  markSendCancelled,
  markSendPaused,
  markSendSending,
  pauseDeliveries,
  recentlySent,
  resumeDeliveries,
  retryFailedDeliveries,
  setSendStatus,
  type DeliveryStatus,
  type SendRow,
} from './delivery-repo.js';
import { completeIfDone } from './send-completion.js';

export { DELIVERY_STATUSES, type DeliveryStatus };

async function sendOrFail(tx: Sql, sendId: string): Promise<SendRow> {
  const send = await loadSend(tx, sendId, true);
  if (!send) throw new AppError('not_found');
  return send;
}

function refuse(send: SendRow, action: string): never {
  throw new AppError('conflict', { status: send.status, action });
}

/** Stops claiming: waiting deliveries are held (in-flight ones finish); fan-out writes held rows. */
export async function pauseSend(tx: Sql, sendId: string): Promise<SendRow['status']> {
  const send = await sendOrFail(tx, sendId);
  if (!['scheduled', 'fanning_out', 'sending'].includes(send.status)) refuse(send, 'pause');
  await markSendPaused(tx, sendId);
  await pauseDeliveries(tx, sendId);
  return 'paused';
}

/**
 * Goes on where it stopped: held deliveries are due at once; a send with nothing left is completed
 * (audited under auditKey). One whose last messages commit beside the resume is left to the sweeper.
 */
export async function resumeSend(tx: Sql, sendId: string, auditKey: Buffer): Promise<SendRow['status']> {
  const send = await sendOrFail(tx, sendId);
  if (send.status !== 'paused') refuse(send, 'resume');
  const chunks = await countOpenChunks(tx, sendId);
  // Paused before its job ran: scheduled again (the job fans it out when it runs).
  const status = chunks.total === 0 ? 'scheduled' : chunks.open > 0 ? 'fanning_out' : 'sending';
  await setSendStatus(tx, sendId, status);
  await resumeDeliveries(tx, sendId);
  await completeIfDone(tx, auditKey, sendId);
  return status;
}

/** Ends the send: nothing more goes out; messages already handed to a channel are not recalled. */
export async function cancelSend(tx: Sql, sendId: string): Promise<number> {
  const send = await sendOrFail(tx, sendId);
  if (send.status === 'cancelled' || send.status === 'completed') refuse(send, 'cancel');
  await markSendCancelled(tx, sendId);
  // Chunks not yet fanned out write nothing now; their jobs find the send cancelled.
  await closeOpenChunks(tx, sendId);
  return cancelDeliveries(tx, sendId);
}

/**
 * Tries the failed and suppressed deliveries again, each with a fresh set of attempts and the
 * SAME Message-ID and verification code: it is the same notice to the same person, so a recipient
 * whose server did take an earlier attempt despite the error sees one message, not two. An
 * address still on the suppression list is suppressed again when the worker reaches it (one
 * taken off the list since is sent to).
 */
export async function resendFailed(tx: Sql, sendId: string): Promise<number> {
  const send = await sendOrFail(tx, sendId);
  if (send.status === 'cancelled' || send.status === 'scheduled') refuse(send, 'resend');
  const retried = await retryFailedDeliveries(tx, sendId, send.status === 'paused');
  if (retried && send.status === 'completed') await markSendSending(tx, sendId);
  return retried;
}

/** Rows of counts older than this are folded into one per (channel, status); the rate reads the last minute. */
const FOLD_AFTER_SECONDS = 90;

/**
 * Folds a send's older count rows into one per (channel, status), so its totals stay a sum of a
 * few rows. Concurrent folds delete disjoint rows (a row deleted by one is skipped by the other).
 */
export async function foldDeliveryCounts(tx: Sql, sendId: string): Promise<void> {
  await foldCounts(tx, sendId, FOLD_AFTER_SECONDS);
}

export interface SendProgress {
  sendId: string;
  status: SendRow['status'];
  chunks: { total: number; done: number };
  /** Recipients in the audience (from the fan-out's chunks). */
  recipients: number;
  totals: Record<DeliveryStatus, number>;
  byChannel: { channel: Channel; status: DeliveryStatus; count: number }[];
  /** Messages accepted per second over the last minute. */
  ratePerSecond: number;
  /** Seconds until the last waiting message is out at that rate; null when unknown or nothing waits. */
  etaSeconds: number | null;
}

export async function sendProgress(tx: Sql, sendId: string): Promise<SendProgress> {
  const send = await loadSend(tx, sendId);
  if (!send) throw new AppError('not_found');
  const chunks = await chunkProgress(tx, sendId);
  // From the counts the triggers on deliveries keep (migration 20261122061000), not the rows:
  // counting a million deliveries costs ~140 ms even as an index-only scan.
  await foldDeliveryCounts(tx, sendId);
  const byChannel = await countsByChannel(tx, sendId);
  const recent = await recentlySent(tx, sendId);
  const totals = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  for (const r of byChannel) totals[r.status] += r.count;
  // Over the last minute, or since the first message of the minute when the send is younger.
  const span = Math.max(1, Math.min(60, recent.span ?? 60));
  const ratePerSecond = recent.n / span;
  const waiting = totals.pending + totals.sending + totals.paused;
  return {
    sendId,
    status: send.status,
    chunks: { total: chunks.total, done: chunks.done },
    recipients: chunks.recipients,
    totals,
    byChannel,
    ratePerSecond: Math.round(ratePerSecond * 10) / 10,
    etaSeconds:
      waiting === 0
        ? 0
        : ratePerSecond > 0 && send.status !== 'paused'
          ? Math.ceil(waiting / ratePerSecond)
          : null,
  };
}

export interface RecipientStatus {
  deliveryId: string;
  /** The customer's external id (a clear field); null for a test recipient or an erased customer. */
  externalId: string | null;
  testRecipient: boolean;
  channel: Channel;
  locale: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  /** When the SMS provider reported the message delivered to the phone; null when it has not. */
  deliveredAt: Date | null;
  /**
   * The channels the customer has on record now (clear flags, no address): how staff can reach
   * someone whose delivery was suppressed or failed. Empty for a test recipient or an erased customer.
   */
  channelsOnRecord: Channel[];
}

/** The per-recipient list, clear fields only, by keyset on the delivery id. */
export async function listRecipientStatuses(
  tx: Sql,
  sendId: string,
  filter: { status?: DeliveryStatus; channel?: Channel; after?: string; limit: number },
): Promise<RecipientStatus[]> {
  if (!(await loadSend(tx, sendId))) throw new AppError('not_found');
  const rows = await listRecipientStatusRows(tx, sendId, filter);
  return rows.map((r) => ({
    deliveryId: r.id,
    externalId: r.external_id,
    testRecipient: r.test_recipient_id !== null,
    channel: r.channel,
    locale: r.locale,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    sentAt: r.sent_at,
    deliveredAt: r.status === 'sent' ? r.delivered_at : null,
    channelsOnRecord: r.channels_on_record ?? [],
  }));
}
