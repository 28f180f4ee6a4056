import {
  Fragment,
  createElement,
  createContext,
  isValidElement,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import type en from '../../locales/en.json';
import { markFinalStops, settleFinalStops } from '../../src/platform/sentence-end';
import { formatTime, utcInstant, zoneName, type TimeStyle } from '../../src/platform/time-format';
import { setApiLanguage } from './api';

export const LOCALES = ['en', 'cs', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageId = keyof typeof en;
type Values = Record<string, string | number | Date | ReactNode>;

type Catalog = Record<string, string>;

// One language's catalog, fetched when first read (vite.config.ts builds each: a key missing from
// it falls back to English rather than to its id).
const LOADERS: Record<Locale, () => Promise<{ default: Catalog }>> = {
  en: () => import('virtual:catalog/en'),
  cs: () => import('virtual:catalog/cs'),
  ar: () => import('virtual:catalog/ar'),
};

/** The catalog on screen: every catalog holds every key, so any one answers isMessageId. */
let shown: Catalog = {};

const STORAGE_KEY = 'candor.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

function initialLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage may be unavailable (private modes): fall through to the browser's languages.
  }
  for (const tag of navigator.languages ?? []) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}

function applyLocaleToPage(locale: Locale) {
  document.documentElement.lang = locale;
  document.documentElement.dir = locale === 'ar' ? 'rtl' : 'ltr';
  setApiLanguage(locale);
}

interface LocaleContextValue {
  locale: Locale;
  setLocale(locale: Locale): void;
}

const LocaleContext = createContext<LocaleContextValue>({ locale: 'en', setLocale: () => undefined });

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const chosen = initialLocale();
    applyLocaleToPage(chosen);
    return chosen;
  });
  const setLocale = useCallback((next: Locale) => {
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered on this device; the account setting still applies.
    }
    setLocaleState(next);
  }, []);
  // The page keeps its language until the next one's catalog has arrived.
  const [loaded, setLoaded] = useState<{ locale: Locale; messages: Catalog } | null>(null);
  useEffect(() => {
    let current = true;
    void LOADERS[locale]().then(({ default: messages }) => {
      if (!current) return;
      shown = messages;
      applyLocaleToPage(locale);
      setLoaded({ locale, messages });
    });
    return () => {
      current = false;
    };
  }, [locale]);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  if (!loaded) return null;
  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider
        locale={loaded.locale}
        messages={loaded.messages}
        defaultLocale="en"
        onError={reportIntlError}
      >
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

// Every catalog is complete by construction (English fills any gap) and a catalog test checks
// the keys, so an error here is a real one (a bad date, a value a message lacks): it is reported
// on the console, where the browser tests fail on it, never silenced.
function reportIntlError(error: unknown) {
  reportProblem(error);
}

/** A formatting problem, on the console: the one place the app writes there. */
export function reportProblem(...details: unknown[]) {
  // eslint-disable-next-line no-console -- reported, never silenced (issue 13, item 1)
  console.error(...details);
}

export function useLocale(): LocaleContextValue {
  return useContext(LocaleContext);
}

/**
 * A message by its key, checked against the English catalog at compile time. A value ending with
 * its own full stop closes the message's sentence without a second one (src/platform/sentence-end.ts).
 */
export function T({ id, values }: { id: MessageId; values?: Values }) {
  const intl = useIntl();
  const marked = markFinalStops(values);
  const formatted: string | ReactNode[] = intl.formatMessage({ id }, marked ?? values);
  const settle = (text: string) => (marked ? settleFinalStops(text) : text);
  if (typeof formatted === 'string') return settle(formatted);
  // A value given as an element (a name in <bdi>) whose text ends with a stop absorbs the stop after it.
  const parts = formatted.map((part, index) =>
    typeof part !== 'string'
      ? part
      : settle(
          part.startsWith('.') && index > 0 && endsWithStop(formatted[index - 1]) ? part.slice(1) : part,
        ),
  );
  return createElement(Fragment, null, ...parts);
}

/** Whether an element value's text ends with a full stop. */
function endsWithStop(node: ReactNode): boolean {
  if (typeof node === 'string') return node.endsWith('.');
  if (Array.isArray(node)) return node.length > 0 && endsWithStop(node[node.length - 1] as ReactNode);
  if (isValidElement<{ children?: ReactNode }>(node)) return endsWithStop(node.props.children);
  return false;
}

export function useT() {
  const intl = useIntl();
  return useCallback(
    (id: MessageId, values?: Record<string, string | number | Date>) => {
      const marked = markFinalStops(values);
      const text = intl.formatMessage({ id }, marked ?? values);
      return marked ? settleFinalStops(text) : text;
    },
    [intl],
  );
}

/** Whether a key built at run time (an event kind, a task kind) names a message. */
export function isMessageId(id: string): id is MessageId {
  return Object.prototype.hasOwnProperty.call(shown, id);
}

/** The zone the app shows times in: the organization's once signed in (SessionProvider), else the viewer's. */
const TimeZoneContext = createContext<string | undefined>(undefined);

export function TimeZoneProvider({ zone, children }: { zone: string | undefined; children: ReactNode }) {
  return <TimeZoneContext.Provider value={zone}>{children}</TimeZoneContext.Provider>;
}

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone times are shown and entered in: the organization's, else the viewer's. */
export function useTimeZone(): string {
  return useContext(TimeZoneContext) ?? viewerZone();
}

/**
 * An instant in the interface language (src/platform/time-format.ts, shared with the server), in
 * the zone given (a clock's jurisdiction), else the organization's, else the viewer's, always with
 * the zone's name. A value that cannot be shown is reported on the console and shown in UTC.
 */
export function useFormatInstant() {
  const { locale } = useLocale();
  const zone = useContext(TimeZoneContext);
  return useCallback(
    (value: string | Date | null | undefined, timeZone?: string, style: TimeStyle = 'dateTime') => {
      if (!value) return '';
      try {
        return formatTime(value, { locale, timeZone: timeZone ?? zone ?? viewerZone(), style });
      } catch (error) {
        reportProblem('A time could not be shown', value, timeZone ?? zone, error);
        try {
          return utcInstant(value);
        } catch {
          return String(value);
        }
      }
    },
    [locale, zone],
  );
}

/** A zone by the name readers know in their language, its IANA id on hover. */
export function ZoneName({ zone }: { zone: string }) {
  const { locale } = useLocale();
  let name = zone;
  try {
    name = zoneName(zone, locale);
  } catch (error) {
    reportProblem('A time zone could not be named', zone, zone, error);
  }
  return (
    <span title={zone} data-zone={zone}>
      {name}
    </span>
  );
}

/** Dates and times in the interface language and the organization's zone. */
export const useFormatDate = useFormatInstant;

/** A <time> element: the instant as useFormatInstant shows it, the UTC instant on hover. */
export function Time({
  value,
  timeZone,
  style,
}: {
  value: string | Date | null | undefined;
  timeZone?: string;
  style?: TimeStyle;
}) {
  const format = useFormatInstant();
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  const valid = !Number.isNaN(date.getTime());
  return (
    <time dateTime={valid ? date.toISOString() : undefined} title={valid ? utcInstant(date) : undefined}>
      {format(value, timeZone, style)}
    </time>
  );
}

/** A country or subdivision code (CZ, US-CA) named in the interface language. */
export function useRegionName() {
  const { locale } = useLocale();
  return useMemo(() => {
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames([locale], { type: 'region' });
    } catch {
      names = undefined;
    }
    return (code: string) => {
      const [country, subdivision] = code.toUpperCase().split('-');
      let name: string | undefined;
      try {
        name = country ? names?.of(country) : undefined;
      } catch {
        name = undefined;
      }
      if (!name || name === country) return code;
      return subdivision ? `${name} (${code})` : name;
    };
  }, [locale]);
}

/** A language code (cs, ar, pt-BR) named in the interface language; an unknown code as written. */
export function useLanguageName() {
  const { locale } = useLocale();
  return useMemo(() => {
    let names: Intl.DisplayNames | undefined;
    try {
      names = new Intl.DisplayNames([locale], { type: 'language' });
    } catch {
      names = undefined;
    }
    return (code: string) => {
      try {
        return names?.of(code) ?? code;
      } catch {
        return code;
      }
    };
  }, [locale]);
}

/** Each language named in itself, the way a language menu should show it. */
export const LANGUAGE_NAMES: Record<Locale, MessageId> = {
  en: 'app.language.en',
  cs: 'app.language.cs',
  ar: 'app.language.ar',
};

/** A list of words as the interface language joins them ("a, b and c", "a، b و c"), not with a Latin comma. */
export function useListFormat() {
  const { locale } = useLocale();
  return useMemo(() => {
    let format: Intl.ListFormat | undefined;
    try {
      format = new Intl.ListFormat([locale], { style: 'long', type: 'conjunction' });
    } catch {
      format = undefined;
    }
    return (items: readonly string[]) => (format ? format.format(items) : items.join(', '));
  }, [locale]);
}

/**
 * Shows the page in a language someone else picked for the visitor (an invitation's), unless the
 * visitor already chose one on this device; not remembered as their choice.
 */
export function useSuggestedLocale(suggested: string | undefined) {
  const { setLocale } = useLocale();
  useEffect(() => {
    if (!isLocale(suggested)) return;
    try {
      if (window.localStorage.getItem(STORAGE_KEY) !== null) return;
      setLocale(suggested);
      window.localStorage.removeItem(STORAGE_KEY);
    } catch {
      // No storage: nothing was chosen on this device either.
      setLocale(suggested);
    }
  }, [suggested, setLocale]);
}
