import PgBoss from 'pg-boss';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Channel, NoticeKind } from './notice-contracts.js';

/** The queue the delivery engine consumes: one job per send request, {organizationId, sendId}. */
export const NOTICE_SEND_QUEUE = 'notice-send';

export interface NoticeSendJobData {
  organizationId: string;
  sendId: string;
}

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
 * Enqueues the 'notice-send' job of a committed send request, to start at its scheduled time.
 * pg-boss is used for its SQL only (never started here); the queue is created when no worker has
 * made it yet (the job then waits for one). Called
 * after the request's transaction commits, so a job never points at a row that was rolled back;
 * the send's id is the singleton key, so enqueueing twice yields one job.
 */
export function noticeSendEnqueuer(
  db: Database,
): (send: NoticeSend, organizationId: string) => Promise<string> {
  const pglite = db.pglite;
  const boss = new PgBoss({
    db: {
      async executeSql(text: string, values: unknown[]) {
        if (pglite) return pglite.query(text, values);
        return { rows: await db.query(text, values) };
      },
    },
  });
  return async (send, organizationId) => {
    const data: NoticeSendJobData = { organizationId, sendId: send.id };
    const options = {
      startAfter: send.scheduledAt,
      singletonKey: send.id,
      retryLimit: 5,
      retryDelay: 30,
      retryBackoff: true,
    };
    let id = await boss.send(NOTICE_SEND_QUEUE, { ...data }, options);
    if (!id) {
      // No worker has created the queue on this database yet: create it (as startJobs does, with
      // the defaults) so that the request waits for the first worker instead of being refused.
      await boss.createQueue(NOTICE_SEND_QUEUE);
      id = await boss.send(NOTICE_SEND_QUEUE, { ...data }, options);
    }
    if (!id) throw new Error('The notice-send job was not queued');
    return id;
  };
}

export async function recordJob(tx: Sql, sendId: string, jobId: string): Promise<void> {
  await tx.query('UPDATE notice_sends SET job_id = $2 WHERE id = $1', [sendId, jobId]);
}

/** How long a send request may wait for its job before the requeue timer queues it. */
export const REQUEUE_AFTER = '2 minutes';

/**
 * The requeue timer: a scheduled send request without a job (its process died between the
 * commit and the enqueue) gets its job. A job queued twice is harmless: the delivery engine
 * resumes a send from its recorded chunks.
 */
export function noticeSendRequeueTimer(
  deps: { db: Database; logger: Logger },
  olderThan = REQUEUE_AFTER,
): ModuleTimer {
  const enqueue = noticeSendEnqueuer(deps.db);
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
        // Read, queue, record: each step on its own (the embedded engine has one connection, and
        // the queue's SQL runs outside the organization's transaction).
        const send = await withOrg(deps.db, orphan.organization_id, (tx) => findSend(tx, orphan.id));
        if (!send) continue;
        const jobId = await enqueue(send, orphan.organization_id);
        await withOrg(deps.db, orphan.organization_id, (tx) => recordJob(tx, send.id, jobId));
        queued += 1;
        deps.logger.warn({ sendId: orphan.id }, 'notice send request had no job: queued');
      }
      return queued;
    },
  };
}
