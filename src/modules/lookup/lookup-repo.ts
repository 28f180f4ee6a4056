import type { Sql } from '../../platform/db.js';
import type { GuidanceContent } from './guidance-repo.js';

/** A published "Was I affected?" page with the guidance it shows. */
export interface PublishedPageRow {
  organization_id: string;
  incident_id: string;
  organization: string;
  brand_color: string | null;
  logo_public_id: string | null;
  default_locale: string;
  content: GuidanceContent;
  support_url: string | null;
}

/** An affected customer whose address has the looked-up blind index. */
export interface MatchRow {
  customer_id: string;
  language: string | null;
}

// Throttle (as the app role: the counters belong to no organization).

/**
 * Counts one attempt against the key in its window (a window older than `windowSeconds` starts
 * again); returns the count and the seconds until the window ends.
 */
export async function countAttempt(
  tx: Sql,
  key: string,
  windowSeconds: number,
): Promise<{ count: number; left: number }> {
  return (
    await tx.query<{ count: number; left: number }>(
      `INSERT INTO lookup_throttle (key, count, window_start) VALUES ($1, 1, now())
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN lookup_throttle.window_start < now() - make_interval(secs => $2) THEN 1
                        ELSE lookup_throttle.count + 1 END,
           window_start = CASE WHEN lookup_throttle.window_start < now() - make_interval(secs => $2) THEN now()
                               ELSE lookup_throttle.window_start END
         RETURNING count, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS left`,
      [key, windowSeconds],
    )
  )[0]!;
}

export async function deleteOldThrottleWindows(tx: Sql): Promise<void> {
  await tx.query(`DELETE FROM lookup_throttle WHERE window_start < now() - interval '1 day'`);
}

// The public pages (cross-organization look-ups through named functions, as the app role).

export async function findLookupPageByPublicId(
  tx: Sql,
  publicId: string,
): Promise<{ organization_id: string; id: string } | undefined> {
  return (
    await tx.query<{ organization_id: string; id: string }>('SELECT * FROM candor_find_lookup_page($1)', [
      publicId,
    ])
  )[0];
}

export async function findLookupLinkByTokenHash(
  tx: Sql,
  tokenHash: Buffer,
): Promise<{ organization_id: string; id: string } | undefined> {
  return (
    await tx.query<{ organization_id: string; id: string }>('SELECT * FROM candor_find_lookup_link($1)', [
      tokenHash,
    ])
  )[0];
}

// Inside the organization.

export async function findPublishedPage(tx: Sql, incidentId: string): Promise<PublishedPageRow | undefined> {
  return (
    await tx.query<PublishedPageRow>(
      `SELECT p.organization_id, p.incident_id, o.name AS organization, o.brand_color, o.logo_public_id,
              o.default_locale, v.content, p.support_url
         FROM incident_lookup_pages p JOIN incident_guidance_versions v ON v.id = p.version_id
         JOIN organizations o ON o.id = p.organization_id
         WHERE p.incident_id = $1 AND p.published`,
      [incidentId],
    )
  )[0];
}

/** Takes the link if it is unused and unexpired (once: a second call finds nothing); its customer. */
export async function useLink(
  tx: Sql,
  linkId: string,
  incidentId: string,
): Promise<{ customer_id: string } | undefined> {
  return (
    await tx.query<{ customer_id: string }>(
      `UPDATE lookup_links SET used_at = now()
               WHERE id = $1 AND incident_id = $2 AND used_at IS NULL AND expires_at > now()
               RETURNING customer_id`,
      [linkId, incidentId],
    )
  )[0];
}

export async function affectedCategories(
  tx: Sql,
  incidentId: string,
  customerId: string,
): Promise<string[] | undefined> {
  return (
    await tx.query<{ data_categories: string[] }>(
      `SELECT data_categories FROM incident_affected_customers WHERE incident_id = $1 AND customer_id = $2`,
      [incidentId, customerId],
    )
  )[0]?.data_categories;
}

/** Used and expired links of the organization, a day past their expiry. */
export async function deleteStaleLinks(tx: Sql): Promise<void> {
  await tx.query(`DELETE FROM lookup_links WHERE expires_at < now() - interval '1 day'`);
}

/** What the look-up job needs of a published page. */
export async function findPageForJob(
  tx: Sql,
  incidentId: string,
): Promise<{ public_id: string; is_exercise: boolean; default_locale: string } | undefined> {
  return (
    await tx.query<{ public_id: string; is_exercise: boolean; default_locale: string }>(
      `SELECT p.public_id, i.is_exercise, o.default_locale
           FROM incident_lookup_pages p JOIN incidents i ON i.id = p.incident_id
           JOIN organizations o ON o.id = p.organization_id
           WHERE p.incident_id = $1 AND p.published`,
      [incidentId],
    )
  )[0];
}

/** The incident's affected customers with this blind index (at most ten). */
export async function findAffectedMatches(
  tx: Sql,
  emailIndex: string,
  incidentId: string,
): Promise<MatchRow[]> {
  return tx.query<MatchRow>(
    `SELECT c.id AS customer_id, c.language FROM customers c
         JOIN incident_affected_customers a ON a.customer_id = c.id AND a.incident_id = $2
         WHERE c.email_index = $1 ORDER BY c.external_id LIMIT 10`,
    [emailIndex, incidentId],
  );
}

export async function deliveryExists(tx: Sql, idempotencyKey: string): Promise<boolean> {
  const already = await tx.query('SELECT 1 FROM deliveries WHERE idempotency_key = $1', [idempotencyKey]);
  return already.length > 0;
}

export async function insertLink(
  tx: Sql,
  link: {
    organizationId: string;
    incidentId: string;
    customerId: string;
    tokenHash: Buffer;
    minutes: number;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO lookup_links (organization_id, incident_id, customer_id, token_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
    [link.organizationId, link.incidentId, link.customerId, link.tokenHash, link.minutes],
  );
}

export async function organizationNameById(tx: Sql, organizationId: string): Promise<string> {
  return (
    await tx.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [organizationId])
  )[0]!.name;
}
