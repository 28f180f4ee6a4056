import { IntlMessageFormat } from 'intl-messageformat';
import type { Sql } from '../../platform/db.js';
import { escapeHtml } from '../../platform/html.js';
import { catalogs } from '../../platform/i18n.js';
import type { DataCategory } from '../incidents/index.js';
import {
  NOTICE_PARTS,
  type NoticeKind,
  type NoticeLocale,
  type NoticeRecipient,
  type RenderedNotice,
} from './notice-contracts.js';
import { completeIn, isNoticeLocale, type NoticeContent, type NoticeLocaleContent } from './notice-model.js';
import { findRenderSource } from './notice-repo.js';

/** What a version's placeholders stand for besides the recipient's own values. */
export interface NoticeContext {
  noticeId: string;
  versionId: string;
  version: number;
  kind: NoticeKind;
  incidentId: string;
  organization: string;
  /** The organization's language: the one written to when a version lacks the recipient's. */
  defaultLocale: NoticeLocale;
  incidentDate: Date;
  detectedDate: Date;
  affectedCount: number;
  verifyUrl: string;
  lookupUrl: string;
  supportUrl: string;
}

/** When the vault has no name: how a notice greets the customer. */
const NO_NAME: Record<NoticeLocale, string> = {
  en: 'customer',
  cs: 'vážená zákaznice, vážený zákazníku',
  ar: 'عميلنا العزيز',
};

/** The recipient's affected categories as one list in their language (catalog names, Intl.ListFormat). */
export function categoryList(locale: NoticeLocale, categories: readonly DataCategory[]): string {
  const names = categories.map((c) => {
    const name = catalogs[locale][`incident.category.${c}`] ?? catalogs.en[`incident.category.${c}`] ?? c;
    // Mid-sentence in en and cs: "payment card data", "platební údaje".
    return locale === 'ar' ? name : name.charAt(0).toLocaleLowerCase(locale) + name.slice(1);
  });
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(names);
}

/** Date styles in the recipient's zone: the named styles ICU texts use ({d, date, long}). */
function zonedFormats(timeZone: string) {
  const date = {
    short: { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' },
    medium: { timeZone, year: 'numeric', month: 'short', day: 'numeric' },
    long: { timeZone, year: 'numeric', month: 'long', day: 'numeric' },
    full: { timeZone, year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' },
  } as const;
  const time = {
    short: { timeZone, hour: 'numeric', minute: 'numeric' },
    medium: { timeZone, hour: 'numeric', minute: 'numeric', second: 'numeric' },
    long: { timeZone, hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short' },
    full: { timeZone, hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short' },
  } as const;
  return { date, time };
}

const validZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

type Values = Record<string, string | number | Date>;

/** One ICU text, formatted in a locale and zone. Exposed for tests of plurals and dates. */
export function formatText(text: string, locale: NoticeLocale, timeZone: string, values: Values): string {
  return compile(text, locale, timeZone)(values);
}

function compile(text: string, locale: NoticeLocale, timeZone: string): (values: Values) => string {
  if (!text.trim()) return () => '';
  const format = new IntlMessageFormat(text, locale, zonedFormats(timeZone), { ignoreTag: true });
  return (values) => String(format.format(values));
}

const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');

/**
 * A renderer for one language of a version: every text compiled once (per time zone), then each
 * recipient is a pure and fast call.
 */
export function compileNotice(
  content: NoticeLocaleContent,
  locale: NoticeLocale,
  context: NoticeContext,
): (recipient: NoticeRecipient) => RenderedNotice {
  const byZone = new Map<string, Record<string, (v: Values) => string>>();
  const compiledFor = (zone: string) => {
    let texts = byZone.get(zone);
    if (!texts) {
      texts = {
        subject: compile(content.subject, locale, zone),
        sms: compile(content.sms, locale, zone),
        ...Object.fromEntries(NOTICE_PARTS.map((p) => [p, compile(content.parts[p], locale, zone)])),
      };
      byZone.set(zone, texts);
    }
    return texts;
  };
  const direction = locale === 'ar' ? 'rtl' : 'ltr';
  return (recipient) => {
    const zone = validZone(recipient.timeZone) ? recipient.timeZone : 'UTC';
    const texts = compiledFor(zone);
    const values: Values = {
      name: recipient.name?.trim() || NO_NAME[locale],
      categories: categoryList(locale, recipient.categories),
      count: recipient.categories.length,
      affectedCount: context.affectedCount,
      incidentDate: context.incidentDate,
      detectedDate: context.detectedDate,
      organization: context.organization,
      verificationCode: recipient.verificationCode,
      verifyUrl: context.verifyUrl,
      lookupUrl: context.lookupUrl,
      supportUrl: context.supportUrl,
    };
    const subject = texts.subject!(values);
    const parts = NOTICE_PARTS.map((p) => texts[p]!(values)).filter((t) => t.trim());
    const text = parts.join('\n\n');
    const html = [
      '<!DOCTYPE html>',
      `<html lang="${locale}" dir="${direction}">`,
      '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeHtml(subject)}</title></head>`,
      `<body dir="${direction}">`,
      `<h1>${escapeHtml(subject)}</h1>`,
      parts.map(paragraphs).join('\n'),
      '</body>',
      '</html>',
    ].join('\n');
    return {
      locale,
      direction,
      subject,
      text,
      html,
      sms: texts.sms!(values),
      webhook: {
        type: 'incident.notice',
        noticeId: context.noticeId,
        version: context.version,
        incidentId: context.incidentId,
        kind: context.kind,
        locale,
        subject,
        text,
        categories: [...recipient.categories],
        verificationCode: recipient.verificationCode,
        verifyUrl: context.verifyUrl,
      },
    };
  };
}

/**
 * The language a version is rendered in for a recipient: theirs when the version is complete in
 * it, else the organization's default, else any complete one.
 */
export function renderLocale(
  content: NoticeContent,
  wanted: NoticeLocale,
  fallback: NoticeLocale,
): NoticeLocale {
  if (completeIn(content, wanted)) return wanted;
  if (completeIn(content, fallback)) return fallback;
  return (['en', 'cs', 'ar'] as const).find((l) => completeIn(content, l)) ?? fallback;
}

/** Everything a version's rendering needs from the database, under the caller's organization. */
export async function loadNoticeContext(
  tx: Sql,
  noticeVersionId: string,
): Promise<{ content: NoticeContent; context: NoticeContext } | undefined> {
  const r = await findRenderSource(tx, noticeVersionId);
  if (!r) return undefined;
  return {
    content: r.content,
    context: {
      noticeId: r.notice_id,
      versionId: r.id,
      version: r.version,
      kind: r.kind,
      incidentId: r.incident_id,
      organization: r.organization,
      defaultLocale: isNoticeLocale(r.default_locale) ? r.default_locale : 'en',
      incidentDate: r.occurred_at ?? r.detected_at ?? r.created_at,
      detectedDate: r.detected_at ?? r.created_at,
      affectedCount: Number(r.affected),
      verifyUrl: r.links.verifyUrl ?? '',
      lookupUrl: r.links.lookupUrl ?? '',
      supportUrl: r.links.supportUrl ?? '',
    },
  };
}

/**
 * The renderer of one version (contract for the delivery engine): each language compiled once,
 * then a pure call per recipient in their language (falling back as renderLocale says).
 */
export async function loadRenderer(
  tx: Sql,
  organizationId: string,
  noticeVersionId: string,
): Promise<(r: NoticeRecipient) => RenderedNotice> {
  const loaded = await loadNoticeContext(tx, noticeVersionId);
  if (!loaded)
    throw new Error(`Notice version ${noticeVersionId} not found in organization ${organizationId}`);
  const { content, context } = loaded;
  const byLocale = new Map<NoticeLocale, (r: NoticeRecipient) => RenderedNotice>();
  return (recipient) => {
    const locale = renderLocale(content, recipient.locale, context.defaultLocale);
    let render = byLocale.get(locale);
    if (!render) {
      render = compileNotice(content[locale], locale, context);
      byLocale.set(locale, render);
    }
    return render(recipient);
  };
}
