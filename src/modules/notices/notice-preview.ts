import type { Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit } from '../audit/index.js';
import { openPersonal } from '../customers/index.js';
import type { DataCategory } from '../incidents/index.js';
import { findAffectedCategories, listPreviewCustomers } from './audience-repo.js';
import type { NoticeCaller } from './notice-caller.js';
import type { NoticeLocale } from './notice-contracts.js';
import { compileNotice, loadNoticeContext } from './notice-render.js';
import { latestVersion } from './notice-repo.js';
import type { PreviewBody, PreviewView } from './notice-schemas.js';
import { versionOf, visibleNotice } from './notice-service.js';
import { countSegments, splitSegments } from './sms-segments.js';

/** A sample recipient for previews: no one's personal data. */
const SAMPLE_NAME: Record<NoticeLocale, string> = { en: 'Alex Taylor', cs: 'Jana Nováková', ar: 'سارة أحمد' };
const SAMPLE_CODE = 'K7QF-2M9X-D4TA';

/**
 * A version rendered in one language as a sample recipient would get it, or as one affected
 * customer would (their name decrypted: audited).
 */
export async function previewNotice(
  tx: Sql,
  deps: { auditKey: Buffer; keyring: OrganizationKeyring },
  caller: NoticeCaller,
  noticeId: string,
  body: PreviewBody,
): Promise<PreviewView> {
  const { notice, incident } = await visibleNotice(tx, noticeId);
  const version = body.version
    ? await versionOf(tx, notice.id, String(body.version))
    : (await latestVersion(tx, notice.id))!;
  const loaded = (await loadNoticeContext(tx, version.id))!;
  const locale = body.locale;
  let name: string | null = SAMPLE_NAME[locale];
  let timeZone = '';
  let categories: DataCategory[] = incident.data_categories.length
    ? incident.data_categories
    : ['contact_details'];
  if (body.customerId) {
    const affected = await findAffectedCategories(tx, incident.id, body.customerId);
    if (!affected) throw new AppError('not_found', { where: 'body/customerId' });
    const opened = await openPersonal(tx, await deps.keyring.get(tx, caller.organizationId), body.customerId);
    if (!opened) throw new AppError('not_found', { where: 'body/customerId' });
    // DESIGN: communications see customers' personal data in previews only; each is audited.
    await appendAudit(tx, deps.auditKey, caller.organizationId, caller.actor, {
      action: 'customer.revealed',
      targetType: 'customer',
      targetId: opened.customer.id,
      data: { reason: 'notice_preview', noticeId: notice.id, version: version.version },
    });
    name = opened.personal.name;
    timeZone = opened.customer.timeZone ?? '';
    categories = affected.data_categories;
  }
  const rendered = compileNotice(
    loaded.content[locale],
    locale,
    loaded.context,
  )({
    customerId: body.customerId ?? null,
    name,
    locale,
    timeZone,
    categories,
    verificationCode: SAMPLE_CODE,
  });
  return {
    locale,
    direction: rendered.direction,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    sms: rendered.sms,
    version: version.version,
    asCustomer: Boolean(body.customerId),
    smsSegments: {
      ...(({ encoding, units, segments }) => ({ encoding, units, segments }))(countSegments(rendered.sms)),
      parts: splitSegments(rendered.sms),
    },
  };
}

/** Whom a preview may be shown as: the incident's first 50 affected customers, clear fields only. */
export async function previewCustomers(tx: Sql, noticeId: string) {
  const { incident } = await visibleNotice(tx, noticeId);
  const rows = await listPreviewCustomers(tx, incident.id);
  return rows.map((r) => ({
    id: r.id,
    externalId: r.external_id,
    language: r.language,
    categories: r.data_categories,
  }));
}
