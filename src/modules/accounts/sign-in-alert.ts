import type { Sql } from '../../platform/db.js';
import { chooseLocale } from '../../platform/i18n.js';
import type { Outbox } from '../../platform/outbox.js';
import { formatTime } from '../../platform/time-format.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { actionMail } from './account-mail.js';
import { findOrganizationSummary } from './organization-repo.js';
import { claimAlert, countAlertFailure } from './throttle-repo.js';
import type { UserRow } from './user-repo.js';

/** This many failed sign-ins of one account within an hour mail its owner, once per hour-long window. */
export const ALERT_FAILURES = 10;

/**
 * Counts a failed sign-in of an active account (in the caller's organization
 * transaction) and, when it reaches the threshold, queues the window's one
 * e-mail to the owner in their language. The mail says how many and when;
 * neither the password tried nor the client's address (which may be a shared
 * or spoofed one, and is another person's data) goes in it: admins see the
 * events in the audit log. Returns whether a mail was queued.
 */
export async function countFailedSignIn(
  deps: { auditKey: Buffer; origin: string; outbox: Pick<Outbox, 'enqueueEmail'> },
  tx: Sql,
  user: UserRow,
  actor: AuditActor,
): Promise<boolean> {
  const failures = await countAlertFailure(tx, user.organization_id, user.id);
  if (failures < ALERT_FAILURES) return false;
  const since = await claimAlert(tx, user.id, ALERT_FAILURES);
  if (!since) return false;
  const org = await findOrganizationSummary(tx);
  const locale = chooseLocale({ userLocale: user.locale, organizationLocale: org.default_locale });
  const when = (at: Date) => formatTime(at, { locale, timeZone: org.time_zone, style: 'dateTime' });
  await deps.outbox.enqueueEmail(tx, user.organization_id, {
    purpose: 'sign_in_alert',
    idempotencyKey: `sign_in_alert:${user.id}:${since.toISOString()}`,
    message: actionMail({
      to: user.email,
      locale,
      subject: 'mail.signInAlert.subject',
      intro: 'mail.signInAlert.intro',
      action: 'mail.signInAlert.action',
      outro: 'mail.signInAlert.outro',
      link: `${deps.origin}/forgot-password`,
      values: { count: failures, from: when(since), to: when(new Date()) },
    }),
  });
  await appendAudit(tx, deps.auditKey, user.organization_id, actor, {
    action: 'auth.sign_in_alert_sent',
    targetType: 'user',
    targetId: user.id,
    data: { failures },
  });
  return true;
}
