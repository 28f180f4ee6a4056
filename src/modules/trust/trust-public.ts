import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { isLocale } from '../../platform/i18n.js';
import { brandOf } from '../accounts/index.js';
import { findPage as findLookupPage } from '../lookup/index.js';
import type { PublicIncidentView, PublishedUpdateView, SiteHomeView, SiteView } from './trust-model.js';
import {
  findPublicPage,
  findPublicSite,
  findPublishedSiteOrganization,
  listPublicPages,
  listPublishedUpdates,
  type PublicPageRow,
  type PublicSiteRow,
  type UpdateRow,
} from './trust-repo.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;
const PUBLIC_ID = /^[A-Za-z0-9_-]{22,64}$/;

function siteView(row: PublicSiteRow): SiteView {
  return {
    slug: row.slug,
    brand: brandOf(row),
    timeZone: row.time_zone,
    defaultLocale: isLocale(row.default_locale) ? row.default_locale : 'en',
    supportEmail: row.support_email?.trim() ? row.support_email : null,
    supportUrl: row.support_url,
  };
}

const updateView = (u: UpdateRow): PublishedUpdateView => ({
  id: u.id,
  status: u.status,
  texts: u.texts,
  publishedAt: u.published_at!.toISOString(),
  nextUpdateBy: u.status === 'resolved' ? null : (u.next_update_by?.toISOString() ?? null),
});

/** "Was I affected?" of the incident, when its page is published there. */
async function lookupPath(tx: Sql, incidentId: string): Promise<string | null> {
  const page = await findLookupPage(tx, incidentId);
  return page?.published ? `/affected/${page.publicId}` : null;
}

async function incidentViews(tx: Sql, pages: PublicPageRow[]): Promise<PublicIncidentView[]> {
  const updates = await listPublishedUpdates(
    tx,
    pages.map((p) => p.id),
  );
  const views: PublicIncidentView[] = [];
  for (const page of pages) {
    views.push({
      publicId: page.public_id,
      texts: page.texts,
      status: page.latest_status,
      publishedAt: page.first_published_at.toISOString(),
      updates: updates.filter((u) => u.page_id === page.id).map(updateView),
      lookupPath: await lookupPath(tx, page.incident_id),
    });
  }
  return views;
}

/**
 * Reads inside the organization of a published site, found by its slug through the one named
 * cross-organization look-up; undefined for an unknown or unpublished site. Public pages show
 * every incident of the organization that has a published update (restricted ones included: a
 * published update is meant to be read), never an exercise.
 */
async function inPublishedSite<T>(
  db: Database,
  slug: string,
  fn: (tx: Sql, site: SiteView) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!SLUG.test(slug)) return undefined;
  const organizationId = await asApp(db, (tx) => findPublishedSiteOrganization(tx, slug));
  if (!organizationId) return undefined;
  return withOrg(
    db,
    organizationId,
    async (tx) => {
      const row = await findPublicSite(tx);
      return row ? fn(tx, siteView(row)) : undefined;
    },
    { system: true },
  );
}

/** The site's home: open incidents first, then those resolved in the last 90 days. */
export function loadSiteHome(db: Database, slug: string): Promise<SiteHomeView | undefined> {
  return inPublishedSite(db, slug, async (tx, site) => ({
    site,
    incidents: await incidentViews(tx, await listPublicPages(tx)),
  }));
}

/** One incident's public page with its published updates, newest first. */
export function loadPublicIncident(
  db: Database,
  slug: string,
  publicId: string,
): Promise<{ site: SiteView; incident: PublicIncidentView } | undefined> {
  if (!PUBLIC_ID.test(publicId)) return Promise.resolve(undefined);
  return inPublishedSite(db, slug, async (tx, site) => {
    const page = await findPublicPage(tx, publicId);
    if (!page) return undefined;
    const [incident] = await incidentViews(tx, [page]);
    return { site, incident: incident! };
  });
}
