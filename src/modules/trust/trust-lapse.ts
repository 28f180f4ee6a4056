import type { Config } from '../../config.js';
import { asApp, type Database, type Sql } from '../../platform/db.js';
import { checkEachOrganization, checkInOrganization } from '../../platform/organization-checks.js';
import { isLocale, type Locale } from '../../platform/i18n.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Outbox } from '../../platform/outbox.js';
import { formatTime, zoneName } from '../../platform/time-format.js';
import { PERMISSIONS } from '../access/index.js';
import { actionMail } from '../accounts/index.js';
import { incidentMembers } from '../incidents/index.js';
import {
  findActiveUsers,
  findActiveUsersWithRoles,
  listDuePromises,
  listLapseOrganizations,
  recordLapseWarning,
  type LapseRecipient,
  type LapseThreshold,
  type OpenPromise,
} from './trust-lapse-repo.js';

export interface LapseDeps {
  db: Database;
  config: Config;
  outbox: Outbox;
  logger: Logger;
  /** The clock, injectable for tests. */
  now?: () => Date;
}

/** How long before a promise lapses its first warning goes. */
const SOON_MS = 30 * 60_000;

/** The warning a promise calls for at `now`, if any: once it has passed, or within 30 minutes of it. */
function thresholdAt(promise: OpenPromise, now: Date): LapseThreshold | undefined {
  const left = promise.next_update_by.getTime() - now.getTime();
  if (left <= 0) return promise.warned.includes('lapsed') ? undefined : 'lapsed';
  if (left <= SOON_MS) return promise.warned.includes('soon') ? undefined : 'soon';
  return undefined;
}

/**
 * Who keeps the promise: the incident's commanders and communications leads; else the users whose
 * roles may publish trust updates (for a restricted incident, only those among its members, who
 * alone may see it).
 */
async function promiseKeepers(tx: Sql, promise: OpenPromise): Promise<LapseRecipient[]> {
  const leads = (await incidentMembers(tx, promise.incident_id))
    .filter((m) => m.role === 'commander' || m.role === 'communications_lead')
    .map((m) => m.user_id);
  const found = await findActiveUsers(tx, [...new Set(leads)]);
  if (found.length) return found;
  return findActiveUsersWithRoles(
    tx,
    PERMISSIONS['trust.publish'],
    promise.restricted ? promise.incident_id : null,
  );
}

function lapseMail(
  config: Config,
  promise: OpenPromise,
  threshold: LapseThreshold,
  to: string,
  locale: Locale,
) {
  // In the organization's zone, named: the time the admin set, as readers of its site see it.
  const due = formatTime(promise.next_update_by, {
    locale,
    timeZone: promise.time_zone,
    style: 'longDateTime',
  });
  return actionMail({
    to,
    locale,
    subject: 'trust.lapse.mail.subject',
    intro: 'trust.lapse.mail.intro',
    action: 'trust.lapse.mail.action',
    outro: 'trust.lapse.mail.outro',
    link: `${config.publicUrl.origin}/incidents/${promise.incident_id}`,
    values: {
      threshold,
      number: promise.number,
      incident: promise.title,
      due,
      zone: zoneName(promise.time_zone, locale),
    },
  });
}

/**
 * One organization's pass: each promise that reached a threshold not yet recorded gets its row and
 * its keepers' e-mails, in this transaction. The unique key on (update, threshold) makes a second
 * worker, or a restarted one, skip it; a promise first seen after it passed gets only the "lapsed" one.
 */
async function checkOrganization(tx: Sql, deps: LapseDeps, organizationId: string, now: Date) {
  const promises = await listDuePromises(tx, new Date(now.getTime() + SOON_MS));
  let sent = 0;
  for (const promise of promises) {
    const threshold = thresholdAt(promise, now);
    if (!threshold) continue;
    const recorded = await recordLapseWarning(tx, {
      organizationId,
      incidentId: promise.incident_id,
      updateId: promise.update_id,
      threshold,
      dueAt: promise.next_update_by,
    });
    // Another worker recorded it first.
    if (!recorded) continue;
    for (const keeper of await promiseKeepers(tx, promise)) {
      const locale = isLocale(keeper.locale)
        ? keeper.locale
        : isLocale(promise.default_locale)
          ? promise.default_locale
          : 'en';
      await deps.outbox.enqueueEmail(tx, organizationId, {
        purpose: 'trust_lapse_warning',
        idempotencyKey: `trust-lapse:${promise.update_id}:${threshold}:${keeper.id}`,
        message: lapseMail(deps.config, promise, threshold, keeper.email, locale),
      });
    }
    sent++;
  }
  return sent;
}

/** One organization's check, as system work: it sees restricted incidents too. */
export async function checkOrganizationPromises(
  deps: LapseDeps,
  organizationId: string,
  now = (deps.now ?? (() => new Date()))(),
): Promise<number> {
  return checkInOrganization(deps, organizationId, (tx) => checkOrganization(tx, deps, organizationId, now));
}

/**
 * The every-minute lapse check: the organizations with a promise to warn about come from one named
 * cross-organization function; each is then checked inside its own organization. Returns the
 * number of warnings recorded (each mailed to every keeper of its promise).
 */
export async function checkTrustPromises(deps: LapseDeps): Promise<number> {
  const now = (deps.now ?? (() => new Date()))();
  const orgs = await asApp(deps.db, (tx) => listLapseOrganizations(tx, now));
  return checkEachOrganization(
    deps,
    orgs.map((o) => o.organization_id),
    'trust promise check',
    (org) => checkOrganizationPromises(deps, org, now),
  );
}

/** Every minute: a promise of the next update is warned about 30 minutes before it, and once it passed. */
export function trustLapseTimer(deps: LapseDeps): ModuleTimer {
  return { name: 'trust-lapse-warnings', cron: '* * * * *', run: () => checkTrustPromises(deps) };
}
