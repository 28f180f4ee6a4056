/**
 * When a send is finished. Each batch's outcomes are written in a transaction of their own; under
 * READ COMMITTED two batches committing together each see the other's rows still in flight, so a
 * check inside them can miss the end and leave the send 'sending' for ever (issue 11). The check
 * runs after a commit, in a transaction of its own: the last one to start sees every commit. A
 * sweeper every minute completes what a process that died right after its last commit left.
 */
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { findDoneSends, markSendCompletedIfDone, sendStatusCounts } from './send-repo.js';

export const SEND_COMPLETION_QUEUE = 'notice-send-completion';

/**
 * Marks a send completed once it is fanned out and nothing of it waits or is in flight, audited in
 * the same transaction. Only the statement that flips the status audits: a concurrent one waits for
 * the row, then finds it completed. Sees what had committed when it started, so call it after the
 * writes it follows have committed. True when this call completed the send.
 */
export async function completeIfDone(tx: Sql, auditKey: Buffer, sendId: string): Promise<boolean> {
  const organizationId = await markSendCompletedIfDone(tx, sendId);
  if (!organizationId) return false;
  // From the counts the triggers keep (a few rows per batch), not the deliveries themselves.
  const counts = await sendStatusCounts(tx, sendId);
  await appendAudit(tx, auditKey, organizationId, systemActor(), {
    action: 'notice_send.completed',
    targetType: 'notice_send',
    targetId: sendId,
    data: Object.fromEntries(counts.map((c) => [c.status, c.n])),
  });
  return true;
}

/** Completes what is done of one organization's sends, in a transaction of its own; how many. */
export function settleSends(
  db: Database,
  auditKey: Buffer,
  organizationId: string,
  sendIds: readonly string[],
): Promise<number> {
  return withOrg(
    db,
    organizationId,
    async (tx) => {
      let completed = 0;
      for (const id of sendIds) if (await completeIfDone(tx, auditKey, id)) completed += 1;
      return completed;
    },
    { system: true },
  );
}

/**
 * The sweeper: a send whose work is done (every chunk fanned out, nothing waiting or in flight)
 * but still 'sending' is completed, e.g. after a crash right after its last batch committed.
 */
export function sendCompletionTimer(deps: { db: Database; auditKey: Buffer; logger: Logger }): ModuleTimer {
  return {
    name: SEND_COMPLETION_QUEUE,
    cron: '* * * * *',
    async run() {
      const done = await asApp(deps.db, findDoneSends);
      let completed = 0;
      for (const send of done) {
        if (!(await settleSends(deps.db, deps.auditKey, send.organization_id, [send.id]))) continue;
        completed += 1;
        deps.logger.warn({ sendId: send.id }, 'notice send was done but not completed: completed');
      }
      return completed;
    },
  };
}
