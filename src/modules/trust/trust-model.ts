// The trust center's words (issue 15): what an organization publishes about an incident, per
// language, and the views the public site is rendered from. Pure: no database, no HTTP.
import type { Locale } from '../../platform/i18n.js';

/** Where an incident stands, as readers are told (Statuspage's words, which readers know). */
export const UPDATE_STATUSES = ['investigating', 'identified', 'contained', 'resolved'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** An update's words in one language: plain text written by staff, never parsed as ICU or HTML. */
export interface UpdateText {
  /** what happened since the last update */
  message: string;
  /** what customers should do now (may be empty) */
  customerActions: string;
}

/** A public incident page's words in one language. */
export interface IncidentPageText {
  title: string;
  /** one paragraph: what happened, whom it concerns */
  summary: string;
}

/** Written per language; a language left out is shown in the fallback with a "translation pending" line. */
export type PerLanguage<T> = Partial<Record<Locale, T>>;

/** The brand a public page wears: the organization's name, colour and logo (accounts' brandOf). */
export interface SiteBrand {
  name: string;
  color: string | null;
  logoUrl: string | null;
}

/** What every page of an organization's public site knows. */
export interface SiteView {
  /** the site's address part: /trust/<slug>/<locale>/ */
  slug: string;
  brand: SiteBrand;
  /** the organization's IANA zone: times are shown in it, with its name */
  timeZone: string;
  /** the language a missing translation falls back to */
  defaultLocale: Locale;
  supportEmail: string | null;
  supportUrl: string | null;
}

/** One published update, as readers see it. */
export interface PublishedUpdateView {
  id: string;
  status: UpdateStatus;
  texts: PerLanguage<UpdateText>;
  /** ISO instant */
  publishedAt: string;
  /** the promise of the next update, ISO instant, or null once resolved or when none is promised */
  nextUpdateBy: string | null;
}

/** A published incident page with its updates, newest first. */
export interface PublicIncidentView {
  /** random, unguessable, stable: /trust/<slug>/<locale>/incidents/<publicId> */
  publicId: string;
  texts: PerLanguage<IncidentPageText>;
  /** the latest update's status */
  status: UpdateStatus;
  /** ISO instant of the first publication */
  publishedAt: string;
  updates: PublishedUpdateView[];
  /** "Was I affected?" for this incident, when published (a path on this server) */
  lookupPath: string | null;
}

/** The site's home: open incidents first, then the resolved ones of the last 90 days. */
export interface SiteHomeView {
  site: SiteView;
  incidents: PublicIncidentView[];
}

/** The language an item is shown in, and whether that is a fallback to another language. */
export function pickLanguage<T>(
  texts: PerLanguage<T>,
  wanted: Locale,
  fallback: Locale,
): { locale: Locale; text: T; pending: boolean } | undefined {
  const own = texts[wanted];
  if (own) return { locale: wanted, text: own, pending: false };
  const other = texts[fallback] ?? Object.values(texts).find((value) => value !== undefined);
  if (!other) return undefined;
  const locale = texts[fallback]
    ? fallback
    : (Object.keys(texts).find((key) => texts[key as Locale]) as Locale);
  return { locale, text: other, pending: true };
}
