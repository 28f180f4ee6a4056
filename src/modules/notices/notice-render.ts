import type { Sql } from '../../platform/db.js';
import { escapeHtml } from '../../platform/html.js';
import { catalogs, t } from '../../platform/i18n.js';
import { formatTime, isTimeZone } from '../../platform/time-format.js';
import type { DataCategory } from '../incidents/index.js';
import {
  NOTICE_LOCALES,
  NOTICE_PARTS,
  type NoticeKind,
  type NoticeLocale,
  type NoticeRecipient,
  type RenderedNotice,
} from './notice-contracts.js';
import {
  completeIn,
  fillText,
  isNoticeLocale,
  type NoticeContent,
  type NoticeLocaleContent,
  type Placeholder,
} from './notice-model.js';
import { brandColorOf, codeHtml, emailDocument, linkHtml, paragraphStyle } from './notice-email-layout.js';
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
  /** The organization's zone: dates for a recipient whose own is unknown. */
  timeZone: string;
  incidentDate: Date;
  detectedDate: Date;
  affectedCount: number;
  verifyUrl: string;
  lookupUrl: string;
  supportUrl: string;
  /** The organization's support contact point, from its settings (GDPR Art. 34(2)). */
  supportContact?: ContactPoint;
  /** The organization's data protection officer, from its settings. */
  dpoContact?: ContactPoint;
  /** The organization's brand colour (`#RRGGBB`), checked again before it is used. */
  brandColor?: string | null;
}

/** A contact point as the organization's settings hold it; each part may be unset. */
export interface ContactPoint {
  name?: string | null;
  email: string | null;
  phone: string | null;
  /** Free text per language, e.g. opening hours. */
  hours?: Partial<Record<NoticeLocale, string>>;
}

/**
 * A contact point on one line in the reader's language: "Jana Nová, privacy@acme.cz, +420601234567
 * (Mon–Fri 9–17)"; the hours in the reader's language, else the organization's. Empty when there is
 * neither an e-mail nor a phone (a name alone reaches no one).
 */
export function contactLine(
  locale: NoticeLocale,
  contact: ContactPoint | undefined,
  fallback: NoticeLocale = 'en',
): string {
  if (!contact?.email && !contact?.phone) return '';
  const separator = locale === 'ar' ? '، ' : ', ';
  const line = [contact.name, contact.email, contact.phone]
    .map((part) => plain(part?.trim() ?? ''))
    .filter(Boolean)
    .join(separator);
  const hours = plain((contact.hours?.[locale] || contact.hours?.[fallback] || '').trim());
  return hours ? `${line} (${hours})` : line;
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

/** Bidi controls in a value (a customer's or organization's name) are dropped: they could reorder the text around them. */
const ALL_BIDI_CONTROLS = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/gu;
const plain = (value: string) => value.replace(ALL_BIDI_CONTROLS, '');

type Values = Partial<Record<Placeholder, string>>;

/** Values shown as links (only http(s) addresses become one). */
const LINKS: readonly Placeholder[] = ['verifyUrl', 'lookupUrl', 'supportUrl'];

/**
 * The values as HTML: each escaped and isolated in <bdi> (a Latin name inside Arabic text keeps its
 * order), the verification code set apart (monospace, left to right) and the addresses as links.
 */
function htmlValues(values: Values, brand: string): Values {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => {
      if (!v) return [k, ''];
      if (k === 'verificationCode') return [k, codeHtml(v, brand)];
      if (LINKS.includes(k as Placeholder)) return [k, linkHtml(v, brand)];
      return [k, `<bdi>${escapeHtml(v)}</bdi>`];
    }),
  ) as Values;
}

/** Staff text as HTML paragraphs: the text escaped, the values as htmlValues made them. */
function htmlParagraphs(text: string, html: Values): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p style="${paragraphStyle}">${fillText(escapeHtml(p), html).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/**
 * A renderer for one language of a version: every text compiled once (per time zone), then each
 * recipient is a pure and fast call.
 */
export function compileNotice(
  content: NoticeLocaleContent,
  locale: NoticeLocale,
  context: NoticeContext,
): (recipient: NoticeRecipient) => RenderedNotice {
  const direction = locale === 'ar' ? 'rtl' : 'ltr';
  const affected = t(locale, 'notice.phrase.affectedCount', { count: context.affectedCount });
  const supportContact = contactLine(locale, context.supportContact, context.defaultLocale);
  const dpoContact = contactLine(locale, context.dpoContact, context.defaultLocale);
  return (recipient) => {
    const zone = isTimeZone(recipient.timeZone)
      ? recipient.timeZone
      : isTimeZone(context.timeZone)
        ? context.timeZone
        : 'UTC';
    const longDate = (at: Date) => formatTime(at, { locale, timeZone: zone, style: 'longDate' });
    const values: Values = {
      name: plain(recipient.name?.trim() || '') || NO_NAME[locale],
      categories: categoryList(locale, recipient.categories),
      categoryCount: t(locale, 'notice.phrase.categoryCount', { count: recipient.categories.length }),
      affectedCount: affected,
      incidentDate: longDate(context.incidentDate),
      detectedDate: longDate(context.detectedDate),
      organization: plain(context.organization),
      verificationCode: recipient.verificationCode,
      verifyUrl: context.verifyUrl,
      lookupUrl: context.lookupUrl,
      supportUrl: context.supportUrl,
      supportContact,
      dpoContact,
    };
    const subject = fillText(content.subject, values).trim();
    const written = NOTICE_PARTS.map((p) => content.parts[p]).filter((t) => t.trim());
    const text = written.map((part) => fillText(part.trim(), values)).join('\n\n');
    const brand = brandColorOf(context.brandColor);
    const asHtml = htmlValues(values, brand);
    const html = emailDocument({
      locale,
      subject,
      subjectHtml: fillText(escapeHtml(content.subject.trim()), asHtml),
      organization: plain(context.organization),
      brandColor: brand,
      body: written.map((part) => htmlParagraphs(part, asHtml)).join('\n'),
      supportContact,
      dpoContact,
    });
    return {
      locale,
      direction,
      subject,
      text,
      html,
      sms: fillText(content.sms, values).trim(),
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

/** What a rendered notice must carry, and where it does not. */
export interface MissingFromRendering {
  locale: NoticeLocale;
  channel: 'email' | 'sms';
  missing: 'verificationCode' | 'verifyUrl' | 'supportUrl';
}

const PROBE_CODE = 'PROBE-CODE-0000';

/**
 * The first thing a notice's rendering lacks in any language it is written in: every message
 * carries the verification code and the verify link, as a customer would get it (so a quote,
 * a stray brace or an edit that dropped a placeholder cannot take the anti-phishing proof out
 * of it); a mandatory notice also names the support link when the incident has one.
 */
export function missingFromRendering(
  content: NoticeContent,
  context: NoticeContext,
): MissingFromRendering | undefined {
  for (const locale of NOTICE_LOCALES) {
    if (!completeIn(content, locale)) continue;
    const rendered = compileNotice(
      content[locale],
      locale,
      context,
    )({
      customerId: null,
      name: null,
      locale,
      timeZone: 'UTC',
      categories: ['contact_details'],
      verificationCode: PROBE_CODE,
    });
    const required: [MissingFromRendering['missing'], string][] = [
      ['verificationCode', PROBE_CODE],
      ['verifyUrl', context.verifyUrl],
      ...(context.kind === 'mandatory' && context.supportUrl
        ? [['supportUrl', context.supportUrl] as [MissingFromRendering['missing'], string]]
        : []),
    ];
    for (const [channel, body] of [
      ['email', rendered.text],
      ['sms', rendered.sms],
    ] as const) {
      for (const [missing, value] of required) {
        // The SMS is short: the code and the verify link, not every link.
        if (channel === 'sms' && missing === 'supportUrl') continue;
        if (value && !body.includes(value)) return { locale, channel, missing };
      }
    }
  }
  return undefined;
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
      timeZone: r.time_zone,
      incidentDate: r.occurred_at ?? r.detected_at ?? r.created_at,
      detectedDate: r.detected_at ?? r.created_at,
      affectedCount: Number(r.affected),
      verifyUrl: r.links.verifyUrl ?? '',
      lookupUrl: r.links.lookupUrl ?? '',
      supportUrl: r.links.supportUrl ?? '',
      supportContact: { email: r.support_email, phone: r.support_phone, hours: r.support_hours },
      dpoContact: { name: r.dpo_name, email: r.dpo_email, phone: r.dpo_phone },
      brandColor: r.brand_color,
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
