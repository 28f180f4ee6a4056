import type { Config } from '../../config.js';
import { hashToken, newToken } from '../../platform/crypto.js';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { chooseLocale, type Locale } from '../../platform/i18n.js';
import type { Logger } from '../../platform/logger.js';
import type { Outbox } from '../../platform/outbox.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { actionMail } from './account-mail.js';
import {
  findWaitingFollowUps,
  insertFollowUp,
  takeFollowUp,
  type FollowUpRow,
} from './auth-follow-up-repo.js';
import { insertPasswordReset } from './password-reset-repo.js';
import { countFailedSignIn } from './sign-in-alert.js';
import { findUser, type UserRow } from './user-repo.js';

/**
 * What a failed sign-in and a password-reset request do after the response. The request itself
 * records one follow-up for every address, known or not, in the transaction that counts it
 * against its throttle, so its response does the same work either way (issue 14: staff e-mail
 * addresses must not show in response times). The web process works them about once a second,
 * in batches, apart from any one request; each is deleted in the transaction that does its work.
 */

export const PASSWORD_RESET_MINUTES = 60;

/** How often a web process works the waiting follow-ups. */
export const FOLLOW_UP_INTERVAL_MS = 1000;
const BATCH = 50;

/** The ids of the account the address belongs to, or nulls: the only difference between the two. */
interface Target {
  organizationId: string | null;
  userId: string | null;
}

export interface SignInFailedData extends Target {
  knownDevice: boolean;
  deviceLocked: boolean;
  actor: AuditActor;
}

export interface ResetRequestedData extends Target {
  /** The language the request asked for (Accept-Language): the mail's if the account has none. */
  locale: Locale | null;
  actor: AuditActor;
}

export const queueSignInFailed = (tx: Sql, data: SignInFailedData) =>
  insertFollowUp(tx, 'sign_in_failed', data);

export const queueResetRequested = (tx: Sql, data: ResetRequestedData) =>
  insertFollowUp(tx, 'password_reset', data);

export interface FollowUpDeps {
  db: Database;
  config: Config;
  logger: Logger;
  outbox: Pick<Outbox, 'enqueueEmail' | 'wake'>;
}

/** The audit entries of a failed sign-in and, for an active account, the owner's alert. */
async function signInFailed(deps: FollowUpDeps, tx: Sql, user: UserRow, data: SignInFailedData) {
  const auditKey = deps.config.secrets.auditKey;
  await appendAudit(tx, auditKey, user.organization_id, data.actor, {
    action: 'auth.sign_in_failed',
    targetType: 'user',
    targetId: user.id,
    data: { knownDevice: data.knownDevice },
  });
  if (data.deviceLocked) {
    await appendAudit(tx, auditKey, user.organization_id, data.actor, {
      action: 'auth.device_locked',
      targetType: 'user',
      targetId: user.id,
    });
  }
  if (user.status !== 'active') return false;
  return countFailedSignIn(
    { auditKey, origin: deps.config.publicUrl.origin, outbox: deps.outbox },
    tx,
    user,
    data.actor,
  );
}

/** A reset link mailed to an active account, in its language. */
async function resetRequested(deps: FollowUpDeps, tx: Sql, user: UserRow, data: ResetRequestedData) {
  if (user.status !== 'active') return false;
  const { config } = deps;
  const token = newToken();
  const resetId = await insertPasswordReset(tx, {
    organizationId: user.organization_id,
    userId: user.id,
    tokenHash: hashToken(token),
    minutes: PASSWORD_RESET_MINUTES,
  });
  const locale = chooseLocale({ userLocale: user.locale, acceptLanguage: data.locale ?? undefined });
  await deps.outbox.enqueueEmail(tx, user.organization_id, {
    purpose: 'password_reset',
    idempotencyKey: `password_reset:${resetId}`,
    message: actionMail({
      to: user.email,
      locale,
      subject: 'mail.reset.subject',
      intro: 'mail.reset.intro',
      action: 'mail.reset.action',
      outro: 'mail.reset.outro',
      link: `${config.publicUrl.origin}/reset-password#token=${token}`,
      values: { minutes: PASSWORD_RESET_MINUTES },
    }),
  });
  await appendAudit(tx, config.secrets.auditKey, user.organization_id, data.actor, {
    action: 'auth.password_reset_requested',
    targetType: 'user',
    targetId: user.id,
  });
  return true;
}

/** One follow-up: whether it queued an e-mail. An unknown address's is only deleted. */
async function runFollowUp(deps: FollowUpDeps, row: FollowUpRow): Promise<boolean> {
  const data = row.data as SignInFailedData | ResetRequestedData;
  const { organizationId, userId } = data;
  if (!organizationId || !userId) {
    await asApp(deps.db, (tx) => takeFollowUp(tx, row.id));
    return false;
  }
  return withOrg(deps.db, organizationId, async (tx) => {
    if (!(await takeFollowUp(tx, row.id))) return false;
    const user = await findUser(tx, userId);
    // An account deleted since has nothing left to record.
    if (!user) return false;
    return row.kind === 'sign_in_failed'
      ? signInFailed(deps, tx, user, data as SignInFailedData)
      : resetRequested(deps, tx, user, data as ResetRequestedData);
  });
}

async function drain(deps: FollowUpDeps): Promise<number> {
  let worked = 0;
  for (;;) {
    const rows = await asApp(deps.db, (tx) => findWaitingFollowUps(tx, BATCH));
    let failed = 0;
    let mailed = false;
    for (const row of rows) {
      try {
        mailed = (await runFollowUp(deps, row)) || mailed;
        worked++;
      } catch (error) {
        // Left in place and tried again on the next round; the log names the row, never its data.
        failed++;
        deps.logger.error({ err: error, followUp: row.id, kind: row.kind }, 'auth follow-up failed');
      }
    }
    if (mailed) deps.outbox.wake();
    if (rows.length < BATCH || failed === rows.length) return worked;
  }
}

// One run at a time per database in this process; a caller waits for the one under way.
const runs = new WeakMap<Database, Promise<number>>();

/** Works every follow-up waiting now, after the run under way in this process (if any). */
export function settleFollowUps(deps: FollowUpDeps): Promise<number> {
  const previous = runs.get(deps.db) ?? Promise.resolve(0);
  const next = previous.catch(() => 0).then(() => drain(deps));
  runs.set(deps.db, next);
  return next;
}

/** Works the follow-ups about once a second until stopped (the web process, from authRoutes). */
export function startFollowUps(deps: FollowUpDeps): () => Promise<void> {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    settleFollowUps(deps)
      .catch((error: unknown) => deps.logger.error({ err: error }, 'auth follow-ups failed'))
      .finally(() => (busy = false));
  }, FOLLOW_UP_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await runs.get(deps.db)?.catch(() => 0);
  };
}
