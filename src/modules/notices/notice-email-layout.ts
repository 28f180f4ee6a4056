/**
 * The HTML part of a notice e-mail: one column of at most 600 px under a bar in the organization's
 * brand colour, in a sans-serif stack that has Arabic glyphs, right to left in Arabic. Mail clients
 * drop <style> elements and ignore most CSS, so every style is inline and simple (no tables, no
 * flex, no logical properties). Nothing remote: no images, fonts or trackers (the logo is left out,
 * since a remote one would tell the sender when the mail is opened).
 */
import { escapeHtml } from '../../platform/html.js';
import { t } from '../../platform/i18n.js';
import { isBrandColor } from '../accounts/index.js';
import type { NoticeLocale } from './notice-contracts.js';

/** Used when the organization has no brand colour, or one that is not `#RRGGBB` white reads on. */
export const NEUTRAL_BRAND = '#334155';

/** Sans-serif for Latin and Czech, with faces that carry Arabic on Windows, macOS, Android and Linux. */
const FONTS =
  "-apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', 'Geeza Pro', Tahoma, Arial, sans-serif";
const MONO = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', 'Courier New', monospace";
const TEXT = '#1F2328';
const MUTED = '#57606A';

/** The brand colour as it may go into a style attribute: checked again here, whatever was saved. */
export const brandColorOf = (value: string | null | undefined): string =>
  isBrandColor(value) ? value.toUpperCase() : NEUTRAL_BRAND;

/** The verification code: Latin, monospace, left to right and isolated even inside Arabic text. */
export const codeHtml = (code: string, brand: string) =>
  `<bdi dir="ltr" lang="en" style="font-family: ${MONO}; font-size: 18px; font-weight: bold; ` +
  `letter-spacing: 0.06em; white-space: nowrap; color: ${TEXT}; background-color: #F3F4F6; ` +
  `border: 1px solid ${brand}; border-radius: 4px; padding: 2px 6px;">${escapeHtml(code)}</bdi>`;

/** A link the notice names (verify, look-up, support): only http(s), shown as the address itself. */
export function linkHtml(url: string, brand: string): string {
  const shown = escapeHtml(url);
  if (!/^https?:\/\//i.test(url)) return `<bdi dir="ltr">${shown}</bdi>`;
  return (
    `<a href="${shown}" dir="ltr" style="color: ${brand}; text-decoration: underline; ` +
    `word-break: break-all;">${shown}</a>`
  );
}

export interface EmailLayout {
  locale: NoticeLocale;
  subject: string;
  /** The subject as the heading: escaped, its values isolated as in the body. */
  subjectHtml: string;
  organization: string;
  brandColor: string | null | undefined;
  /** The body's paragraphs, already HTML (escaped and filled). */
  body: string;
  /** The contact lines as the notice renders them (contactLine), empty when unset. */
  supportContact: string;
  dpoContact: string;
}

/** The whole HTML document of a notice e-mail. */
export function emailDocument(layout: EmailLayout): string {
  const { locale } = layout;
  const dir = locale === 'ar' ? 'rtl' : 'ltr';
  const align = dir === 'rtl' ? 'right' : 'left';
  const brand = brandColorOf(layout.brandColor);
  const organization = `<bdi>${escapeHtml(layout.organization)}</bdi>`;
  const subject = escapeHtml(layout.subject);
  const contact = (label: string, line: string) =>
    line
      ? `<p style="margin: 0 0 6px 0;"><strong>${escapeHtml(label)}:</strong> <bdi>${escapeHtml(line)}</bdi></p>`
      : '';
  // The name goes in after the sentence is escaped, so it is isolated (a Latin name in Arabic text).
  const sentBy = escapeHtml(t(locale, 'notice.email.sentBy', { organization: '\u0000' })).replace(
    '\u0000',
    organization,
  );
  return [
    '<!DOCTYPE html>',
    `<html lang="${locale}" dir="${dir}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">',
    `<title>${subject}</title></head>`,
    `<body dir="${dir}" style="margin: 0; padding: 0; background-color: #F3F4F6; color: ${TEXT};">`,
    `<div dir="${dir}" lang="${locale}" style="max-width: 600px; margin: 0 auto; padding: 16px 8px; ` +
      `font-family: ${FONTS}; font-size: 16px; line-height: 1.6; color: ${TEXT}; text-align: ${align};">`,
    `<div style="background-color: #FFFFFF; border: 1px solid #D0D7DE; border-radius: 6px; overflow: hidden;">`,
    `<div data-part="brand" style="background-color: ${brand}; color: #FFFFFF; padding: 14px 24px; ` +
      `font-size: 18px; font-weight: bold; line-height: 1.4;">${organization}</div>`,
    `<div style="padding: 20px 24px 8px 24px;">`,
    `<h1 style="margin: 0 0 16px 0; font-size: 22px; line-height: 1.3; color: ${TEXT};">${layout.subjectHtml}</h1>`,
    layout.body,
    '</div>',
    `<div data-part="footer" style="padding: 12px 24px 16px 24px; border-top: 1px solid #D0D7DE; ` +
      `font-size: 14px; line-height: 1.5; color: ${MUTED};">`,
    contact(t(locale, 'notice.email.support'), layout.supportContact),
    contact(t(locale, 'notice.email.dpo'), layout.dpoContact),
    `<p style="margin: 0;">${sentBy}</p>`,
    '</div>',
    '</div>',
    '</div>',
    '</body>',
    '</html>',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A paragraph of the body as the layout styles it. */
export const paragraphStyle = 'margin: 0 0 16px 0;';
