import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { isLocale, LOCALES } from '../../platform/i18n.js';
import type { AuditActor } from '../audit/index.js';
import { findIncident, recordChange } from '../incidents/index.js';
import { madeTokenWithScope } from '../tokens/index.js';
import {
  addVersion,
  approveVersion,
  completeIn,
  findPage,
  latestVersion,
  listVersions,
  organizationDefaultLocale,
  publishPage,
  unpublishPage,
  versionNumber,
  type GuidanceContent,
  type GuidanceVersion,
  type LookupPage,
} from './guidance-repo.js';

export interface GuidanceDeps {
  auditKey: Buffer;
  /** Where the public "Was I affected?" pages are served. */
  publicUrl: URL;
}

/** Who acts: the organization, the audit actor, and the user (null for an API token). */
export interface GuidanceCaller {
  organizationId: string;
  actor: AuditActor;
  userId: string | null;
}

const versionView = (v: GuidanceVersion) => ({
  id: v.id,
  version: v.version,
  content: v.content,
  authorId: v.authorId,
  createdAt: v.createdAt.toISOString(),
  approvedBy: v.approvedBy,
  approvedAt: v.approvedAt?.toISOString() ?? null,
  complete: LOCALES.filter((l) => completeIn(v.content, l)),
});

async function pageView(deps: GuidanceDeps, tx: Sql, page: LookupPage) {
  const version = page.versionId ? ((await versionNumber(tx, page.versionId)) ?? null) : null;
  return {
    publicId: page.publicId,
    url: new URL(`/affected/${page.publicId}`, deps.publicUrl).toString(),
    published: page.published,
    version,
    supportUrl: page.supportUrl,
    publishedAt: page.publishedAt?.toISOString() ?? null,
  };
}

/** The incident's versions (newest first) and its page. */
async function view(deps: GuidanceDeps, tx: Sql, incidentId: string) {
  const versions = await listVersions(tx, incidentId);
  const page = await findPage(tx, incidentId);
  return { versions: versions.map(versionView), page: page ? await pageView(deps, tx, page) : null };
}

async function visibleIncident(tx: Sql, id: string) {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

/** A user's id; an API token may read and draft guidance, not approve or publish it. */
function userOf(caller: GuidanceCaller): string {
  if (caller.userId === null) throw new AppError('forbidden');
  return caller.userId;
}

export async function showGuidance(deps: GuidanceDeps, tx: Sql, incidentId: string) {
  await visibleIncident(tx, incidentId);
  return view(deps, tx, incidentId);
}

/** A new version of the guidance, by whoever may draft. */
export async function editGuidance(
  deps: GuidanceDeps,
  tx: Sql,
  caller: GuidanceCaller,
  incidentId: string,
  content: GuidanceContent,
) {
  await visibleIncident(tx, incidentId);
  const version = await addVersion(tx, caller.organizationId, incidentId, content, caller.userId);
  await recordChange(tx, deps.auditKey, caller, incidentId, 'guidance_edited', { version: version.version });
  return view(deps, tx, incidentId);
}

/**
 * Approves a version: the newest one, by a user who did not write it, complete at least in the
 * organization's default language.
 */
export async function approveGuidance(
  deps: GuidanceDeps,
  tx: Sql,
  caller: GuidanceCaller,
  incidentId: string,
  versionNo: number,
) {
  const incident = await visibleIncident(tx, incidentId);
  const userId = userOf(caller);
  const latest = await latestVersion(tx, incidentId);
  const wanted = (await listVersions(tx, incidentId, 1000)).find((v) => v.version === versionNo);
  if (!wanted || !latest) throw new AppError('not_found');
  if (wanted.authorId === userId) throw new AppError('author_cannot_approve');
  // Written through a token: its maker stands as the author (as for notices).
  if (wanted.authorId === null && userId && (await madeTokenWithScope(tx, userId, 'guidance.draft'))) {
    throw new AppError('author_cannot_approve');
  }
  // Only the newest version can be approved: an older one was replaced by an edit.
  if (wanted.version !== latest.version) {
    throw new AppError('guidance_outdated', { latest: latest.version });
  }
  if (wanted.approvedBy) throw new AppError('conflict', { reason: 'already_approved' });
  const organizationLocale = await organizationDefaultLocale(tx);
  const fallback = isLocale(organizationLocale) ? organizationLocale : 'en';
  if (!completeIn(wanted.content, fallback)) {
    throw new AppError('validation_failed', {
      where: `body/content/${fallback}`,
      problem: 'incomplete',
    });
  }
  await approveVersion(tx, wanted.id, userId);
  await recordChange(tx, deps.auditKey, caller, incident.id, 'guidance_approved', {
    version: wanted.version,
  });
  return view(deps, tx, incidentId);
}

/** Publishes the page with the newest version, which must be approved. */
export async function publishLookupPage(
  deps: GuidanceDeps,
  tx: Sql,
  caller: GuidanceCaller,
  incidentId: string,
  supportUrl: string | null,
) {
  await visibleIncident(tx, incidentId);
  const userId = userOf(caller);
  const latest = await latestVersion(tx, incidentId);
  if (!latest?.approvedBy) throw new AppError('guidance_not_approved');
  const page = await publishPage(tx, caller.organizationId, incidentId, latest.id, supportUrl, userId);
  await recordChange(tx, deps.auditKey, caller, incidentId, 'lookup_page_published', {
    version: latest.version,
    publicId: page.publicId,
  });
  return view(deps, tx, incidentId);
}

export async function unpublishLookupPage(
  deps: GuidanceDeps,
  tx: Sql,
  caller: GuidanceCaller,
  incidentId: string,
) {
  await visibleIncident(tx, incidentId);
  const page = await unpublishPage(tx, incidentId);
  if (!page) throw new AppError('not_found');
  await recordChange(tx, deps.auditKey, caller, incidentId, 'lookup_page_unpublished', {
    publicId: page.publicId,
  });
  return view(deps, tx, incidentId);
}
