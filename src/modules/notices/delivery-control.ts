/**
 * Control of a send once requested: pause, resume, cancel, resend to the failed; and what it has
 * done so far (totals by status and channel, rate, ETA, the per-recipient list of clear fields).
 * Every function runs in the caller's organization transaction; the routes audit each action.
 */
import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { Channel } from './notice-contracts.js';
import { loadSend, type SendRow } from './delivery-engine.js';
import { completeIfDone } from './send-completion.js';

export const DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'failed',
  'cancelled',
  'paused',
  'suppressed',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

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
  await tx.query(`UPDATE notice_sends SET status = 'paused', updated_at = now() WHERE id = $1`, [sendId]);
  await tx.query(`UPDATE deliveries SET status = 'paused' WHERE send_id = $1 AND status = 'pending'`, [
    sendId,
  ]);
  return 'paused';
}

/**
 * Goes on where it stopped: held deliveries are due at once; a send with nothing left is completed
 * (audited under auditKey). One whose last messages commit beside the resume is left to the sweeper.
 */
export async function resumeSend(tx: Sql, sendId: string, auditKey: Buffer): Promise<SendRow['status']> {
  const send = await sendOrFail(tx, sendId);
  if (send.status !== 'paused') refuse(send, 'resume');
  const chunks = (
    await tx.query<{ total: number; open: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE done_at IS NULL)::int AS open
       FROM notice_send_chunks WHERE send_id = $1`,
      [sendId],
    )
  )[0]!;
  // Paused before its job ran: scheduled again (the job fans it out when it runs).
  const status = chunks.total === 0 ? 'scheduled' : chunks.open > 0 ? 'fanning_out' : 'sending';
  await tx.query('UPDATE notice_sends SET status = $2, updated_at = now() WHERE id = $1', [sendId, status]);
  await tx.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now() WHERE send_id = $1 AND status = 'paused'`,
    [sendId],
  );
  await completeIfDone(tx, auditKey, sendId);
  return status;
}

/** Ends the send: nothing more goes out; messages already handed to a channel are not recalled. */
export async function cancelSend(tx: Sql, sendId: string): Promise<number> {
  const send = await sendOrFail(tx, sendId);
  if (send.status === 'cancelled' || send.status === 'completed') refuse(send, 'cancel');
  await tx.query(`UPDATE notice_sends SET status = 'cancelled', updated_at = now() WHERE id = $1`, [sendId]);
  // Chunks not yet fanned out write nothing now; their jobs find the send cancelled.
  await tx.query(
    'UPDATE notice_send_chunks SET done_at = now(), deliveries = 0 WHERE send_id = $1 AND done_at IS NULL',
    [sendId],
  );
  const rows = await tx.query(
    `UPDATE deliveries SET status = 'cancelled', last_error = 'the send was cancelled'
     WHERE send_id = $1 AND status IN ('pending', 'paused') RETURNING id`,
    [sendId],
  );
  return rows.length;
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
  const rows = await tx.query(
    `UPDATE deliveries SET status = CASE WHEN $2 THEN 'paused' ELSE 'pending' END, attempts = 0,
       next_attempt_at = now(), locked_until = NULL
     WHERE send_id = $1 AND status IN ('failed', 'suppressed') RETURNING id`,
    [sendId, send.status === 'paused'],
  );
  if (rows.length && send.status === 'completed') {
    await tx.query(`UPDATE notice_sends SET status = 'sending', updated_at = now() WHERE id = $1`, [sendId]);
  }
  return rows.length;
}

/** Rows of counts older than this are folded into one per (channel, status); the rate reads the last minute. */
const FOLD_AFTER_SECONDS = 90;

/**
 * Folds a send's older count rows into one per (channel, status), so its totals stay a sum of a
 * few rows. Concurrent folds delete disjoint rows (a row deleted by one is skipped by the other).
 */
export async function foldDeliveryCounts(tx: Sql, sendId: string): Promise<void> {
  await tx.query(
    `WITH gone AS (
       DELETE FROM delivery_counts WHERE send_id = $1 AND at < now() - make_interval(secs => $2)
       RETURNING organization_id, channel, status, n, at)
     INSERT INTO delivery_counts (organization_id, send_id, channel, status, n, at)
     SELECT organization_id, $1, channel, status, sum(n), max(at) FROM gone
     GROUP BY organization_id, channel, status HAVING sum(n) <> 0`,
    [sendId, FOLD_AFTER_SECONDS],
  );
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
  const [chunks] = await tx.query<{ total: number; done: number; recipients: number }>(
    `SELECT count(*)::int AS total, count(done_at)::int AS done, coalesce(sum(recipients), 0)::int AS recipients
     FROM notice_send_chunks WHERE send_id = $1`,
    [sendId],
  );
  // From the counts the triggers on deliveries keep (migration 20261122061000), not the rows:
  // counting a million deliveries costs ~140 ms even as an index-only scan.
  await foldDeliveryCounts(tx, sendId);
  const byChannel = await tx.query<{ channel: Channel; status: DeliveryStatus; count: number }>(
    `SELECT channel, status, sum(n)::int AS count FROM delivery_counts WHERE send_id = $1
     GROUP BY channel, status HAVING sum(n) <> 0 ORDER BY channel, status`,
    [sendId],
  );
  // Accepted over the last minute: the statements that moved deliveries into 'sent' (at is their
  // transaction's now(), the same as the rows' sent_at).
  const [recent] = await tx.query<{ n: number; span: number | null }>(
    `SELECT coalesce(sum(n), 0)::int AS n, extract(epoch FROM now() - min(at))::float8 AS span
     FROM delivery_counts WHERE send_id = $1 AND status = 'sent' AND n > 0 AND at > now() - interval '60 seconds'`,
    [sendId],
  );
  const totals = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  for (const r of byChannel) totals[r.status] += r.count;
  // Over the last minute, or since the first message of the minute when the send is younger.
  const span = Math.max(1, Math.min(60, recent!.span ?? 60));
  const ratePerSecond = recent!.n / span;
  const waiting = totals.pending + totals.sending + totals.paused;
  return {
    sendId,
    status: send.status,
    chunks: { total: chunks!.total, done: chunks!.done },
    recipients: chunks!.recipients,
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
  const rows = await tx.query<{
    id: string;
    external_id: string | null;
    test_recipient_id: string | null;
    channel: Channel;
    locale: string;
    status: DeliveryStatus;
    attempts: number;
    last_error: string | null;
    sent_at: Date | null;
    delivered_at: Date | null;
    channels_on_record: Channel[] | null;
  }>(
    // A report for an earlier message of the delivery (sent again after a crash) does not count.
    `SELECT d.id, c.external_id, d.test_recipient_id, d.channel, d.locale, d.status, d.attempts, d.last_error,
            d.sent_at, r.delivered_at,
            array_remove(ARRAY[CASE WHEN c.email_index IS NOT NULL THEN 'email' END,
                               CASE WHEN c.phone_index IS NOT NULL THEN 'sms' END,
                               CASE WHEN c.has_webhook THEN 'webhook' END], NULL) AS channels_on_record
     FROM deliveries d LEFT JOIN customers c ON c.id = d.customer_id
     LEFT JOIN LATERAL (
       SELECT min(received_at) AS delivered_at FROM sms_status_reports
       WHERE d.channel = 'sms' AND delivery_id = d.id AND provider_id = d.accepted_by AND status = 'delivered'
     ) r ON true
     WHERE d.send_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::text IS NULL OR d.channel = $3)
       AND ($4::uuid IS NULL OR d.id > $4)
     ORDER BY d.id LIMIT $5`,
    [sendId, filter.status ?? null, filter.channel ?? null, filter.after ?? null, filter.limit],
  );
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
