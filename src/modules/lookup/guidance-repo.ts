import { newToken } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import { LOCALES, type Locale } from '../../platform/i18n.js';

/** The three parts of public guidance, in one language. */
export interface GuidanceParts {
  /** What happened. */
  happened: string;
  /** What the business has done. */
  done: string;
  /** What people should do. */
  advice: string;
}

export type GuidanceContent = Record<Locale, GuidanceParts>;

export interface GuidanceVersion {
  id: string;
  incidentId: string;
  version: number;
  content: GuidanceContent;
  authorId: string | null;
  createdAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
}

export interface LookupPage {
  incidentId: string;
  publicId: string;
  published: boolean;
  versionId: string | null;
  supportUrl: string | null;
  publishedBy: string | null;
  publishedAt: Date | null;
}

interface VersionRow {
  id: string;
  incident_id: string;
  version: number;
  content: GuidanceContent;
  author_id: string | null;
  created_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
}

interface PageRow {
  incident_id: string;
  public_id: string;
  published: boolean;
  version_id: string | null;
  support_url: string | null;
  published_by: string | null;
  published_at: Date | null;
}

const toVersion = (r: VersionRow): GuidanceVersion => ({
  id: r.id,
  incidentId: r.incident_id,
  version: r.version,
  content: r.content,
  authorId: r.author_id,
  createdAt: r.created_at,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
});

const toPage = (r: PageRow): LookupPage => ({
  incidentId: r.incident_id,
  publicId: r.public_id,
  published: r.published,
  versionId: r.version_id,
  supportUrl: r.support_url,
  publishedBy: r.published_by,
  publishedAt: r.published_at,
});

/** A language is complete when all three parts are written. */
export const completeIn = (content: GuidanceContent, locale: Locale): boolean => {
  const parts = content[locale];
  return Boolean(parts && parts.happened.trim() && parts.done.trim() && parts.advice.trim());
};

/**
 * The language to show: the one asked for when its guidance is complete, else the
 * organization's default, else any complete one.
 */
export function guidanceLocale(content: GuidanceContent, wanted: Locale, fallback: Locale): Locale {
  if (completeIn(content, wanted)) return wanted;
  if (completeIn(content, fallback)) return fallback;
  return LOCALES.find((l) => completeIn(content, l)) ?? fallback;
}

export async function listVersions(tx: Sql, incidentId: string, limit = 20): Promise<GuidanceVersion[]> {
  const rows = await tx.query<VersionRow>(
    'SELECT * FROM incident_guidance_versions WHERE incident_id = $1 ORDER BY version DESC LIMIT $2',
    [incidentId, limit],
  );
  return rows.map(toVersion);
}

export async function findVersion(tx: Sql, id: string): Promise<GuidanceVersion | undefined> {
  const rows = await tx.query<VersionRow>('SELECT * FROM incident_guidance_versions WHERE id = $1', [id]);
  return rows[0] && toVersion(rows[0]);
}

export async function latestVersion(tx: Sql, incidentId: string): Promise<GuidanceVersion | undefined> {
  return (await listVersions(tx, incidentId, 1))[0];
}

/** A new version; the incident's row is locked so concurrent edits take turns for a number. */
export async function addVersion(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  content: GuidanceContent,
  authorId: string | null,
): Promise<GuidanceVersion> {
  await tx.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [incidentId]);
  const rows = await tx.query<VersionRow>(
    `INSERT INTO incident_guidance_versions (organization_id, incident_id, version, content, author_id)
     VALUES ($1, $2, (SELECT coalesce(max(version), 0) + 1 FROM incident_guidance_versions WHERE incident_id = $2),
             $3, $4)
     RETURNING *`,
    [organizationId, incidentId, JSON.stringify(content), authorId],
  );
  return toVersion(rows[0]!);
}

export async function approveVersion(tx: Sql, id: string, userId: string): Promise<GuidanceVersion> {
  const rows = await tx.query<VersionRow>(
    `UPDATE incident_guidance_versions SET approved_by = $2, approved_at = now()
     WHERE id = $1 AND approved_by IS NULL RETURNING *`,
    [id, userId],
  );
  return toVersion(rows[0]!);
}

export async function findPage(tx: Sql, incidentId: string): Promise<LookupPage | undefined> {
  const rows = await tx.query<PageRow>('SELECT * FROM incident_lookup_pages WHERE incident_id = $1', [
    incidentId,
  ]);
  return rows[0] && toPage(rows[0]);
}

/** Publishes the page with this version; its public id is made once and kept. */
export async function publishPage(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  versionId: string,
  supportUrl: string | null,
  userId: string,
): Promise<LookupPage> {
  const rows = await tx.query<PageRow>(
    `INSERT INTO incident_lookup_pages
       (organization_id, incident_id, public_id, published, version_id, support_url, published_by, published_at)
     VALUES ($1, $2, $3, true, $4, $5, $6, now())
     ON CONFLICT (incident_id) DO UPDATE SET published = true, version_id = EXCLUDED.version_id,
       support_url = EXCLUDED.support_url, published_by = EXCLUDED.published_by, published_at = now()
     RETURNING *`,
    [organizationId, incidentId, newToken(18), versionId, supportUrl, userId],
  );
  return toPage(rows[0]!);
}

export async function unpublishPage(tx: Sql, incidentId: string): Promise<LookupPage | undefined> {
  const rows = await tx.query<PageRow>(
    'UPDATE incident_lookup_pages SET published = false WHERE incident_id = $1 RETURNING *',
    [incidentId],
  );
  return rows[0] && toPage(rows[0]);
}

/** The number of a version, by its id. */
export async function versionNumber(tx: Sql, id: string): Promise<number | undefined> {
  return (
    await tx.query<{ version: number }>('SELECT version FROM incident_guidance_versions WHERE id = $1', [id])
  )[0]?.version;
}

/** The caller's organization's default language (under its RLS, the one row there is). */
export async function organizationDefaultLocale(tx: Sql): Promise<string | undefined> {
  return (await tx.query<{ default_locale: string }>('SELECT default_locale FROM organizations'))[0]
    ?.default_locale;
}
