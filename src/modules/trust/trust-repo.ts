import { newToken } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { IncidentPageText, PerLanguage, UpdateStatus, UpdateText } from './trust-model.js';

export type UpdateState = 'draft' | 'approved' | 'published';

export interface SiteRow {
  organization_id: string;
  slug: string;
  published: boolean;
  require_approval: boolean;
  support_url: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface PageRow {
  id: string;
  organization_id: string;
  incident_id: string;
  public_id: string;
  texts: PerLanguage<IncidentPageText>;
  first_published_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface UpdateRow {
  id: string;
  organization_id: string;
  incident_id: string;
  page_id: string;
  status: UpdateStatus;
  texts: PerLanguage<UpdateText>;
  next_update_by: Date | null;
  state: UpdateState;
  author_id: string | null;
  author_token_id: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SiteSettings {
  slug: string;
  published: boolean;
  requireApproval: boolean;
  supportUrl: string | null;
}

/** Who wrote an update: a user, or an API token (then author_id is null). */
export interface Writer {
  userId: string | null;
  tokenId: string | null;
}

export interface UpdateFields {
  status: UpdateStatus;
  texts: PerLanguage<UpdateText>;
  nextUpdateBy: Date | null;
}

// The site.

export async function findSite(tx: Sql): Promise<SiteRow | undefined> {
  return (await tx.query<SiteRow>('SELECT * FROM trust_sites'))[0];
}

/** Creates or replaces the organization's site settings; a slug held by another site is a unique violation. */
export async function saveSite(tx: Sql, organizationId: string, settings: SiteSettings): Promise<SiteRow> {
  const rows = await tx.query<SiteRow>(
    `INSERT INTO trust_sites (organization_id, slug, published, require_approval, support_url)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (organization_id) DO UPDATE SET slug = EXCLUDED.slug, published = EXCLUDED.published,
       require_approval = EXCLUDED.require_approval, support_url = EXCLUDED.support_url, updated_at = now()
     RETURNING *`,
    [organizationId, settings.slug, settings.published, settings.requireApproval, settings.supportUrl],
  );
  return rows[0]!;
}

// Pages and updates, inside the organization.

export async function findPage(tx: Sql, incidentId: string): Promise<PageRow | undefined> {
  return (
    await tx.query<PageRow>('SELECT * FROM trust_incident_pages WHERE incident_id = $1', [incidentId])
  )[0];
}

/** Creates the page (its public id is made once and kept) or replaces its texts. */
export async function savePage(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  texts: PerLanguage<IncidentPageText>,
  userId: string | null,
): Promise<{ page: PageRow; created: boolean }> {
  const rows = await tx.query<PageRow & { created: boolean }>(
    `INSERT INTO trust_incident_pages (organization_id, incident_id, public_id, texts, created_by)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (incident_id) DO UPDATE SET texts = EXCLUDED.texts, updated_at = now()
     RETURNING *, (xmax = 0) AS created`,
    [organizationId, incidentId, newToken(18), JSON.stringify(texts), userId],
  );
  const { created, ...page } = rows[0]!;
  return { page, created };
}

/** Sets the page's first publication, once. */
export async function markPagePublished(tx: Sql, pageId: string): Promise<void> {
  await tx.query(
    'UPDATE trust_incident_pages SET first_published_at = coalesce(first_published_at, now()) WHERE id = $1',
    [pageId],
  );
}

/** The page's updates, newest first. */
export async function listUpdates(tx: Sql, pageId: string): Promise<UpdateRow[]> {
  return tx.query<UpdateRow>(
    'SELECT * FROM trust_updates WHERE page_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500',
    [pageId],
  );
}

/** An update, locked for the change the caller is about to make. */
export async function lockUpdate(tx: Sql, id: string): Promise<UpdateRow | undefined> {
  return (await tx.query<UpdateRow>('SELECT * FROM trust_updates WHERE id = $1 FOR UPDATE', [id]))[0];
}

export async function insertUpdate(
  tx: Sql,
  page: Pick<PageRow, 'id' | 'organization_id' | 'incident_id'>,
  fields: UpdateFields,
  writer: Writer,
): Promise<UpdateRow> {
  const rows = await tx.query<UpdateRow>(
    `INSERT INTO trust_updates
       (organization_id, incident_id, page_id, status, texts, next_update_by, author_id, author_token_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      page.organization_id,
      page.incident_id,
      page.id,
      fields.status,
      JSON.stringify(fields.texts),
      fields.nextUpdateBy,
      writer.userId,
      writer.tokenId,
    ],
  );
  return rows[0]!;
}

/** Replaces an unpublished update's words: it is a draft again, its editor its author. */
export async function editUpdate(
  tx: Sql,
  id: string,
  fields: UpdateFields,
  writer: Writer,
): Promise<UpdateRow | undefined> {
  return (
    await tx.query<UpdateRow>(
      `UPDATE trust_updates SET status = $2, texts = $3, next_update_by = $4, author_id = $5,
         author_token_id = $6, state = 'draft', approved_by = NULL, approved_at = NULL, updated_at = now()
       WHERE id = $1 AND state <> 'published' RETURNING *`,
      [id, fields.status, JSON.stringify(fields.texts), fields.nextUpdateBy, writer.userId, writer.tokenId],
    )
  )[0];
}

export async function approveUpdate(tx: Sql, id: string, userId: string): Promise<UpdateRow | undefined> {
  return (
    await tx.query<UpdateRow>(
      `UPDATE trust_updates SET state = 'approved', approved_by = $2, approved_at = now(), updated_at = now()
       WHERE id = $1 AND state = 'draft' RETURNING *`,
      [id, userId],
    )
  )[0];
}

export async function publishUpdate(tx: Sql, id: string): Promise<UpdateRow | undefined> {
  return (
    await tx.query<UpdateRow>(
      `UPDATE trust_updates SET state = 'published', published_at = now(), updated_at = now()
       WHERE id = $1 AND state <> 'published' RETURNING *`,
      [id],
    )
  )[0];
}

/** Who made an API token (null once unknown). */
export async function tokenMaker(tx: Sql, tokenId: string): Promise<string | null> {
  return (
    (
      await tx.query<{ created_by: string | null }>('SELECT created_by FROM api_tokens WHERE id = $1', [
        tokenId,
      ])
    )[0]?.created_by ?? null
  );
}

// The public site (the site's organization through the named function, as the app role; then
// inside it as system work).

export async function findPublishedSiteOrganization(tx: Sql, slug: string): Promise<string | undefined> {
  return (
    await tx.query<{ organization_id: string }>('SELECT organization_id FROM candor_find_trust_site($1)', [
      slug,
    ])
  )[0]?.organization_id;
}

/** The published site with what it shows of its organization. */
export interface PublicSiteRow {
  slug: string;
  support_url: string | null;
  organization: string;
  brand_color: string | null;
  logo_public_id: string | null;
  time_zone: string;
  default_locale: string;
  support_email: string | null;
}

export async function findPublicSite(tx: Sql): Promise<PublicSiteRow | undefined> {
  return (
    await tx.query<PublicSiteRow>(
      `SELECT s.slug, s.support_url, o.name AS organization, o.brand_color, o.logo_public_id, o.time_zone,
              o.default_locale, o.support_email
         FROM trust_sites s JOIN organizations o ON o.id = s.organization_id
         WHERE s.published`,
    )
  )[0];
}

/** A page with at least one published update, of a real (not exercise) incident. */
export interface PublicPageRow {
  id: string;
  incident_id: string;
  public_id: string;
  texts: PerLanguage<IncidentPageText>;
  first_published_at: Date;
  latest_status: UpdateStatus;
}

const PUBLIC_PAGES = `
  SELECT p.id, p.incident_id, p.public_id, p.texts, p.first_published_at, l.status AS latest_status,
         l.published_at AS latest_at
    FROM trust_incident_pages p
    JOIN incidents i ON i.id = p.incident_id AND NOT i.is_exercise
    JOIN LATERAL (
      SELECT u.status, u.published_at FROM trust_updates u
       WHERE u.page_id = p.id AND u.state = 'published'
       ORDER BY u.published_at DESC, u.id DESC LIMIT 1
    ) l ON true
   WHERE p.first_published_at IS NOT NULL`;

/** The home's pages: open ones (latest status not resolved), then those resolved in the last 90 days. */
export async function listPublicPages(tx: Sql): Promise<PublicPageRow[]> {
  return tx.query<PublicPageRow>(
    `${PUBLIC_PAGES} AND (l.status <> 'resolved' OR l.published_at >= now() - interval '90 days')
     ORDER BY (l.status = 'resolved'), l.published_at DESC, p.id`,
  );
}

export async function findPublicPage(tx: Sql, publicId: string): Promise<PublicPageRow | undefined> {
  return (await tx.query<PublicPageRow>(`${PUBLIC_PAGES} AND p.public_id = $1`, [publicId]))[0];
}

/** The published updates of these pages, newest first. */
export async function listPublishedUpdates(tx: Sql, pageIds: string[]): Promise<UpdateRow[]> {
  if (pageIds.length === 0) return [];
  return tx.query<UpdateRow>(
    `SELECT * FROM trust_updates WHERE page_id = ANY ($1::uuid[]) AND state = 'published'
     ORDER BY published_at DESC, id DESC`,
    [pageIds],
  );
}
