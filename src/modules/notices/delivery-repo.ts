import type { Database, Sql } from '../../platform/db.js';
import type { DataCategory } from '../incidents/index.js';
import type { Channel, NoticeKind } from './notice-contracts.js';

/**
 * A send as the delivery engine and the send's controls see it (notice_sends), and its notice
 * deliveries (the outbox's rows with a send_id): what the engine reads for a claimed batch, what
 * pause, resume, cancel and resend change, and what the send's progress is counted from.
 */
export type SendStatus = 'scheduled' | 'fanning_out' | 'sending' | 'paused' | 'cancelled' | 'completed';

export interface SendRow {
  id: string;
  organization_id: string;
  incident_id: string;
  notice_version_id: string;
  kind: NoticeKind;
  channels: Channel[];
  audience: 'customers' | 'test_recipients';
  status: SendStatus;
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

// --- A claimed batch ---------------------------------------------------------------------------------

/** The status and incident of the sends a claimed batch belongs to. */
export function findSendStatuses(
  tx: Sql,
  sendIds: string[],
): Promise<{ id: string; status: SendStatus; incident_id: string }[]> {
  return tx.query<{ id: string; status: SendStatus; incident_id: string }>(
    'SELECT id, status, incident_id FROM notice_sends WHERE id = ANY($1::uuid[])',
    [sendIds],
  );
}

/** The data categories each of these customers is affected in by the incident. */
export function findAffectedCategories(
  tx: Sql,
  incidentId: string,
  customerIds: string[],
): Promise<{ customer_id: string; data_categories: DataCategory[] }[]> {
  return tx.query<{ customer_id: string; data_categories: DataCategory[] }>(
    `SELECT customer_id, data_categories FROM incident_affected_customers
     WHERE incident_id = $1 AND customer_id = ANY($2::uuid[])`,
    [incidentId, customerIds],
  );
}

export interface SealedCustomerRow {
  id: string;
  personal: Buffer | Uint8Array;
  key_version: number;
  time_zone: string | null;
}

/** The batch's customers in one query, their records still sealed (the vault opens them). */
export function findSealedCustomers(tx: Sql, customerIds: string[]): Promise<SealedCustomerRow[]> {
  return tx.query<SealedCustomerRow>(
    'SELECT id, personal, key_version, time_zone FROM customers WHERE id = ANY($1::uuid[])',
    [customerIds],
  );
}

// --- Pause, resume, cancel, resend ---------------------------------------------------------------------

export async function setSendStatus(tx: Sql, sendId: string, status: SendStatus): Promise<void> {
  await tx.query('UPDATE notice_sends SET status = $2, updated_at = now() WHERE id = $1', [sendId, status]);
}

export async function markSendPaused(tx: Sql, sendId: string): Promise<void> {
  await tx.query(`UPDATE notice_sends SET status = 'paused', updated_at = now() WHERE id = $1`, [sendId]);
}

export async function markSendCancelled(tx: Sql, sendId: string): Promise<void> {
  await tx.query(`UPDATE notice_sends SET status = 'cancelled', updated_at = now() WHERE id = $1`, [sendId]);
}

/** A completed send with deliveries to try again goes back to sending. */
export async function markSendSending(tx: Sql, sendId: string): Promise<void> {
  await tx.query(`UPDATE notice_sends SET status = 'sending', updated_at = now() WHERE id = $1`, [sendId]);
}

/** Holds the send's waiting deliveries. */
export async function pauseDeliveries(tx: Sql, sendId: string): Promise<void> {
  await tx.query(`UPDATE deliveries SET status = 'paused' WHERE send_id = $1 AND status = 'pending'`, [
    sendId,
  ]);
}

/** The send's held deliveries, due at once. */
export async function resumeDeliveries(tx: Sql, sendId: string): Promise<void> {
  await tx.query(
    `UPDATE deliveries SET status = 'pending', next_attempt_at = now() WHERE send_id = $1 AND status = 'paused'`,
    [sendId],
  );
}

/** Cancels the send's waiting and held deliveries; how many. */
export async function cancelDeliveries(tx: Sql, sendId: string): Promise<number> {
  const rows = await tx.query(
    `UPDATE deliveries SET status = 'cancelled', last_error = 'the send was cancelled'
     WHERE send_id = $1 AND status IN ('pending', 'paused') RETURNING id`,
    [sendId],
  );
  return rows.length;
}

/**
 * The send's failed and suppressed deliveries with a fresh set of attempts, due at once (held
 * when the send is paused); how many.
 */
export async function retryFailedDeliveries(tx: Sql, sendId: string, paused: boolean): Promise<number> {
  const rows = await tx.query(
    `UPDATE deliveries SET status = CASE WHEN $2 THEN 'paused' ELSE 'pending' END, attempts = 0,
       next_attempt_at = now(), locked_until = NULL
     WHERE send_id = $1 AND status IN ('failed', 'suppressed') RETURNING id`,
    [sendId, paused],
  );
  return rows.length;
}

/** The channels of the deliveries retryFailedDeliveries takes up again (keep the two statuses in step). */
export async function findFailedChannels(tx: Sql, sendId: string): Promise<Channel[]> {
  const rows = await tx.query<{ channel: Channel }>(
    `SELECT DISTINCT channel FROM deliveries WHERE send_id = $1 AND status IN ('failed', 'suppressed')`,
    [sendId],
  );
  return rows.map((r) => r.channel);
}

// --- Chunks and counts -----------------------------------------------------------------------------------

/** The send's fan-out chunks: how many, and how many are not done yet. */
export async function countOpenChunks(tx: Sql, sendId: string): Promise<{ total: number; open: number }> {
  return (
    await tx.query<{ total: number; open: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE done_at IS NULL)::int AS open
       FROM notice_send_chunks WHERE send_id = $1`,
      [sendId],
    )
  )[0]!;
}

/** Chunks not yet fanned out are closed having written nothing. */
export async function closeOpenChunks(tx: Sql, sendId: string): Promise<void> {
  await tx.query(
    'UPDATE notice_send_chunks SET done_at = now(), deliveries = 0 WHERE send_id = $1 AND done_at IS NULL',
    [sendId],
  );
}

/** The send's chunks, those done, and the recipients of the audience they cut. */
export async function chunkProgress(
  tx: Sql,
  sendId: string,
): Promise<{ total: number; done: number; recipients: number }> {
  const [chunks] = await tx.query<{ total: number; done: number; recipients: number }>(
    `SELECT count(*)::int AS total, count(done_at)::int AS done, coalesce(sum(recipients), 0)::int AS recipients
     FROM notice_send_chunks WHERE send_id = $1`,
    [sendId],
  );
  return chunks!;
}

/**
 * Folds the send's count rows older than foldAfterSeconds into one per (channel, status).
 * Concurrent folds delete disjoint rows (a row deleted by one is skipped by the other).
 */
export async function foldCounts(tx: Sql, sendId: string, foldAfterSeconds: number): Promise<void> {
  await tx.query(
    `WITH gone AS (
       DELETE FROM delivery_counts WHERE send_id = $1 AND at < now() - make_interval(secs => $2)
       RETURNING organization_id, channel, status, n, at)
     INSERT INTO delivery_counts (organization_id, send_id, channel, status, n, at)
     SELECT organization_id, $1, channel, status, sum(n), max(at) FROM gone
     GROUP BY organization_id, channel, status HAVING sum(n) <> 0`,
    [sendId, foldAfterSeconds],
  );
}

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

/** The send's deliveries by channel and status, from the counts the triggers on deliveries keep. */
export function countsByChannel(
  tx: Sql,
  sendId: string,
): Promise<{ channel: Channel; status: DeliveryStatus; count: number }[]> {
  return tx.query<{ channel: Channel; status: DeliveryStatus; count: number }>(
    `SELECT channel, status, sum(n)::int AS count FROM delivery_counts WHERE send_id = $1
     GROUP BY channel, status HAVING sum(n) <> 0 ORDER BY channel, status`,
    [sendId],
  );
}

/**
 * Accepted over the last minute: the statements that moved deliveries into 'sent' (at is their
 * transaction's now(), the same as the rows' sent_at), and the seconds since the first of them.
 */
export async function recentlySent(tx: Sql, sendId: string): Promise<{ n: number; span: number | null }> {
  const [recent] = await tx.query<{ n: number; span: number | null }>(
    `SELECT coalesce(sum(n), 0)::int AS n, extract(epoch FROM now() - min(at))::float8 AS span
     FROM delivery_counts WHERE send_id = $1 AND status = 'sent' AND n > 0 AND at > now() - interval '60 seconds'`,
    [sendId],
  );
  return recent!;
}

export interface RecipientStatusRow {
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
}

/** A page of the send's deliveries with their clear fields, by keyset on the delivery id. */
export function listRecipientStatusRows(
  tx: Sql,
  sendId: string,
  filter: { status?: DeliveryStatus; channel?: Channel; after?: string; limit: number },
): Promise<RecipientStatusRow[]> {
  return tx.query<RecipientStatusRow>(
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
}

/** Clears the dead row versions bulk sends leave in the outbox's tables. */
export async function vacuumDeliveries(db: Database): Promise<void> {
  await db.exec('VACUUM deliveries, delivery_counts');
}
