import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isLocale, type Locale } from '../../platform/i18n.js';
import { brandOf } from '../accounts/index.js';
import { findIncident } from '../incidents/index.js';
import { findPage as findLookupPage } from '../lookup/index.js';
import { renderIncidentPage, type PageContext } from './site-render.js';
import type { PublicIncidentView, PublishedUpdateView, SiteView } from './trust-model.js';
import { findPreviewSite, findUpdate } from './trust-preview-repo.js';
import { findPage, listPublishedUpdates, type UpdateRow } from './trust-repo.js';

const publishedView = (u: UpdateRow, at: Date): PublishedUpdateView => ({
  id: u.id,
  status: u.status,
  texts: u.texts,
  publishedAt: at.toISOString(),
  nextUpdateBy: u.status === 'resolved' ? null : (u.next_update_by?.toISOString() ?? null),
});

/**
 * An incident's public page as it would read with this update published now: the page's words as
 * saved, the updates already published, and this one first. Nothing is changed or published.
 */
export async function previewIncidentPage(
  tx: Sql,
  updateId: string,
  locale: Locale,
  context: (site: { slug: string; published: boolean }) => PageContext,
): Promise<string> {
  const update = await findUpdate(tx, updateId);
  // Restricted incidents: members only (row-level security), as the rest of the trust center.
  if (!update || !(await findIncident(tx, update.incident_id))) throw new AppError('not_found');
  const [page, row] = await Promise.all([findPage(tx, update.incident_id), findPreviewSite(tx)]);
  if (!page || !row) throw new AppError('not_found');
  const now = new Date();
  const published = (await listPublishedUpdates(tx, [page.id])).filter((u) => u.id !== update.id);
  const lookup = await findLookupPage(tx, update.incident_id);
  const site: SiteView = {
    slug: row.slug,
    brand: brandOf(row),
    timeZone: row.time_zone,
    defaultLocale: isLocale(row.default_locale) ? row.default_locale : 'en',
    supportEmail: row.support_email?.trim() ? row.support_email : null,
    supportUrl: row.support_url,
  };
  const incident: PublicIncidentView = {
    publicId: page.public_id,
    texts: page.texts,
    status: update.status,
    publishedAt: (page.first_published_at ?? now).toISOString(),
    updates: [
      publishedView(update, update.published_at ?? now),
      ...published.map((u) => publishedView(u, u.published_at!)),
    ],
    lookupPath: lookup?.published ? `/affected/${lookup.publicId}` : null,
  };
  return renderIncidentPage(site, incident, {
    ...context({ slug: row.slug, published: row.site_published }),
    locale,
  });
}
