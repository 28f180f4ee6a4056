import type { Sql } from '../../platform/db.js';
import type { RuleId } from './deadline-rules.js';

/** A clock still running, with what the warning check needs of its incident and the warnings it already has. */
export interface RunningClock {
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

export interface Owner {
  id: string;
  email: string;
  locale: string | null;
}

export type WarningThreshold = '50' | '75' | '90' | 'missed';

export interface WarningRow {
  id: string;
  incident_id: string;
  number: number;
  title: string;
  clock_id: string;
  rule_id: string;
  jurisdiction: string;
  time_zone: string;
  threshold: WarningThreshold;
  due_at: Date;
  is_exercise: boolean;
  created_at: Date;
  read_at: Date | null;
}

/** The incident's active legal leads and commanders. */
export async function findIncidentLeads(tx: Sql, incidentId: string): Promise<Owner[]> {
  return tx.query<Owner>(
    `SELECT DISTINCT u.id, u.email, u.locale FROM incident_members m JOIN users u ON u.id = m.user_id
     WHERE m.incident_id = $1 AND m.role IN ('legal_lead', 'commander') AND u.status = 'active' ORDER BY u.id`,
    [incidentId],
  );
}

/** The incident's active members, whatever their incident role. */
export async function findIncidentMemberUsers(tx: Sql, incidentId: string): Promise<Owner[]> {
  return tx.query<Owner>(
    `SELECT DISTINCT u.id, u.email, u.locale FROM incident_members m JOIN users u ON u.id = m.user_id
       WHERE m.incident_id = $1 AND u.status = 'active' ORDER BY u.id`,
    [incidentId],
  );
}

export async function findActiveUsersWithRole(tx: Sql, role: string): Promise<Owner[]> {
  return tx.query<Owner>(
    `SELECT id, email, locale FROM users WHERE status = 'active' AND $1 = ANY (roles) ORDER BY id`,
    [role],
  );
}

/** Active, applicable, started clocks whose deadline has not yet been recorded as missed. */
export async function listRunningClocks(tx: Sql): Promise<RunningClock[]> {
  return tx.query<RunningClock>(
    `SELECT c.id, c.incident_id, c.rule_id, c.jurisdiction, c.time_zone, c.is_exercise, c.starts_at, c.due_at,
            i.number, i.title, i.restricted,
            coalesce((SELECT array_agg(w.threshold) FROM deadline_warnings w WHERE w.clock_id = c.id AND w.due_at = c.due_at), '{}') AS recorded
     FROM deadline_clocks c JOIN incidents i ON i.id = c.incident_id
     WHERE c.status = 'active' AND c.applicable AND c.starts_at IS NOT NULL AND c.due_at IS NOT NULL
       AND NOT EXISTS (
         SELECT 1 FROM deadline_warnings w WHERE w.clock_id = c.id AND w.threshold = 'missed' AND w.due_at = c.due_at)`,
  );
}

export async function findOrganizationLocale(tx: Sql): Promise<string | undefined> {
  return (await tx.query<{ default_locale: string }>('SELECT default_locale FROM organizations'))[0]
    ?.default_locale;
}

/**
 * Records the thresholds a clock reached, in order; only `sent` (the highest) is mailed. A
 * threshold already recorded for this due instant is skipped (it is not among the rows returned).
 */
export async function insertWarnings(
  tx: Sql,
  w: {
    organizationId: string;
    incidentId: string;
    clockId: string;
    dueAt: Date;
    sent: string;
    isExercise: boolean;
    thresholds: string[];
  },
): Promise<{ id: string; threshold: string }[]> {
  return tx.query<{ id: string; threshold: string }>(
    `INSERT INTO deadline_warnings (organization_id, incident_id, clock_id, threshold, due_at, sent, is_exercise)
       SELECT $1, $2, $3, f.th, $4, f.th = $5, $6 FROM unnest($7::text[]) WITH ORDINALITY AS f (th, n) ORDER BY f.n
       ON CONFLICT (clock_id, threshold, due_at) DO NOTHING RETURNING id, threshold`,
    [w.organizationId, w.incidentId, w.clockId, w.dueAt, w.sent, w.isExercise, w.thresholds],
  );
}

/** Each owner's in-app copy of a warning. */
export async function insertWarningRecipients(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  warningId: string,
  userIds: string[],
): Promise<void> {
  await tx.query(
    `INSERT INTO deadline_warning_recipients (organization_id, incident_id, warning_id, user_id)
       SELECT $1, $2, $3, unnest($4::uuid[])`,
    [organizationId, incidentId, warningId, userIds],
  );
}

/** The organizations with running clocks, through the named cross-organization function. */
export async function listDeadlineOrganizations(tx: Sql): Promise<{ organization_id: string }[]> {
  return tx.query<{ organization_id: string }>('SELECT organization_id FROM candor_deadline_organizations()');
}

/** A user's warnings, newest first (the latest 200), optionally only the unread ones. */
export async function listUserWarnings(tx: Sql, userId: string, unreadOnly: boolean): Promise<WarningRow[]> {
  return tx.query<WarningRow>(
    `SELECT w.id, w.incident_id, i.number, i.title, w.clock_id, c.rule_id, c.jurisdiction, c.time_zone,
                  w.threshold, w.due_at, w.is_exercise, w.created_at, r.read_at
           FROM deadline_warning_recipients r
           JOIN deadline_warnings w ON w.id = r.warning_id
           JOIN deadline_clocks c ON c.id = w.clock_id
           JOIN incidents i ON i.id = w.incident_id
           WHERE r.user_id = $1 AND ($2::boolean IS NOT TRUE OR r.read_at IS NULL)
           ORDER BY w.created_at DESC LIMIT 200`,
    [userId, unreadOnly],
  );
}

/** Marks the user's copy of a warning read (once); false when the user has no such warning. */
export async function markWarningRead(tx: Sql, warningId: string, userId: string): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE deadline_warning_recipients SET read_at = coalesce(read_at, now())
           WHERE warning_id = $1 AND user_id = $2 RETURNING warning_id`,
    [warningId, userId],
  );
  return rows.length > 0;
}
