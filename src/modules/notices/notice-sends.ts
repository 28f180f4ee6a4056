import { Type, type Static } from 'typebox';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { sendJob, type JobType, type ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { findSend, findSendsWithoutJob, recordJob, type NoticeSend } from './send-repo.js';

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
      const orphans = await asApp(deps.db, (tx) => findSendsWithoutJob(tx, olderThan));
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
