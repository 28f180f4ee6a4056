import { IntlMessageFormat } from 'intl-messageformat';
import ar from '../../locales/ar.json' with { type: 'json' };
import cs from '../../locales/cs.json' with { type: 'json' };
import en from '../../locales/en.json' with { type: 'json' };
import { markFinalStops, settleFinalStops } from './sentence-end.js';

export const LOCALES = ['en', 'cs', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export type MessageKey = keyof typeof en;
export const catalogs: Record<Locale, Record<string, string>> = { en, cs, ar };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function direction(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

const compiled = new Map<string, IntlMessageFormat>();

/**
 * A message in the locale, falling back to English where a catalog lacks the key. A value ending
 * with its own full stop closes the message's sentence without a second one (sentence-end.ts).
 */
export function t(locale: Locale, key: MessageKey, values?: Record<string, string | number | Date>): string {
  const chosen = catalogs[locale][key] !== undefined ? locale : DEFAULT_LOCALE;
  const id = `${chosen}:${key}`;
  let format = compiled.get(id);
  if (!format) {
    format = new IntlMessageFormat(catalogs[chosen][key] ?? key, chosen);
    compiled.set(id, format);
  }
  try {
    const marked = markFinalStops(values);
    const text = String(format.format(marked ?? values));
    return marked ? settleFinalStops(text) : text;
  } catch {
    // A missing value must not turn a message into a failure: show the pattern.
    return format.getAst().length ? (catalogs[chosen][key] ?? key) : key;
  }
}

/** The first supported language of an Accept-Language header, by its q weights. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.tag && !Number.isNaN(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (isLocale(base)) return base;
  }
  return undefined;
}

/** The user's own setting, then the browser's languages, then the organization's default. */
export function chooseLocale(options: {
  userLocale?: string | null;
  acceptLanguage?: string;
  organizationLocale?: string | null;
}): Locale {
  if (isLocale(options.userLocale)) return options.userLocale;
  const accepted = fromAcceptLanguage(options.acceptLanguage);
  if (accepted) return accepted;
  if (isLocale(options.organizationLocale)) return options.organizationLocale;
  return DEFAULT_LOCALE;
}
