import { hashToken } from '../../platform/crypto.js';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isLocale, LOCALES, type Locale } from '../../platform/i18n.js';
import { sendJob } from '../../platform/jobs.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { brandOf } from '../accounts/index.js';
import { appendAudit, systemActor } from '../audit/index.js';
import { emailIndex } from '../customers/index.js';
import { completeIn, guidanceLocale } from './guidance-repo.js';
import { lookupJob } from './lookup-job.js';
import {
  affectedCategories,
  findLookupLinkByTokenHash,
  findLookupPageByPublicId,
  findPublishedPage,
  useLink,
  type PublishedPageRow,
} from './lookup-repo.js';
import { addressKey, countLookup, ipKey, LOOKUP_LIMITS } from './lookup-throttle.js';

export interface PublicLookupDeps {
  db: Database;
  keyring: OrganizationKeyring;
  secrets: { sessionKey: Buffer; auditKey: Buffer };
}

/** The published page's organization and incident: the named cross-organization look-up. */
async function locatePage(db: Database, publicId: string) {
  const found = await asApp(db, (tx) => findLookupPageByPublicId(tx, publicId));
  if (!found) throw new AppError('not_found');
  return { organizationId: found.organization_id, incidentId: found.id };
}

async function loadPage(tx: Sql, incidentId: string): Promise<PublishedPageRow> {
  const row = await findPublishedPage(tx, incidentId);
  if (!row) throw new AppError('not_found');
  return row;
}

/** The page as shown: its guidance in the language wanted when complete there, else a fallback. */
function pageView(row: PublishedPageRow, wanted: Locale | undefined) {
  const fallback: Locale = isLocale(row.default_locale) ? row.default_locale : 'en';
  const locale = guidanceLocale(row.content, wanted ?? fallback, fallback);
  return {
    organization: row.organization,
    brand: brandOf(row),
    locale,
    locales: LOCALES.filter((l) => completeIn(row.content, l)),
    guidance: row.content[locale],
    supportUrl: row.support_url,
  };
}

/** A published page; an unpublished or unknown one is the same not_found. */
export async function publicPage(db: Database, publicId: string, wanted: Locale | undefined) {
  const { organizationId, incidentId } = await locatePage(db, publicId);
  const row = await withOrg(db, organizationId, (tx) => loadPage(tx, incidentId), { system: true });
  return pageView(row, wanted);
}

/**
 * A look-up of an address (already normalized): from the page on, nothing looks at whether the
 * address belongs to anyone. Its blind index is computed, counted against the address's and
 * the IP's limits and queued the same way for every address.
 */
export async function requestLookup(
  deps: PublicLookupDeps,
  publicId: string,
  email: string,
  locale: Locale,
  ip: string,
): Promise<void> {
  const { db, keyring } = deps;
  const { organizationId, incidentId } = await locatePage(db, publicId);
  const index = await withOrg(
    db,
    organizationId,
    async (tx) => {
      const keys = await keyring.get(tx, organizationId);
      return emailIndex(keys, email);
    },
    { system: true },
  );
  // Counted and queued in one transaction: a look-up its limits refuse queues nothing.
  await asApp(db, async (tx) => {
    await countLookup(tx, [
      { key: addressKey(organizationId, index), limit: LOOKUP_LIMITS.address },
      { key: ipKey(deps.secrets.sessionKey, ip), limit: LOOKUP_LIMITS.ip },
    ]);
    await sendJob(tx, lookupJob, { organizationId, incidentId, emailIndex: index, locale });
  });
}

/** The one-time link's result: the page and the customer's affected data categories. */
export async function lookupResult(
  deps: PublicLookupDeps,
  publicId: string,
  token: string,
  wanted: Locale | undefined,
  requestId: string,
) {
  const { db } = deps;
  const { organizationId, incidentId } = await locatePage(db, publicId);
  const tokenHash = hashToken(token);
  const link = await asApp(db, (tx) => findLookupLinkByTokenHash(tx, tokenHash));
  if (!link || link.organization_id !== organizationId) throw new AppError('link_expired');
  return withOrg(
    db,
    organizationId,
    async (tx) => {
      // Used once: the first request takes it; any later one (or one after 15 minutes) is refused.
      const used = await useLink(tx, link.id, incidentId);
      if (!used) throw new AppError('link_expired');
      const row = await loadPage(tx, incidentId);
      const categories = (await affectedCategories(tx, incidentId, used.customer_id)) ?? [];
      await appendAudit(tx, deps.secrets.auditKey, organizationId, systemActor(requestId), {
        action: 'lookup.result_viewed',
        targetType: 'customer',
        targetId: used.customer_id,
        data: { incidentId, categories: categories.length },
      });
      return { ...pageView(row, wanted), categories };
    },
    { system: true },
  );
}
