import type { Config } from '../../config.js';
import { asApp, type Database, type Sql } from '../../platform/db.js';
import { checkEachOrganization, checkInOrganization } from '../../platform/organization-checks.js';
import { isLocale, t, type Locale, type MessageKey } from '../../platform/i18n.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Outbox } from '../../platform/outbox.js';
import { formatTime } from '../../platform/time-format.js';
import { actionMail } from '../accounts/index.js';
import { reachedThresholds, type Threshold } from './deadline-engine.js';
import {
  findActiveUsersWithRole,
  findIncidentLeads,
  findIncidentMemberUsers,
  findOrganizationLocale,
  insertWarningRecipients,
  insertWarnings,
  listDeadlineOrganizations,
  listRunningClocks,
  type Owner,
  type RunningClock,
} from './deadline-warning-repo.js';

export interface WarningDeps {
  db: Database;
  config: Config;
  outbox: Outbox;
  logger: Logger;
  /** The clock, injectable for tests. */
  now?: () => Date;
}

/**
 * The owners of an incident's clocks: its legal leads and commanders; else the
 * organization's legal users (for a restricted incident: its members, who alone
 * may see it); else the admins. Warnings only ever go to staff, exercises too.
 */
export async function clockOwners(tx: Sql, incidentId: string, restricted: boolean): Promise<Owner[]> {
  const leads = await findIncidentLeads(tx, incidentId);
  if (leads.length) return leads;
  if (restricted) return findIncidentMemberUsers(tx, incidentId);
  for (const role of ['legal', 'admin']) {
    const users = await findActiveUsersWithRole(tx, role);
    if (users.length) return users;
  }
  return [];
}

function warningMail(
  config: Config,
  clock: RunningClock,
  threshold: Threshold,
  owner: Owner,
  locale: Locale,
) {
  // In the jurisdiction's zone, named, so the owner reads the law's own deadline.
  const due = formatTime(clock.due_at, { locale, timeZone: clock.time_zone, style: 'longDateTime' });
  return actionMail({
    to: owner.email,
    locale,
    subject: 'deadline.mail.subject',
    intro: 'deadline.mail.intro',
    action: 'deadline.mail.action',
    outro: 'deadline.mail.outro',
    link: `${config.publicUrl.origin}/incidents/${clock.incident_id}`,
    values: {
      threshold,
      exercise: clock.is_exercise ? 'yes' : 'no',
      rule: t(locale, `deadline.rule.${clock.rule_id}` as MessageKey),
      jurisdiction: clock.jurisdiction,
      number: clock.number,
      incident: clock.title,
      due,
      zone: clock.time_zone,
    },
  });
}

/**
 * One organization's pass: every running clock that reached a threshold not
 * yet recorded gets its warning — the (clock, threshold) row, each owner's
 * in-app copy and e-mail, all in this transaction. The unique key on
 * (clock, threshold, due instant) makes a second worker, or a restarted one,
 * skip it; a deadline moved by a corrected moment is warned about afresh.
 */
async function checkOrganization(
  tx: Sql,
  deps: WarningDeps,
  organizationId: string,
  now: Date,
): Promise<number> {
  const clocks = await listRunningClocks(tx);
  if (clocks.length === 0) return 0;
  const orgLocale = await findOrganizationLocale(tx);
  const ownersOf = new Map<string, Owner[]>();
  let sent = 0;
  for (const clock of clocks) {
    const fresh = reachedThresholds(clock.starts_at, clock.due_at, now).filter(
      (th) => !clock.recorded.includes(th),
    );
    const highest = fresh.at(-1);
    if (!highest) continue;
    const rows = await insertWarnings(tx, {
      organizationId,
      incidentId: clock.incident_id,
      clockId: clock.id,
      dueAt: clock.due_at,
      sent: highest,
      isExercise: clock.is_exercise,
      thresholds: fresh,
    });
    const warningId = rows.find((r) => r.threshold === highest)?.id;
    // Another worker recorded it first.
    if (!warningId) continue;
    let owners = ownersOf.get(clock.incident_id);
    if (!owners) {
      owners = await clockOwners(tx, clock.incident_id, clock.restricted);
      ownersOf.set(clock.incident_id, owners);
    }
    await insertWarningRecipients(
      tx,
      organizationId,
      clock.incident_id,
      warningId,
      owners.map((o) => o.id),
    );
    for (const owner of owners) {
      const locale = isLocale(owner.locale) ? owner.locale : isLocale(orgLocale) ? orgLocale : 'en';
      await deps.outbox.enqueueEmail(tx, organizationId, {
        purpose: 'deadline_warning',
        idempotencyKey: `deadline-warning:${warningId}:${owner.id}`,
        message: warningMail(deps.config, clock, highest, owner, locale),
      });
    }
    sent++;
  }
  return sent;
}

/** One organization's check, as system work: it sees restricted incidents too. */
export async function checkOrganizationDeadlines(
  deps: WarningDeps,
  organizationId: string,
  now = (deps.now ?? (() => new Date()))(),
): Promise<number> {
  return checkInOrganization(deps, organizationId, (tx) => checkOrganization(tx, deps, organizationId, now));
}

/**
 * The every-minute deadline check: the organizations with running clocks come
 * from one named cross-organization function; each is then checked inside its
 * own organization as system work (which sees restricted incidents too).
 */
export async function checkDeadlines(deps: WarningDeps): Promise<number> {
  const now = (deps.now ?? (() => new Date()))();
  const orgs = await asApp(deps.db, (tx) => listDeadlineOrganizations(tx));
  return checkEachOrganization(
    deps,
    orgs.map((o) => o.organization_id),
    'deadline check',
    (org) => checkOrganizationDeadlines(deps, org, now),
  );
}

/** Every minute: warnings are due at 50 %, 75 % and 90 % of a clock and when it runs out. */
export function deadlineTimer(deps: WarningDeps): ModuleTimer {
  return { name: 'deadline-warnings', cron: '* * * * *', run: () => checkDeadlines(deps) };
}
