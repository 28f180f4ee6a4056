import type { Sql } from '../../platform/db.js';
import { appendAudit } from '../audit/index.js';
import { assertChannelsReady, failedChannels, type ChannelReadinessDeps } from './channel-readiness.js';
import { cancelSend, pauseSend, resendFailed, resumeSend } from './delivery-control.js';
import type { NoticeCaller } from './notice-caller.js';
import { findSendStatus } from './send-repo.js';

/** What an admin can do to a running send, each audited with what it affected. */
export const SEND_ACTIONS = ['pause', 'resume', 'cancel', 'resend-failed'] as const;
export type SendAction = (typeof SEND_ACTIONS)[number];

export interface SendControlDeps {
  auditKey: Buffer;
  /** Whether the failed deliveries' channels have their settings (resend-failed). */
  readiness: ChannelReadinessDeps;
}

type Outcome = { status: string; affected: number };

const ACTIONS: Record<
  SendAction,
  {
    audit: string;
    run: (tx: Sql, deps: SendControlDeps, sendId: string, organizationId: string) => Promise<Outcome>;
  }
> = {
  pause: {
    audit: 'notice_send.paused',
    run: async (tx, _deps, id) => {
      const status = await pauseSend(tx, id);
      return { status, affected: 0 };
    },
  },
  resume: {
    audit: 'notice_send.resumed',
    run: async (tx, deps, id) => {
      const status = await resumeSend(tx, id, deps.auditKey);
      return { status, affected: 0 };
    },
  },
  cancel: {
    audit: 'notice_send.cancelled',
    run: async (tx, _deps, id) => ({ affected: await cancelSend(tx, id), status: 'cancelled' }),
  },
  'resend-failed': {
    audit: 'notice_send.resent_failed',
    run: async (tx, deps, id, organizationId) => {
      // Sending the failed again into missing settings would only fail them again.
      await assertChannelsReady(tx, deps.readiness, organizationId, await failedChannels(tx, id));
      const affected = await resendFailed(tx, id);
      const row = await findSendStatus(tx, id);
      return { affected, status: row!.status };
    },
  },
};

/** Runs one action on a send and audits it, in the caller's transaction. */
export async function controlSend(
  tx: Sql,
  deps: SendControlDeps,
  caller: NoticeCaller,
  sendId: string,
  action: SendAction,
): Promise<Outcome> {
  const { audit, run } = ACTIONS[action];
  const done = await run(tx, deps, sendId, caller.organizationId);
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: audit,
    targetType: 'notice_send',
    targetId: sendId,
    data: { affected: done.affected, status: done.status },
  });
  return done;
}
