// The frame every public trust-center page shares (site-render.tsx): the document, its language
// and direction, hreflang alternates, the brand, the language switcher, the footer; and the pieces
// that keep staff text safe and readable in every direction.
import { Fragment, type ReactNode } from 'react';
import { direction, LOCALES, t, type Locale, type MessageKey } from '../../platform/i18n.js';
import { formatTime } from '../../platform/time-format.js';
import { pickLanguage, type SiteView, type UpdateStatus } from './trust-model.js';

export interface PageContext {
  /** the reader's language, from the URL prefix */
  locale: Locale;
  /** the public URL of this server (`https://status.example.com`), for absolute hreflang links */
  origin: string;
  stylesheetHref: string;
  /** the organization's colour, a stylesheet of its own (site-style.ts, brandStylesheet) */
  brandStylesheetHref: string;
  /** where a customer checks a message they received; `/verify` unless told */
  verifyPath?: string;
}

const seg = encodeURIComponent;
export const siteHomePath = (slug: string, locale: Locale) => `/trust/${seg(slug)}/${locale}/`;
export const incidentPagePath = (slug: string, locale: Locale, publicId: string) =>
  `/trust/${seg(slug)}/${locale}/incidents/${seg(publicId)}`;

// Explicit embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069) in staff text
// could reorder what surrounds them (a "Trojan Source" spoof); the markup isolates instead.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
export const clean = (text: string) => text.replace(BIDI_CONTROLS, '');

/** An address to link to only when it is http(s); anything else (javascript:, data:) is not linked. */
export function webUrl(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** A path on this server ("/lookup/…"), never another origin ("//evil", "/\evil") or a scheme. */
export function localPath(value: string | null): string | undefined {
  if (!value || !/^\/(?![/\\])/.test(value) || /[\s\\]/.test(value)) return undefined;
  return value;
}

const EMAIL = /^[^\s@<>()[\]"',;:?&\\/]+@[^\s@<>()[\]"',;:?&\\/]+\.[^\s@<>()[\]"',;:?&\\/]+$/;

/** The support addresses worth linking to: an http(s) website, a plain e-mail address. */
export function supportOf(site: SiteView) {
  return {
    url: webUrl(site.supportUrl),
    email: site.supportEmail && EMAIL.test(site.supportEmail) ? site.supportEmail : undefined,
  };
}

/** A logo is served by this server (accounts' /api/public/logos/…): the site's CSP allows images from 'self' only. */
const logoSrc = localPath;

/**
 * A catalog message with shown values (`isolated`: names, addresses, times, elements) each in a
 * <bdi>, so a Latin name or address inside Arabic text (or the reverse) keeps its own direction;
 * `values` are arguments the message chooses by (plural counts, select keys).
 */
export function Message({
  locale,
  id,
  isolated,
  values = {},
}: {
  locale: Locale;
  id: MessageKey;
  isolated: Record<string, ReactNode>;
  values?: Record<string, string | number>;
}) {
  const nodes: ReactNode[] = [];
  const marked: Record<string, string | number> = { ...values };
  for (const [name, value] of Object.entries(isolated)) {
    // Private-use marks stand in for the element while the message is formatted, then split on
    // (not U+E000, which platform/sentence-end.ts uses).
    marked[name] = `\uE100${nodes.length}\uE101`;
    nodes.push(typeof value === 'string' ? clean(value) : value);
  }
  const parts = t(locale, id, marked).split(/\uE100(\d+)\uE101/);
  return (
    <>
      {parts.map((part, i) => {
        if (i % 2 === 1) return <bdi key={i}>{nodes[Number(part)]}</bdi>;
        // A name ending with its own stop ("Acme s.r.o.") closes the message's sentence (sentence-end.ts).
        const before = nodes[Number(parts[i - 1])];
        return typeof before === 'string' && before.endsWith('.') && part.startsWith('.')
          ? part.slice(1)
          : part;
      })}
    </>
  );
}

/** An instant in the site's zone. Shown in the organization's zone, named: without JavaScript the
 * reader's zone is unknowable, and a named zone cannot be mistaken for the reader's own. */
export function Time({ at, site, locale }: { at: string; site: SiteView; locale: Locale }) {
  return (
    <time dateTime={new Date(at).toISOString()}>{formatTime(at, { locale, timeZone: site.timeZone })}</time>
  );
}

const STATUS_KEYS: Record<UpdateStatus, MessageKey> = {
  investigating: 'trust.site.status.investigating',
  identified: 'trust.site.status.identified',
  contained: 'trust.site.status.contained',
  resolved: 'trust.site.status.resolved',
};

export function Status({ status, locale }: { status: UpdateStatus; locale: Locale }) {
  return <span className={`status status-${status}`}>{t(locale, STATUS_KEYS[status])}</span>;
}

export type Picked<T> = NonNullable<ReturnType<typeof pickLanguage<T>>>;

/** Where staff text is shown: in its own language, dir="auto" per block (staff may mix scripts);
 * a fallback carries its language's lang and dir, after a "translation pending" line. */
export function langProps<T>(picked: Picked<T>): { lang?: Locale; dir: 'ltr' | 'rtl' | 'auto' } {
  return picked.pending ? { lang: picked.locale, dir: direction(picked.locale) } : { dir: 'auto' };
}

export function Pending({
  picked,
  locale,
}: {
  picked: { locale: Locale; pending: boolean };
  locale: Locale;
}) {
  if (!picked.pending) return null;
  return <p className="pending">{t(locale, 'trust.site.pending', { language: picked.locale })}</p>;
}

/** Plain staff text: paragraphs split on blank lines, single newlines kept as line breaks. */
export function Paragraphs({
  text,
  block,
}: {
  text: string;
  block: { lang?: Locale; dir: 'ltr' | 'rtl' | 'auto' };
}) {
  const paragraphs = clean(text)
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <>
      {paragraphs.map((paragraph, i) => (
        <p key={i} {...block}>
          {paragraph.split('\n').map((line, j) => (
            <Fragment key={j}>
              {j > 0 && <br />}
              {line}
            </Fragment>
          ))}
        </p>
      ))}
    </>
  );
}

interface LayoutProps {
  ctx: PageContext;
  site: SiteView | null;
  title: string;
  /** the same page in another language, or null when it has no address of its own */
  pathFor: ((locale: Locale) => string) | null;
  children: ReactNode;
}

export function Layout({ ctx, site, title, pathFor, children }: LayoutProps) {
  const { locale } = ctx;
  const absolute = (path: string) => new URL(path, ctx.origin).href;
  const name = site ? clean(site.brand.name) : '';
  const logo = site ? logoSrc(site.brand.logoUrl) : undefined;
  const { url: supportUrl, email: supportEmail } = site ? supportOf(site) : {};
  const verifyPath = ctx.verifyPath ?? '/verify';
  return (
    <html lang={locale} dir={direction(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="stylesheet" href={ctx.stylesheetHref} />
        {site && <link rel="stylesheet" href={ctx.brandStylesheetHref} />}
        {pathFor &&
          LOCALES.map((l) => <link key={l} rel="alternate" hrefLang={l} href={absolute(pathFor(l))} />)}
        {pathFor && site && (
          <link rel="alternate" hrefLang="x-default" href={absolute(pathFor(site.defaultLocale))} />
        )}
      </head>
      <body>
        <a className="skip" href="#main">
          {t(locale, 'trust.site.skip')}
        </a>
        <header className="site-header">
          <div className="wrap">
            {site && (
              <a className="brand" href={siteHomePath(site.slug, locale)} dir="auto">
                {logo && <img src={logo} alt={name} height={40} />}
                {/* the logo's alt already names the organization: the name is shown beside it once */}
                {logo ? <span aria-hidden="true">{name}</span> : <span>{name}</span>}
              </a>
            )}
            {pathFor && (
              <nav className="languages" aria-label={t(locale, 'trust.site.languages')}>
                <ul>
                  {LOCALES.map((l) => (
                    <li key={l}>
                      <a
                        href={pathFor(l)}
                        lang={l}
                        hrefLang={l}
                        dir={direction(l)}
                        aria-current={l === locale ? 'page' : undefined}
                      >
                        {t(l, `app.language.${l}`)}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
          </div>
        </header>
        <main id="main" className="wrap">
          {children}
        </main>
        <footer className="site-footer">
          <div className="wrap">
            {site && (supportEmail || supportUrl) && (
              <>
                <h2>{t(locale, 'trust.site.footer.support')}</h2>
                <ul>
                  {supportEmail && (
                    <li>
                      <Message
                        locale={locale}
                        id="trust.site.footer.email"
                        isolated={{
                          email: (
                            <a href={`mailto:${supportEmail}`} dir="ltr">
                              {supportEmail}
                            </a>
                          ),
                        }}
                      />
                    </li>
                  )}
                  {supportUrl && (
                    <li>
                      <a href={supportUrl}>{t(locale, 'trust.site.footer.website')}</a>
                    </li>
                  )}
                </ul>
              </>
            )}
            <p>
              <a href={verifyPath}>{t(locale, 'trust.site.footer.verify')}</a>
              {site && (
                <>
                  {' — '}
                  <Message locale={locale} id="trust.site.footer.verifyWhy" isolated={{ name }} />
                </>
              )}
            </p>
            <p className="powered">
              <Message
                locale={locale}
                id="trust.site.poweredBy"
                isolated={{ product: t(locale, 'app.brand') }}
              />
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}
