import type { Config } from '../../config.js';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { isLocale, t, type Locale, type MessageKey } from '../../platform/i18n.js';
import type { ModuleTimer } from '../../platform/jobs.js';
import type { Logger } from '../../platform/logger.js';
import type { Outbox } from '../../platform/outbox.js';
import { actionMail } from '../accounts/index.js';
import { reachedThresholds, type Threshold } from './deadline-engine.js';
import type { RuleId } from './deadline-rules.js';

export interface WarningDeps {
  db: Database;
  config: Config;
  outbox: Outbox;
  logger: Logger;
  /** The clock, injectable for tests. */
  now?: () => Date;
}

interface RunningClock {
  id: string;
  incident_id: string;
  rule_id: RuleId;
  jurisdiction: string;
  time_zone: string;
  is_exercise: boolean;
  starts_at: Date;
  due_at: Date;
  number: number;
  title: string;
  restricted: boolean;
  recorded: string[];
}

interface Owner {
  id: string;
  email: string;
  locale: string | null;
}

/**
 * The owners of an incident's clocks: its legal leads and commanders; else the
 * organization's legal users (for a restricted incident: its members, who alone
 * may see it); else the admins. Warnings only ever go to staff, exercises too.
 */
export async function clockOwners(tx: Sql, incidentId: string, restricted: boolean): Promise<Owner[]> {
  const leads = await tx.query<Owner>(
    `SELECT DISTINCT u.id, u.email, u.locale FROM incident_members m JOIN users u ON u.id = m.user_id
     WHERE m.incident_id = $1 AND m.role IN ('legal_lead', 'commander') AND u.status = 'active' ORDER BY u.id`,
    [incidentId],
  );
  if (leads.length) return leads;
  if (restricted) {
    return tx.query<Owner>(
      `SELECT DISTINCT u.id, u.email, u.locale FROM incident_members m JOIN users u ON u.id = m.user_id
       WHERE m.incident_id = $1 AND u.status = 'active' ORDER BY u.id`,
      [incidentId],
    );
  }
  for (const role of ['legal', 'admin']) {
    const users = await tx.query<Owner>(
      `SELECT id, email, locale FROM users WHERE status = 'active' AND $1 = ANY (roles) ORDER BY id`,
      [role],
    );
    if (users.length) return users;
  }
  return [];
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** The due instant in the recipient's language and the jurisdiction's zone (formatters are costly to build). */
function dateFormat(locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone });
    formats.set(key, format);
  }
  return format;
}

function warningMail(
  config: Config,
  clock: RunningClock,
  threshold: Threshold,
  owner: Owner,
  locale: Locale,
) {
  const due = dateFormat(locale, clock.time_zone).format(clock.due_at);
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
  const clocks = await tx.query<RunningClock>(
    `SELECT c.id, c.incident_id, c.rule_id, c.jurisdiction, c.time_zone, c.is_exercise, c.starts_at, c.due_at,
            i.number, i.title, i.restricted,
            coalesce((SELECT array_agg(w.threshold) FROM deadline_warnings w WHERE w.clock_id = c.id AND w.due_at = c.due_at), '{}') AS recorded
     FROM deadline_clocks c JOIN incidents i ON i.id = c.incident_id
     WHERE c.status = 'active' AND c.applicable AND c.starts_at IS NOT NULL AND c.due_at IS NOT NULL
       AND NOT EXISTS (
         SELECT 1 FROM deadline_warnings w WHERE w.clock_id = c.id AND w.threshold = 'missed' AND w.due_at = c.due_at)`,
  );
  if (clocks.length === 0) return 0;
  const orgLocale = (
    await tx.query<{ default_locale: string }>('SELECT default_locale FROM organizations')
  )[0]?.default_locale;
  const ownersOf = new Map<string, Owner[]>();
  let sent = 0;
  for (const clock of clocks) {
    const fresh = reachedThresholds(clock.starts_at, clock.due_at, now).filter(
      (th) => !clock.recorded.includes(th),
    );
    const highest = fresh.at(-1);
    if (!highest) continue;
    const rows = await tx.query<{ id: string; threshold: string }>(
      `INSERT INTO deadline_warnings (organization_id, incident_id, clock_id, threshold, due_at, sent, is_exercise)
       SELECT $1, $2, $3, f.th, $4, f.th = $5, $6 FROM unnest($7::text[]) WITH ORDINALITY AS f (th, n) ORDER BY f.n
       ON CONFLICT (clock_id, threshold, due_at) DO NOTHING RETURNING id, threshold`,
      [organizationId, clock.incident_id, clock.id, clock.due_at, highest, clock.is_exercise, fresh],
    );
    const warningId = rows.find((r) => r.threshold === highest)?.id;
    // Another worker recorded it first.
    if (!warningId) continue;
    let owners = ownersOf.get(clock.incident_id);
    if (!owners) {
      owners = await clockOwners(tx, clock.incident_id, clock.restricted);
      ownersOf.set(clock.incident_id, owners);
    }
    await tx.query(
      `INSERT INTO deadline_warning_recipients (organization_id, incident_id, warning_id, user_id)
       SELECT $1, $2, $3, unnest($4::uuid[])`,
      [organizationId, clock.incident_id, warningId, owners.map((o) => o.id)],
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
  const sent = await withOrg(
    deps.db,
    organizationId,
    (tx) => checkOrganization(tx, deps, organizationId, now),
    {
      system: true,
    },
  );
  if (sent > 0) deps.outbox.wake();
  return sent;
}

/**
 * The every-minute deadline check: the organizations with running clocks come
 * from one named cross-organization function; each is then checked inside its
 * own organization as system work (which sees restricted incidents too).
 */
export async function checkDeadlines(deps: WarningDeps): Promise<number> {
  const now = (deps.now ?? (() => new Date()))();
  const orgs = await asApp(deps.db, (tx) =>
    tx.query<{ organization_id: string }>('SELECT organization_id FROM candor_deadline_organizations()'),
  );
  let sent = 0;
  for (const { organization_id: org } of orgs) {
    try {
      sent += await checkOrganizationDeadlines(deps, org, now);
    } catch (error) {
      // One organization's failure must not hold up the others' warnings.
      deps.logger.error({ err: error, organizationId: org }, 'deadline check failed');
    }
  }
  return sent;
}

/** Every minute: warnings are due at 50 %, 75 % and 90 % of a clock and when it runs out. */
export function deadlineTimer(deps: WarningDeps): ModuleTimer {
  return { name: 'deadline-warnings', cron: '* * * * *', run: () => checkDeadlines(deps) };
}
