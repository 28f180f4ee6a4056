import type { Sql } from '../../platform/db.js';

export type LapseThreshold = 'soon' | 'lapsed';

/** A promise to readers: the newest published update of a published page, with its next update promised. */
export interface OpenPromise {
  update_id: string;
  incident_id: string;
  number: number;
  title: string;
  restricted: boolean;
  next_update_by: Date;
  time_zone: string;
  default_locale: string;
  warned: LapseThreshold[];
}

export interface LapseRecipient {
  id: string;
  email: string;
  locale: string | null;
}

/** The organizations with a promise to warn about at `now`, through the named cross-organization function. */
export async function listLapseOrganizations(tx: Sql, now: Date): Promise<{ organization_id: string }[]> {
  return tx.query<{ organization_id: string }>(
    'SELECT organization_id FROM candor_trust_lapse_organizations($1)',
    [now],
  );
}

/** The organization's promises due by `until` (real incidents only), with the warnings already recorded. */
export async function listDuePromises(tx: Sql, until: Date): Promise<OpenPromise[]> {
  return tx.query<OpenPromise>(
    `SELECT l.id AS update_id, i.id AS incident_id, i.number, i.title, i.restricted, l.next_update_by,
            o.time_zone, o.default_locale,
            coalesce((SELECT array_agg(w.threshold) FROM trust_lapse_warnings w WHERE w.update_id = l.id), '{}') AS warned
       FROM trust_incident_pages p
       JOIN incidents i ON i.id = p.incident_id AND NOT i.is_exercise
       JOIN organizations o ON o.id = p.organization_id
       CROSS JOIN LATERAL (
         SELECT u.id, u.next_update_by FROM trust_updates u
          WHERE u.page_id = p.id AND u.state = 'published'
          ORDER BY u.published_at DESC, u.id DESC LIMIT 1
       ) l
      WHERE p.first_published_at IS NOT NULL AND l.next_update_by IS NOT NULL AND l.next_update_by <= $1
      ORDER BY l.next_update_by, l.id`,
    [until],
  );
}

/** Records a warning; false when it was already recorded (by another worker, or an earlier run). */
export async function recordLapseWarning(
  tx: Sql,
  w: { organizationId: string; incidentId: string; updateId: string; threshold: LapseThreshold; dueAt: Date },
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO trust_lapse_warnings (organization_id, incident_id, update_id, threshold, due_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (update_id, threshold) DO NOTHING RETURNING id`,
    [w.organizationId, w.incidentId, w.updateId, w.threshold, w.dueAt],
  );
  return rows.length > 0;
}

/** These users, when active. */
export async function findActiveUsers(tx: Sql, ids: string[]): Promise<LapseRecipient[]> {
  if (ids.length === 0) return [];
  return tx.query<LapseRecipient>(
    `SELECT id, email, locale FROM users WHERE id = ANY ($1::uuid[]) AND status = 'active' ORDER BY id`,
    [ids],
  );
}

/** The active users holding any of these roles; only the incident's members when `memberOf` is given. */
export async function findActiveUsersWithRoles(
  tx: Sql,
  roles: readonly string[],
  memberOf: string | null,
): Promise<LapseRecipient[]> {
  return tx.query<LapseRecipient>(
    `SELECT id, email, locale FROM users u
      WHERE status = 'active' AND roles && $1::text[]
        AND ($2::uuid IS NULL OR EXISTS (
          SELECT 1 FROM incident_members m WHERE m.incident_id = $2 AND m.user_id = u.id))
      ORDER BY id`,
    [roles, memberOf],
  );
}
