import type { Sql } from '../../platform/db.js';
import type { Channel, NoticeKind } from './notice-contracts.js';

/** Send requests (notice_sends): who asked for which approved version to go where, and how far it got. */
export type SendAudience = 'customers' | 'test_recipients';
export type SendStatus = 'scheduled' | 'fanning_out' | 'sending' | 'paused' | 'cancelled' | 'completed';

export interface NoticeSend {
  id: string;
  incidentId: string;
  noticeVersionId: string;
  kind: NoticeKind;
  channels: Channel[];
  audience: SendAudience;
  scheduledAt: Date;
  status: SendStatus;
  requestedBy: string | null;
  createdAt: Date;
}

interface SendRow {
  id: string;
  incident_id: string;
  notice_version_id: string;
  kind: NoticeKind;
  channels: Channel[];
  audience: SendAudience;
  scheduled_at: Date;
  status: SendStatus;
  requested_by: string | null;
  created_at: Date;
}

const toSend = (r: SendRow): NoticeSend => ({
  id: r.id,
  incidentId: r.incident_id,
  noticeVersionId: r.notice_version_id,
  kind: r.kind,
  channels: r.channels,
  audience: r.audience,
  scheduledAt: r.scheduled_at,
  status: r.status,
  requestedBy: r.requested_by,
  createdAt: r.created_at,
});

/** A send request for an approved version (the table's trigger refuses any other). */
export async function insertSend(
  tx: Sql,
  input: {
    organizationId: string;
    incidentId: string;
    noticeVersionId: string;
    kind: NoticeKind;
    channels: Channel[];
    audience: SendAudience;
    scheduledAt: Date | null;
    requestedBy: string | null;
  },
): Promise<NoticeSend> {
  const rows = await tx.query<SendRow>(
    `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience,
       scheduled_at, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), $8) RETURNING *`,
    [
      input.organizationId,
      input.incidentId,
      input.noticeVersionId,
      input.kind,
      input.channels,
      input.audience,
      input.scheduledAt,
      input.requestedBy,
    ],
  );
  return toSend(rows[0]!);
}

export async function listSends(tx: Sql, noticeId: string): Promise<NoticeSend[]> {
  const rows = await tx.query<SendRow>(
    `SELECT s.* FROM notice_sends s JOIN notice_versions v ON v.id = s.notice_version_id
     WHERE v.notice_id = $1 ORDER BY s.created_at DESC, s.id`,
    [noticeId],
  );
  return rows.map(toSend);
}

export async function findSend(tx: Sql, id: string): Promise<NoticeSend | undefined> {
  const rows = await tx.query<SendRow>('SELECT * FROM notice_sends WHERE id = $1', [id]);
  return rows[0] && toSend(rows[0]);
}

export async function findSendStatus(tx: Sql, id: string): Promise<{ status: string } | undefined> {
  const [row] = await tx.query<{ status: string }>('SELECT status FROM notice_sends WHERE id = $1', [id]);
  return row;
}

export async function recordJob(tx: Sql, sendId: string, jobId: string): Promise<void> {
  await tx.query('UPDATE notice_sends SET job_id = $2 WHERE id = $1', [sendId, jobId]);
}

/** Scheduled send requests older than `olderThan` without a job, across organizations (as the app). */
export function findSendsWithoutJob(
  tx: Sql,
  olderThan: string,
): Promise<{ organization_id: string; id: string }[]> {
  return tx.query<{ organization_id: string; id: string }>(
    'SELECT organization_id, id FROM candor_notice_sends_without_job($1::interval)',
    [olderThan],
  );
}

/**
 * Flips a send to 'completed' when it is fanned out and nothing of it waits or is in flight; its
 * organization's id when this statement flipped it.
 */
export async function markSendCompletedIfDone(tx: Sql, sendId: string): Promise<string | undefined> {
  const [done] = await tx.query<{ organization_id: string }>(
    `UPDATE notice_sends s SET status = 'completed', updated_at = now()
     WHERE s.id = $1 AND s.status = 'sending'
       AND NOT EXISTS (SELECT 1 FROM notice_send_chunks c WHERE c.send_id = s.id AND c.done_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.send_id = s.id AND d.status IN ('pending', 'sending', 'paused'))
     RETURNING s.organization_id`,
    [sendId],
  );
  return done?.organization_id;
}

/** A send's deliveries by status, from the counts the triggers keep (a few rows per batch). */
export function sendStatusCounts(tx: Sql, sendId: string): Promise<{ status: string; n: number }[]> {
  return tx.query<{ status: string; n: number }>(
    `SELECT status, sum(n)::int AS n FROM delivery_counts WHERE send_id = $1
     GROUP BY status HAVING sum(n) <> 0 ORDER BY status`,
    [sendId],
  );
}

/** Sends still 'sending' with their work done, across organizations (as the app). */
export function findDoneSends(tx: Sql): Promise<{ organization_id: string; id: string }[]> {
  return tx.query<{ organization_id: string; id: string }>(
    'SELECT organization_id, id FROM candor_notice_sends_done()',
  );
}
