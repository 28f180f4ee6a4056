import type { Sql } from '../../platform/db.js';
import type { NoticeKind, NoticeLocale } from './notice-contracts.js';

/**
 * A send's fan-out: its audience cut into chunks by keyset (notice_send_chunks), each chunk
 * written as delivery rows, and the send moved on as its chunks finish.
 */
export interface ChunkBounds {
  chunk: number;
  first_id: string;
  last_id: string;
  n: number;
}

export function listChunks(tx: Sql, sendId: string): Promise<{ chunk: number; done_at: Date | null }[]> {
  return tx.query<{ chunk: number; done_at: Date | null }>(
    'SELECT chunk, done_at FROM notice_send_chunks WHERE send_id = $1 ORDER BY chunk',
    [sendId],
  );
}

/** The incident's affected customers cut into chunks of chunkSize by customer id. */
export function affectedCustomerChunks(
  tx: Sql,
  incidentId: string,
  chunkSize: number,
): Promise<ChunkBounds[]> {
  return tx.query<ChunkBounds>(
    `SELECT g AS chunk, (array_agg(customer_id ORDER BY customer_id))[1] AS first_id,
            (array_agg(customer_id ORDER BY customer_id DESC))[1] AS last_id, count(*)::int AS n
     FROM (SELECT customer_id, ((row_number() OVER (ORDER BY customer_id)) - 1) / $2 AS g
           FROM incident_affected_customers WHERE incident_id = $1) numbered
     GROUP BY g ORDER BY g`,
    [incidentId, chunkSize],
  );
}

export async function insertChunks(
  tx: Sql,
  organizationId: string,
  sendId: string,
  bounds: readonly ChunkBounds[],
): Promise<void> {
  await tx.query(
    `INSERT INTO notice_send_chunks (organization_id, send_id, chunk, first_id, last_id, recipients)
     SELECT $1, $2, b.chunk, b.first_id, b.last_id, b.n
     FROM json_to_recordset($3::json) AS b(chunk int, first_id uuid, last_id uuid, n int)`,
    [organizationId, sendId, JSON.stringify(bounds)],
  );
}

/** A scheduled send starts fanning out, or, with nothing to fan out, sending. */
export async function startFanOut(tx: Sql, sendId: string, nothingToFanOut: boolean): Promise<void> {
  await tx.query(
    `UPDATE notice_sends SET status = CASE WHEN $2 THEN 'sending' ELSE 'fanning_out' END, updated_at = now()
     WHERE id = $1 AND status = 'scheduled'`,
    [sendId, nothingToFanOut],
  );
}

export async function lockChunk(
  tx: Sql,
  sendId: string,
  chunk: number,
): Promise<{ first_id: string; last_id: string; done_at: Date | null } | undefined> {
  return (
    await tx.query<{ first_id: string; last_id: string; done_at: Date | null }>(
      'SELECT first_id, last_id, done_at FROM notice_send_chunks WHERE send_id = $1 AND chunk = $2 FOR UPDATE',
      [sendId, chunk],
    )
  )[0];
}

export async function findDefaultLocale(tx: Sql, organizationId: string): Promise<NoticeLocale> {
  return (
    await tx.query<{ default_locale: NoticeLocale }>(
      'SELECT default_locale FROM organizations WHERE id = $1',
      [organizationId],
    )
  )[0]!.default_locale;
}

export interface AudienceRow {
  id: string;
  language: string | null;
  has_email: boolean;
  has_phone: boolean;
  has_webhook: boolean;
  consent_email: boolean;
  consent_sms: boolean;
  consent_webhook: boolean;
}

/** A chunk's affected customers: which channels they have and consent to, known without decrypting. */
export function listChunkAudience(
  tx: Sql,
  incidentId: string,
  firstId: string,
  lastId: string,
): Promise<AudienceRow[]> {
  return tx.query<AudienceRow>(
    `SELECT c.id, c.language, c.email_index IS NOT NULL AS has_email, c.phone_index IS NOT NULL AS has_phone,
            c.has_webhook, c.consent_email, c.consent_sms, c.consent_webhook
     FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
     WHERE a.incident_id = $1 AND a.customer_id BETWEEN $2 AND $3`,
    [incidentId, firstId, lastId],
  );
}

export interface NewDelivery {
  id: string;
  channel: string;
  key: string;
  /** The sealed verification code as bytea hex (\x…). */
  payload: string;
  message_id: string;
  customer_id: string | null;
  test_recipient_id: string | null;
  locale: NoticeLocale;
}

/** A chunk's delivery rows in one statement; an idempotency key already there inserts nothing. The ids inserted. */
export async function insertNoticeDeliveries(
  tx: Sql,
  send: {
    organizationId: string;
    sendId: string;
    noticeVersionId: string;
    kind: NoticeKind;
    paused: boolean;
  },
  rows: readonly NewDelivery[],
): Promise<{ id: string }[]> {
  return tx.query<{ id: string }>(
    `INSERT INTO deliveries (id, organization_id, channel, purpose, idempotency_key, payload, message_id,
                             send_id, notice_version_id, customer_id, test_recipient_id, locale, kind, status)
     SELECT r.id, $1, r.channel, 'notice', r.key, r.payload::bytea, r.message_id, $2, $3, r.customer_id,
            r.test_recipient_id, r.locale, $4, CASE WHEN $5 THEN 'paused' ELSE 'pending' END
     FROM json_to_recordset($6::json) AS r(id uuid, channel text, key text, payload text, message_id text,
                                           customer_id uuid, test_recipient_id uuid, locale text)
     ON CONFLICT (organization_id, idempotency_key) DO NOTHING
     RETURNING id`,
    [send.organizationId, send.sendId, send.noticeVersionId, send.kind, send.paused, JSON.stringify(rows)],
  );
}

export async function markChunkDone(
  tx: Sql,
  sendId: string,
  chunk: number,
  deliveries: number,
): Promise<void> {
  await tx.query(
    'UPDATE notice_send_chunks SET done_at = now(), deliveries = $3 WHERE send_id = $1 AND chunk = $2',
    [sendId, chunk, deliveries],
  );
}

export async function anyOpenChunk(tx: Sql, sendId: string): Promise<boolean> {
  const open = await tx.query(
    'SELECT 1 FROM notice_send_chunks WHERE send_id = $1 AND done_at IS NULL LIMIT 1',
    [sendId],
  );
  return open.length > 0;
}

/** The last chunk moves the send on to sending (a paused or cancelled send stays as it is). */
export async function markSendFannedOut(tx: Sql, sendId: string): Promise<void> {
  await tx.query(
    `UPDATE notice_sends SET status = 'sending', updated_at = now() WHERE id = $1 AND status IN ('scheduled', 'fanning_out')`,
    [sendId],
  );
}
