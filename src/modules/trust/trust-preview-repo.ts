import type { Sql } from '../../platform/db.js';
import type { PublicSiteRow, UpdateRow } from './trust-repo.js';

/** The site as its pages would show it, published or not yet (a preview comes before publishing). */
export async function findPreviewSite(
  tx: Sql,
): Promise<(PublicSiteRow & { site_published: boolean }) | undefined> {
  return (
    await tx.query<PublicSiteRow & { site_published: boolean }>(
      `SELECT coalesce(s.slug, 'preview') AS slug, s.support_url, coalesce(s.published, false) AS site_published,
              o.name AS organization, o.brand_color, o.logo_public_id, o.time_zone, o.default_locale,
              o.support_email
         FROM organizations o LEFT JOIN trust_sites s ON s.organization_id = o.id`,
    )
  )[0];
}

/** An update the caller may see, in any state. */
export async function findUpdate(tx: Sql, id: string): Promise<UpdateRow | undefined> {
  return (await tx.query<UpdateRow>('SELECT * FROM trust_updates WHERE id = $1', [id]))[0];
}
