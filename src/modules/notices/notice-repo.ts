import type { Sql } from '../../platform/db.js';
import type { NoticeKind, NoticeLocale } from './notice-contracts.js';
import { isNoticeLocale, type NoticeContent } from './notice-model.js';

const NOTICE_LOCK = 727_050;

export interface Notice {
  id: string;
  incidentId: string;
  kind: NoticeKind;
  createdBy: string | null;
  createdAt: Date;
}

export interface NoticeLinks {
  verifyUrl?: string;
  lookupUrl?: string;
  supportUrl?: string;
}

export interface NoticeVersion {
  id: string;
  noticeId: string;
  incidentId: string;
  version: number;
  content: NoticeContent;
  links: NoticeLinks;
  authorId: string | null;
  createdAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
}

export interface FlagAcceptance {
  flagId: string;
  reason: string;
  acceptedBy: string | null;
  acceptedAt: Date;
}

interface NoticeRow {
  id: string;
  incident_id: string;
  kind: NoticeKind;
  created_by: string | null;
  created_at: Date;
}

interface VersionRow {
  id: string;
  notice_id: string;
  incident_id: string;
  version: number;
  content: NoticeContent;
  links: NoticeLinks;
  author_id: string | null;
  created_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
}

const toNotice = (r: NoticeRow): Notice => ({
  id: r.id,
  incidentId: r.incident_id,
  kind: r.kind,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const toVersion = (r: VersionRow): NoticeVersion => ({
  id: r.id,
  noticeId: r.notice_id,
  incidentId: r.incident_id,
  version: r.version,
  content: r.content,
  links: r.links,
  authorId: r.author_id,
  createdAt: r.created_at,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
});

export async function createNotice(
  tx: Sql,
  organizationId: string,
  incidentId: string,
  kind: NoticeKind,
  userId: string | null,
): Promise<Notice> {
  const rows = await tx.query<NoticeRow>(
    `INSERT INTO notices (organization_id, incident_id, kind, created_by) VALUES ($1, $2, $3, $4) RETURNING *`,
    [organizationId, incidentId, kind, userId],
  );
  return toNotice(rows[0]!);
}

export async function findNotice(tx: Sql, id: string): Promise<Notice | undefined> {
  const rows = await tx.query<NoticeRow>('SELECT * FROM notices WHERE id = $1', [id]);
  return rows[0] && toNotice(rows[0]);
}

export async function listNotices(tx: Sql, incidentId: string): Promise<Notice[]> {
  const rows = await tx.query<NoticeRow>(
    'SELECT * FROM notices WHERE incident_id = $1 ORDER BY created_at, id',
    [incidentId],
  );
  return rows.map(toNotice);
}

export async function listVersions(tx: Sql, noticeId: string, limit = 50): Promise<NoticeVersion[]> {
  const rows = await tx.query<VersionRow>(
    'SELECT * FROM notice_versions WHERE notice_id = $1 ORDER BY version DESC LIMIT $2',
    [noticeId, limit],
  );
  return rows.map(toVersion);
}

export async function latestVersion(tx: Sql, noticeId: string): Promise<NoticeVersion | undefined> {
  return (await listVersions(tx, noticeId, 1))[0];
}

export async function findVersion(
  tx: Sql,
  noticeId: string,
  version: number,
): Promise<NoticeVersion | undefined> {
  const rows = await tx.query<VersionRow>(
    'SELECT * FROM notice_versions WHERE notice_id = $1 AND version = $2',
    [noticeId, version],
  );
  return rows[0] && toVersion(rows[0]);
}

/** A new version; concurrent edits of one notice take turns for a number (a transaction lock on its id). */
export async function addVersion(
  tx: Sql,
  organizationId: string,
  notice: Notice,
  content: NoticeContent,
  links: NoticeLinks,
  authorId: string | null,
): Promise<NoticeVersion> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NOTICE_LOCK, notice.id]);
  const rows = await tx.query<VersionRow>(
    `INSERT INTO notice_versions (organization_id, incident_id, notice_id, version, content, links, author_id)
     VALUES ($1, $2, $3, (SELECT coalesce(max(version), 0) + 1 FROM notice_versions WHERE notice_id = $3), $4, $5, $6)
     RETURNING *`,
    [organizationId, notice.incidentId, notice.id, JSON.stringify(content), JSON.stringify(links), authorId],
  );
  return toVersion(rows[0]!);
}

export async function approveVersion(tx: Sql, id: string, userId: string): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE notice_versions SET approved_by = $2, approved_at = now()
     WHERE id = $1 AND approved_by IS NULL RETURNING id`,
    [id, userId],
  );
  return rows.length === 1;
}

export async function listAcceptances(tx: Sql, versionId: string): Promise<FlagAcceptance[]> {
  const rows = await tx.query<{
    flag_id: string;
    reason: string;
    accepted_by: string | null;
    accepted_at: Date;
  }>(
    'SELECT flag_id, reason, accepted_by, accepted_at FROM notice_flag_acceptances WHERE notice_version_id = $1 ORDER BY flag_id',
    [versionId],
  );
  return rows.map((r) => ({
    flagId: r.flag_id,
    reason: r.reason,
    acceptedBy: r.accepted_by,
    acceptedAt: r.accepted_at,
  }));
}

/** Accepts a flag on a version; false when it was already accepted. */
export async function acceptFlag(
  tx: Sql,
  organizationId: string,
  version: NoticeVersion,
  flagId: string,
  reason: string,
  userId: string | null,
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO notice_flag_acceptances (organization_id, incident_id, notice_version_id, flag_id, reason, accepted_by)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING flag_id`,
    [organizationId, version.incidentId, version.id, flagId, reason, userId],
  );
  return rows.length === 1;
}

/**
 * How many affected customers will read each language: the vault's clear `language` when we write
 * in it, else the organization's default. An exercise counts its test recipients instead.
 */
export async function readersByLocale(
  tx: Sql,
  incidentId: string,
  isExercise: boolean,
  fallback: NoticeLocale,
): Promise<Partial<Record<NoticeLocale, number>>> {
  const rows = isExercise
    ? await tx.query<{ locale: string; n: string }>(
        'SELECT locale, count(*) AS n FROM notice_test_recipients GROUP BY locale',
      )
    : await tx.query<{ locale: string; n: string }>(
        `SELECT CASE WHEN lower(split_part(c.language, '-', 1)) IN ('en', 'cs', 'ar')
                     THEN lower(split_part(c.language, '-', 1)) ELSE $2 END AS locale, count(*) AS n
         FROM incident_affected_customers a JOIN customers c ON c.id = a.customer_id
         WHERE a.incident_id = $1 GROUP BY 1`,
        [incidentId, fallback],
      );
  const counts: Partial<Record<NoticeLocale, number>> = {};
  for (const r of rows) if (isNoticeLocale(r.locale)) counts[r.locale] = Number(r.n);
  return counts;
}

export async function organizationLocale(tx: Sql): Promise<NoticeLocale> {
  const locale = (await tx.query<{ default_locale: string }>('SELECT default_locale FROM organizations'))[0]
    ?.default_locale;
  return isNoticeLocale(locale) ? locale : 'en';
}

/** Everything a version's rendering needs, in one row (notice-render.ts makes its context of it). */
export interface RenderSourceRow {
  id: string;
  notice_id: string;
  version: number;
  content: NoticeContent;
  links: NoticeLinks;
  kind: NoticeKind;
  incident_id: string;
  occurred_at: Date | null;
  detected_at: Date | null;
  created_at: Date;
  organization: string;
  default_locale: string;
  time_zone: string;
  affected: string;
  support_email: string | null;
  support_phone: string | null;
  support_hours: Partial<Record<NoticeLocale, string>>;
  dpo_name: string | null;
  dpo_email: string | null;
  dpo_phone: string | null;
  brand_color: string | null;
}

export async function findRenderSource(
  tx: Sql,
  noticeVersionId: string,
): Promise<RenderSourceRow | undefined> {
  const rows = await tx.query<RenderSourceRow>(
    `SELECT v.id, v.notice_id, v.version, v.content, v.links, n.kind, i.id AS incident_id,
            i.occurred_at, i.detected_at, i.created_at, o.name AS organization, o.default_locale, o.time_zone,
            o.support_email, o.support_phone, o.support_hours, o.dpo_name, o.dpo_email, o.dpo_phone,
            o.brand_color, (SELECT count(*) FROM incident_affected_customers a WHERE a.incident_id = i.id) AS affected
     FROM notice_versions v JOIN notices n ON n.id = v.notice_id JOIN incidents i ON i.id = v.incident_id
       JOIN organizations o ON o.id = v.organization_id
     WHERE v.id = $1`,
    [noticeVersionId],
  );
  return rows[0];
}

/** Whether the organization's settings name a support contact and a DPO that reach someone (an e-mail or a phone). */
export async function findContactPoints(
  tx: Sql,
): Promise<{ hasSupportContact: boolean; hasDpoContact: boolean }> {
  const rows = await tx.query<{ support: boolean; dpo: boolean }>(
    `SELECT (support_email IS NOT NULL OR support_phone IS NOT NULL) AS support,
            (dpo_email IS NOT NULL OR dpo_phone IS NOT NULL) AS dpo FROM organizations`,
  );
  return { hasSupportContact: rows[0]?.support ?? false, hasDpoContact: rows[0]?.dpo ?? false };
}

/** Whether a notice's incident is an exercise; undefined when the incident is not visible. */
export async function findIncidentExercise(
  tx: Sql,
  incidentId: string,
): Promise<{ is_exercise: boolean } | undefined> {
  return (
    await tx.query<{ is_exercise: boolean }>('SELECT is_exercise FROM incidents WHERE id = $1', [incidentId])
  )[0];
}
