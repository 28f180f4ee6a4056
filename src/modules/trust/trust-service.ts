import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import { findIncident, recordChange } from '../incidents/index.js';
import { madeTokenWithScope } from '../tokens/index.js';
import type { IncidentPageText, PerLanguage } from './trust-model.js';
import {
  approveUpdate,
  editUpdate,
  findPage,
  findSite,
  insertUpdate,
  listUpdates,
  lockUpdate,
  markPagePublished,
  publishUpdate,
  saveSite,
  savePage,
  tokenMaker,
  type PageRow,
  type SiteRow,
  type UpdateFields,
  type UpdateRow,
  type Writer,
} from './trust-repo.js';
import type { IncidentTrustView, SiteBody, UpdateBody } from './trust-schemas.js';

export interface TrustDeps {
  auditKey: Buffer;
}

/** Who acts: the organization, the audit actor, and the user (null for an API token). */
export interface TrustCaller {
  organizationId: string;
  actor: AuditActor;
  userId: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const siteView = (site: SiteRow | undefined) => ({
  site: site
    ? {
        slug: site.slug,
        published: site.published,
        requireApproval: site.require_approval,
        supportUrl: site.support_url,
        updatedAt: site.updated_at.toISOString(),
      }
    : null,
});

const pageView = (page: PageRow) => ({
  id: page.id,
  publicId: page.public_id,
  texts: page.texts,
  firstPublishedAt: iso(page.first_published_at),
  createdAt: page.created_at.toISOString(),
  updatedAt: page.updated_at.toISOString(),
});

const updateView = (u: UpdateRow) => ({
  id: u.id,
  status: u.status,
  texts: u.texts,
  nextUpdateBy: iso(u.next_update_by),
  state: u.state,
  authorId: u.author_id,
  approvedBy: u.approved_by,
  approvedAt: iso(u.approved_at),
  publishedAt: iso(u.published_at),
  createdAt: u.created_at.toISOString(),
  updatedAt: u.updated_at.toISOString(),
});

/** Without saved settings a site requires approval: the safe default. */
const requiresApproval = (site: SiteRow | undefined) => site?.require_approval ?? true;

async function view(tx: Sql, incidentId: string): Promise<IncidentTrustView> {
  const page = await findPage(tx, incidentId);
  const updates = page ? await listUpdates(tx, page.id) : [];
  return {
    page: page ? pageView(page) : null,
    updates: updates.map(updateView),
    requireApproval: requiresApproval(await findSite(tx)),
  };
}

/** The incident, when the caller may see it (restricted incidents: members only, by RLS). */
async function visibleIncident(tx: Sql, id: string) {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

/** An update the caller may see, locked; a published one cannot change. */
async function changeableUpdate(tx: Sql, id: string): Promise<UpdateRow> {
  const update = await lockUpdate(tx, id);
  if (!update) throw new AppError('not_found');
  if (update.state === 'published') throw new AppError('conflict', { reason: 'trust_update_published' });
  return update;
}

const writerOf = (caller: TrustCaller): Writer => ({
  userId: caller.userId,
  tokenId: caller.actor.type === 'api_token' ? caller.actor.id : null,
});

/** A user's id; an API token may write and publish updates, not approve them. */
function userOf(caller: TrustCaller): string {
  if (caller.userId === null) throw new AppError('forbidden');
  return caller.userId;
}

function invalid(where: string, problem: string): never {
  throw new AppError('validation_failed', { where, problem });
}

/** What the schema cannot say: words that are only spaces, and the promise of the next update. */
function checkUpdate(body: UpdateBody, now: Date): UpdateFields {
  for (const [locale, one] of Object.entries(body.texts)) {
    if (one && !one.message.trim()) invalid(`body/texts/${locale}/message`, 'empty');
  }
  const nextUpdateBy = body.nextUpdateBy === null ? null : new Date(body.nextUpdateBy);
  if (nextUpdateBy !== null) {
    if (body.status === 'resolved') invalid('body/nextUpdateBy', 'must be null once resolved');
    if (Number.isNaN(nextUpdateBy.getTime())) invalid('body/nextUpdateBy', 'not an instant');
    if (nextUpdateBy.getTime() <= now.getTime()) invalid('body/nextUpdateBy', 'must be in the future');
  }
  return { status: body.status, texts: body.texts, nextUpdateBy };
}

function checkPageTexts(texts: PerLanguage<IncidentPageText>): void {
  for (const [locale, one] of Object.entries(texts)) {
    if (!one) continue;
    if (!one.title.trim()) invalid(`body/texts/${locale}/title`, 'empty');
    if (!one.summary.trim()) invalid(`body/texts/${locale}/summary`, 'empty');
  }
}

const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

// The site.

export async function showSite(tx: Sql) {
  return siteView(await findSite(tx));
}

/** Saves the site's settings; a slug another organization holds is a 409 naming the slug. */
export async function updateSite(deps: TrustDeps, tx: Sql, caller: TrustCaller, body: SiteBody) {
  const before = await findSite(tx);
  let site: SiteRow;
  try {
    site = await saveSite(tx, caller.organizationId, {
      slug: body.slug,
      published: body.published,
      requireApproval: body.requireApproval,
      supportUrl: body.supportUrl ?? null,
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError('conflict', { where: 'body/slug', reason: 'slug_taken' });
    throw error;
  }
  await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
    action: 'trust.site_saved',
    targetType: 'organization',
    targetId: caller.organizationId,
    data: {
      slug: site.slug,
      published: site.published,
      requireApproval: site.require_approval,
      supportUrl: site.support_url !== null,
      created: before === undefined,
    },
  });
  return siteView(site);
}

// An incident's page and updates.

export async function showIncidentTrust(tx: Sql, incidentId: string): Promise<IncidentTrustView> {
  await visibleIncident(tx, incidentId);
  return view(tx, incidentId);
}

export async function savePageTexts(
  deps: TrustDeps,
  tx: Sql,
  caller: TrustCaller,
  incidentId: string,
  texts: PerLanguage<IncidentPageText>,
): Promise<IncidentTrustView> {
  await visibleIncident(tx, incidentId);
  checkPageTexts(texts);
  const { page, created } = await savePage(tx, caller.organizationId, incidentId, texts, caller.userId);
  await recordChange(
    tx,
    deps.auditKey,
    caller,
    incidentId,
    created ? 'trust_page_created' : 'trust_page_edited',
    {
      pageId: page.id,
      locales: Object.keys(texts).sort().join(','),
    },
  );
  return view(tx, incidentId);
}

/** A new draft update; the incident's page must be written first. */
export async function draftUpdate(
  deps: TrustDeps,
  tx: Sql,
  caller: TrustCaller,
  incidentId: string,
  body: UpdateBody,
): Promise<IncidentTrustView> {
  await visibleIncident(tx, incidentId);
  const fields = checkUpdate(body, new Date());
  const page = await findPage(tx, incidentId);
  if (!page) throw new AppError('conflict', { reason: 'trust_page_missing' });
  const update = await insertUpdate(tx, page, fields, writerOf(caller));
  await recordChange(tx, deps.auditKey, caller, incidentId, 'trust_update_drafted', {
    updateId: update.id,
    status: update.status,
  });
  return view(tx, incidentId);
}

/** Edits an unpublished update: an approved one goes back to draft, its editor its author. */
export async function reviseUpdate(
  deps: TrustDeps,
  tx: Sql,
  caller: TrustCaller,
  updateId: string,
  body: UpdateBody,
): Promise<IncidentTrustView> {
  const current = await changeableUpdate(tx, updateId);
  const fields = checkUpdate(body, new Date());
  const update = (await editUpdate(tx, current.id, fields, writerOf(caller)))!;
  await recordChange(tx, deps.auditKey, caller, update.incident_id, 'trust_update_edited', {
    updateId: update.id,
    status: update.status,
    approvalVoided: current.state === 'approved',
  });
  return view(tx, update.incident_id);
}

/** Approval by a user who neither wrote the update nor made the API token that wrote it. */
export async function approveTrustUpdate(
  deps: TrustDeps,
  tx: Sql,
  caller: TrustCaller,
  updateId: string,
): Promise<IncidentTrustView> {
  const userId = userOf(caller);
  const current = await changeableUpdate(tx, updateId);
  if (current.state === 'approved') throw new AppError('conflict', { reason: 'already_approved' });
  if (current.author_id === userId) throw new AppError('author_cannot_approve');
  if (current.author_token_id !== null) {
    if ((await tokenMaker(tx, current.author_token_id)) === userId)
      throw new AppError('author_cannot_approve');
  } else if (current.author_id === null && (await madeTokenWithScope(tx, userId, 'trust.write'))) {
    // The writer is unknown (the token or user is gone): whoever made such a token may have written it.
    throw new AppError('author_cannot_approve');
  }
  const update = (await approveUpdate(tx, current.id, userId))!;
  await recordChange(tx, deps.auditKey, caller, update.incident_id, 'trust_update_approved', {
    updateId: update.id,
    status: update.status,
  });
  return view(tx, update.incident_id);
}

/**
 * Publishes an update: approved, when the site requires approval; a draft is enough otherwise.
 * The page's first publication is set by the first one.
 */
export async function publishTrustUpdate(
  deps: TrustDeps,
  tx: Sql,
  caller: TrustCaller,
  updateId: string,
): Promise<IncidentTrustView> {
  const current = await changeableUpdate(tx, updateId);
  if (requiresApproval(await findSite(tx)) && current.state !== 'approved') {
    throw new AppError('conflict', { reason: 'trust_update_not_approved' });
  }
  const update = (await publishUpdate(tx, current.id))!;
  const page = (await findPage(tx, update.incident_id))!;
  await markPagePublished(tx, page.id);
  await recordChange(tx, deps.auditKey, caller, update.incident_id, 'trust_update_published', {
    updateId: update.id,
    status: update.status,
    publicId: page.public_id,
    approved: update.approved_by !== null,
    firstPublication: page.first_published_at === null,
  });
  return view(tx, update.incident_id);
}
