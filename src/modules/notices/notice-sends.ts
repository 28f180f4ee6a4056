import { Type, type Static } from 'typebox';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { sendJob, type JobType, type ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Channel, NoticeKind } from './notice-contracts.js';

/** The queue the delivery engine consumes: one job per send request, {organizationId, sendId}. */
export const NOTICE_SEND_QUEUE = 'notice-send';

export const NoticeSendJobData = Type.Object(
  { organizationId: Type.String({ format: 'uuid' }), sendId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type NoticeSendJobData = Static<typeof NoticeSendJobData>;

/** The notice-send job as its senders know it; the delivery engine defines its handler. */
export const noticeSendJob: JobType<typeof NoticeSendJobData> = {
  name: NOTICE_SEND_QUEUE,
  schema: NoticeSendJobData,
  options: { retryLimit: 5, retryDelay: 30, retryBackoff: true },
};

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

/**
 * Queues the send request's 'notice-send' job, to start at its scheduled time, in the transaction
 * that wrote the request: both commit or neither does. The job's id is recorded on the request.
 */
export async function queueSend(tx: Sql, send: NoticeSend, organizationId: string): Promise<string> {
  const jobId = await sendJob(
    tx,
    noticeSendJob,
    { organizationId, sendId: send.id },
    { startAfter: send.scheduledAt, singletonKey: send.id },
  );
  await recordJob(tx, send.id, jobId);
  return jobId;
}

export async function recordJob(tx: Sql, sendId: string, jobId: string): Promise<void> {
  await tx.query('UPDATE notice_sends SET job_id = $2 WHERE id = $1', [sendId, jobId]);
}

/** How long a send request may wait for its job before the requeue timer queues it. */
export const REQUEUE_AFTER = '2 minutes';

/**
 * The requeue timer, a safety net: a send request's job is queued in the transaction that writes
 * the request (queueSend), so a scheduled request without a job is one written some other way
 * (e.g. before that was so, or by hand). It gets its job. A job queued twice is harmless: the
 * delivery engine resumes a send from its recorded chunks.
 */
export function noticeSendRequeueTimer(
  deps: { db: Database; logger: Logger },
  olderThan = REQUEUE_AFTER,
): ModuleTimer {
  return {
    name: 'notice-send-requeue',
    cron: '* * * * *',
    async run() {
      const orphans = await asApp(deps.db, (tx) =>
        tx.query<{ organization_id: string; id: string }>(
          'SELECT organization_id, id FROM candor_notice_sends_without_job($1::interval)',
          [olderThan],
        ),
      );
      let queued = 0;
      for (const orphan of orphans) {
        const send = await withOrg(
          deps.db,
          orphan.organization_id,
          async (tx) => {
            const found = await findSend(tx, orphan.id);
            if (found) await queueSend(tx, found, orphan.organization_id);
            return found;
          },
          { system: true },
        );
        if (!send) continue;
        queued += 1;
        deps.logger.warn({ sendId: orphan.id }, 'notice send request had no job: queued');
      }
      return queued;
    },
  };
}
