import type { Sql } from '../../platform/db.js';
import { crashAt, type CrashPoint } from '../../platform/crash-points.js';
import { AppError } from '../../platform/errors.js';
import { recordChange, findIncident, type IncidentRow } from '../incidents/index.js';
import { findPage, latestVersion as latestGuidance } from '../lookup/index.js';
import { madeTokenWithScope } from '../tokens/index.js';
import type { NoticeCaller } from './notice-caller.js';
import { assertChannelsReady, type ChannelReadinessDeps } from './channel-readiness.js';
import type { Channel } from './notice-contracts.js';
import { findTextProblem, type NoticeContent } from './notice-model.js';
import {
  acceptFlag,
  addVersion,
  approveVersion,
  createNotice,
  findContactPoints,
  findNotice,
  findVersion,
  latestVersion,
  listNotices,
  organizationLocale,
  type Notice,
  type NoticeLinks,
  type NoticeVersion,
} from './notice-repo.js';
import type { CreateBody, NoticeView } from './notice-schemas.js';
import { queueSend } from './notice-sends.js';
import { loadNoticeContext, missingFromRendering } from './notice-render.js';
import { templateFor } from './notice-templates.js';
import { flagsOf, iso, view } from './notice-views.js';
import { insertSend, listSends, type NoticeSend, type SendAudience } from './send-repo.js';

// Customer notices of an incident: versions written in en, cs and ar (each edit a new version),
// the candour check with flags accepted for a reason, approval of one version by a legal user who
// did not write it, and send requests for the delivery engine. Every change is on the incident's
// timeline and in the audit log, in the transaction that makes it.

export interface NoticeDeps extends ChannelReadinessDeps {
  auditKey: Buffer;
  /** Where the public pages are: {verifyUrl} and {lookupUrl} point there. */
  publicUrl: URL;
  /** The crash tests' kill point (config.testHooks.crashAt). */
  crashAt: CrashPoint | undefined;
}

async function visibleIncident(tx: Sql, id: string): Promise<IncidentRow> {
  const incident = await findIncident(tx, id);
  if (!incident) throw new AppError('not_found');
  return incident;
}

export async function visibleNotice(tx: Sql, id: string): Promise<{ notice: Notice; incident: IncidentRow }> {
  const notice = await findNotice(tx, id);
  if (!notice) throw new AppError('not_found');
  return { notice, incident: await visibleIncident(tx, notice.incidentId) };
}

export async function versionOf(tx: Sql, noticeId: string, raw: string): Promise<NoticeVersion> {
  const version = await findVersion(tx, noticeId, Number(raw));
  if (!version) throw new AppError('not_found');
  return version;
}

/** The addresses behind {verifyUrl}, {lookupUrl} and {supportUrl}, as of now. */
async function linksFor(tx: Sql, publicUrl: URL, incidentId: string): Promise<NoticeLinks> {
  const page = await findPage(tx, incidentId);
  return {
    verifyUrl: new URL('/verify', publicUrl).toString(),
    ...(page?.published ? { lookupUrl: new URL(`/affected/${page.publicId}`, publicUrl).toString() } : {}),
    ...(page?.supportUrl ? { supportUrl: page.supportUrl } : {}),
  };
}

function validContent(content: NoticeContent): NoticeContent {
  const problem = findTextProblem(content);
  if (problem) {
    throw new AppError('validation_failed', {
      where: `body/content/${problem.locale}/${problem.field}`,
      locale: problem.locale,
      part: problem.field,
      problem: problem.problem,
      detail: problem.detail,
    });
  }
  return content;
}

/** An incident's notices, each by its newest version, titled in the organization's language. */
export async function listIncidentNotices(tx: Sql, incidentId: string) {
  await visibleIncident(tx, incidentId);
  const notices = await listNotices(tx, incidentId);
  const fallback = await organizationLocale(tx);
  return Promise.all(
    notices.map(async (n) => {
      const latest = (await latestVersion(tx, n.id))!;
      const subjectLocale = latest.content[fallback].subject ? fallback : 'en';
      return {
        id: n.id,
        kind: n.kind,
        createdAt: iso(n.createdAt),
        version: latest.version,
        subject: latest.content[subjectLocale].subject,
        subjectLocale,
        approved: latest.approvedBy !== null,
        sends: (await listSends(tx, n.id)).length,
      };
    }),
  );
}

/** A new notice and its first version: the given text, or the built-in one for the incident's type. */
export async function draftNotice(
  tx: Sql,
  deps: Pick<NoticeDeps, 'auditKey' | 'publicUrl'>,
  caller: NoticeCaller,
  incidentId: string,
  body: CreateBody,
): Promise<NoticeView> {
  const incident = await visibleIncident(tx, incidentId);
  const links = await linksFor(tx, deps.publicUrl, incident.id);
  let content = body.content as NoticeContent | undefined;
  if (!content) {
    // The built-in text for the incident's type, with its approved public guidance.
    const guidance = await latestGuidance(tx, incident.id);
    content = templateFor({
      type: incident.type,
      guidance: guidance?.approvedBy ? guidance.content : null,
      hasSupportUrl: Boolean(links.supportUrl),
      hasLookupUrl: Boolean(links.lookupUrl),
      ...(await findContactPoints(tx)),
    });
  }
  validContent(content);
  const notice = await createNotice(tx, caller.organizationId, incident.id, body.kind, caller.userId);
  const version = await addVersion(tx, caller.organizationId, notice, content, links, caller.userId);
  await recordChange(tx, deps.auditKey, caller, incident.id, 'notice_created', {
    noticeId: notice.id,
    kind: notice.kind,
    version: version.version,
    fromTemplate: !body.content,
  });
  return view(tx, notice, incident);
}

export async function noticeView(tx: Sql, noticeId: string): Promise<NoticeView> {
  const { notice, incident } = await visibleNotice(tx, noticeId);
  return view(tx, notice, incident);
}

/** An edit is a new version (and voids any approval: only the newest version can be approved). */
export async function editNotice(
  tx: Sql,
  deps: Pick<NoticeDeps, 'auditKey' | 'publicUrl'>,
  caller: NoticeCaller,
  noticeId: string,
  content: NoticeContent,
): Promise<NoticeView> {
  const { notice, incident } = await visibleNotice(tx, noticeId);
  validContent(content);
  const links = await linksFor(tx, deps.publicUrl, incident.id);
  const version = await addVersion(tx, caller.organizationId, notice, content, links, caller.userId);
  await recordChange(tx, deps.auditKey, caller, incident.id, 'notice_edited', {
    noticeId: notice.id,
    version: version.version,
  });
  return view(tx, notice, incident);
}

/** Accepts one of a version's candour flags, for a reason kept with the version. */
export async function acceptCandourFlag(
  tx: Sql,
  deps: Pick<NoticeDeps, 'auditKey'>,
  caller: NoticeCaller,
  at: { noticeId: string; version: string; flagId: string },
  rawReason: string,
): Promise<NoticeView> {
  const { notice, incident } = await visibleNotice(tx, at.noticeId);
  const version = await versionOf(tx, notice.id, at.version);
  const reason = rawReason.trim();
  if (reason.length < 3) throw new AppError('validation_failed', { where: 'body/reason', problem: 'empty' });
  const { flags } = await flagsOf(tx, incident, version);
  const flag = flags.find((f) => f.id === at.flagId);
  if (!flag) throw new AppError('not_found', { flag: at.flagId });
  if (!(await acceptFlag(tx, caller.organizationId, version, flag.id, reason, caller.userId))) {
    throw new AppError('conflict', { reason: 'already_accepted', flag: flag.id });
  }
  // The reason is kept with the version; the audit log names the flag and the reason's length.
  await recordChange(tx, deps.auditKey, caller, incident.id, 'notice_flag_accepted', {
    noticeId: notice.id,
    version: version.version,
    flag: flag.id,
    reasonLength: reason.length,
  });
  return view(tx, notice, incident);
}

export async function candourOf(tx: Sql, noticeId: string, rawVersion: string) {
  const { notice, incident } = await visibleNotice(tx, noticeId);
  const version = await versionOf(tx, notice.id, rawVersion);
  return { version: version.version, flags: (await flagsOf(tx, incident, version)).flags };
}

/**
 * The second person's approval: a signed-in user who did not write the version (nor, for a version
 * written by an API token, made a drafting token), whatever roles they hold, of the newest version
 * only, once every candour flag is accepted.
 */
export async function approveNotice(
  tx: Sql,
  deps: Pick<NoticeDeps, 'auditKey'>,
  caller: NoticeCaller,
  noticeId: string,
  rawVersion: string,
): Promise<NoticeView> {
  const { notice, incident } = await visibleNotice(tx, noticeId);
  const userId = caller.userId;
  if (!userId) throw new AppError('forbidden');
  const version = await versionOf(tx, notice.id, rawVersion);
  if (version.authorId === userId) throw new AppError('author_cannot_approve');
  if (version.authorId === null && (await madeTokenWithScope(tx, userId, 'notices.draft'))) {
    throw new AppError('author_cannot_approve');
  }
  const latest = (await latestVersion(tx, notice.id))!;
  // An edit voids approval: only the newest version can be approved.
  if (latest.version !== version.version) {
    throw new AppError('conflict', { reason: 'outdated_version', latest: latest.version });
  }
  if (version.approvedBy) throw new AppError('conflict', { reason: 'already_approved' });
  const open = (await flagsOf(tx, incident, version)).flags.filter((f) => !f.accepted);
  if (open.length) {
    throw new AppError('conflict', {
      reason: 'candour_flags',
      flags: open.map((f) => f.id).join(' '),
    });
  }
  const loaded = (await loadNoticeContext(tx, version.id))!;
  const missing = missingFromRendering(loaded.content, loaded.context);
  if (missing) throw new AppError('notice_incomplete', { ...missing });
  await approveVersion(tx, version.id, userId);
  await recordChange(tx, deps.auditKey, caller, incident.id, 'notice_approved', {
    noticeId: notice.id,
    version: version.version,
  });
  return view(tx, notice, incident);
}

/**
 * A send request for the newest version, which must be approved, with its 'notice-send' job
 * queued in the same transaction. Returns the request and its version's number.
 */
export async function requestSend(
  tx: Sql,
  deps: NoticeDeps,
  caller: NoticeCaller,
  noticeId: string,
  input: { channels: Channel[]; audience?: SendAudience; scheduledAt: Date | null },
  log: { error(obj: object, msg: string): void },
): Promise<{ created: NoticeSend; version: number }> {
  const { notice, incident } = await visibleNotice(tx, noticeId);
  const latest = (await latestVersion(tx, notice.id))!;
  if (!latest.approvedBy) {
    throw new AppError('conflict', { reason: 'not_approved', version: latest.version });
  }
  // An exercise never reaches a customer: only the organization's test recipients.
  const audience = incident.is_exercise ? 'test_recipients' : (input.audience ?? 'customers');
  // Refused now rather than accepted and failed for every recipient: each channel needs its settings.
  await assertChannelsReady(
    tx,
    { keyring: deps.keyring, sms: deps.sms },
    caller.organizationId,
    input.channels,
  );
  const created = await insertSend(tx, {
    organizationId: caller.organizationId,
    incidentId: incident.id,
    noticeVersionId: latest.id,
    kind: notice.kind,
    channels: input.channels,
    audience,
    scheduledAt: input.scheduledAt,
    requestedBy: caller.userId,
  });
  await recordChange(tx, deps.auditKey, caller, incident.id, 'notice_send_requested', {
    noticeId: notice.id,
    version: latest.version,
    sendId: created.id,
    audience,
    channels: created.channels.join(' '),
    scheduledAt: iso(created.scheduledAt),
  });
  // The job commits with the request, or neither does: never a request nothing will act on.
  await queueSend(tx, created, caller.organizationId).catch((error: unknown) => {
    log.error({ err: error }, 'notice send not queued');
    throw new AppError('unavailable');
  });
  crashAt(deps.crashAt, 'notice_send.before_commit');
  return { created, version: latest.version };
}
