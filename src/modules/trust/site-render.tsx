// The public trust-center pages (issue 15), rendered on the server to plain HTML: readable with no
// JavaScript at all, styled only by stylesheet files (the CSP forbids inline styles). Views in,
// HTML strings out: no database, no HTTP.
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { t, type Locale } from '../../platform/i18n.js';
import { zoneName } from '../../platform/time-format.js';
import {
  clean,
  incidentPagePath,
  langProps,
  Layout,
  localPath,
  Message,
  Paragraphs,
  Pending,
  siteHomePath,
  Status,
  supportOf,
  Time,
  type PageContext,
} from './site-layout.js';
import {
  pickLanguage,
  type PerLanguage,
  type PublicIncidentView,
  type SiteHomeView,
  type SiteView,
} from './trust-model.js';

export { incidentPagePath, siteHomePath, type PageContext } from './site-layout.js';

function incidentTitle(incident: PublicIncidentView, site: SiteView, locale: Locale) {
  const picked = pickLanguage(incident.texts, locale, site.defaultLocale);
  return {
    picked,
    title: picked
      ? clean(picked.text.title)
      : t(locale, 'trust.site.incident.untitled', { id: incident.publicId }),
  };
}

// React writes a few attribute names in its props' camel case (charSet, hrefLang, dateTime); HTML
// reads them either way, validators want lower case. `name="` occurs only in markup: React escapes
// every quote in text and in attribute values.
const CAMEL_ATTRIBUTES = / (charSet|hrefLang|dateTime)="/g;
const page = (element: ReactNode) =>
  `<!doctype html>${renderToStaticMarkup(element).replace(CAMEL_ATTRIBUTES, (_, name: string) => ` ${name.toLowerCase()}="`)}`;

const isOpen = (incident: PublicIncidentView) => incident.status !== 'resolved';
const newestFirst = <T extends { publishedAt: string }>(items: T[]) =>
  [...items].sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt));
const lastUpdateAt = (incident: PublicIncidentView) =>
  newestFirst(incident.updates)[0]?.publishedAt ?? incident.publishedAt;

function IncidentList({
  incidents,
  site,
  locale,
}: {
  incidents: PublicIncidentView[];
  site: SiteView;
  locale: Locale;
}) {
  return (
    <ul className="incidents">
      {incidents.map((incident) => {
        const { picked, title } = incidentTitle(incident, site, locale);
        return (
          <li key={incident.publicId}>
            <h3 {...(picked ? langProps(picked) : {})}>
              <a href={incidentPagePath(site.slug, locale, incident.publicId)}>{title}</a>
            </h3>
            <p className="meta">
              <Status status={incident.status} locale={locale} />{' '}
              <Message
                locale={locale}
                id="trust.site.home.lastUpdate"
                isolated={{ time: <Time at={lastUpdateAt(incident)} site={site} locale={locale} /> }}
              />
              {picked?.pending && (
                <>
                  {' · '}
                  <span className="pending">{t(locale, 'trust.site.pendingShort')}</span>
                </>
              )}
            </p>
          </li>
        );
      })}
    </ul>
  );
}

function TimesNote({ site, locale }: { site: SiteView; locale: Locale }) {
  return (
    <p className="times">
      <Message locale={locale} id="trust.site.times" isolated={{ zone: zoneName(site.timeZone, locale) }} />
    </p>
  );
}

/** The site's home: the current status, open incidents, then those resolved in the last 90 days. */
export function renderSiteHome(view: SiteHomeView, ctx: PageContext): string {
  const { site } = view;
  const { locale } = ctx;
  const open = view.incidents.filter(isOpen);
  const resolved = view.incidents.filter((incident) => !isOpen(incident));
  const name = clean(site.brand.name);
  return page(
    <Layout
      ctx={ctx}
      site={site}
      title={t(locale, 'trust.site.title.home', { name })}
      pathFor={(l) => siteHomePath(site.slug, l)}
    >
      <h1>{t(locale, 'trust.site.home.heading')}</h1>
      {open.length === 0 ? (
        <p className="all-clear">{t(locale, 'trust.site.home.allClear')}</p>
      ) : (
        <>
          <p className="open-notice">{t(locale, 'trust.site.home.openCount', { count: open.length })}</p>
          <h2>{t(locale, 'trust.site.home.open')}</h2>
          <IncidentList incidents={open} site={site} locale={locale} />
        </>
      )}
      <h2>{t(locale, 'trust.site.home.resolved')}</h2>
      {resolved.length === 0 ? (
        <p>{t(locale, 'trust.site.home.noneResolved')}</p>
      ) : (
        <IncidentList incidents={resolved} site={site} locale={locale} />
      )}
      <TimesNote site={site} locale={locale} />
    </Layout>,
  );
}

/** The first update, newest first, whose words in the reader's language ask something of customers. */
function latestActions(updates: PublicIncidentView['updates'], site: SiteView, locale: Locale) {
  for (const update of updates) {
    const picked = pickLanguage(update.texts, locale, site.defaultLocale);
    if (picked && picked.text.customerActions.trim()) return picked;
  }
  return undefined;
}

function StaffBlock<T>({
  texts,
  site,
  locale,
  show,
}: {
  texts: PerLanguage<T>;
  site: SiteView;
  locale: Locale;
  show: (text: T, block: { lang?: Locale; dir: 'ltr' | 'rtl' | 'auto' }) => ReactNode;
}) {
  const picked = pickLanguage(texts, locale, site.defaultLocale);
  if (!picked) return null;
  return (
    <>
      <Pending picked={picked} locale={locale} />
      {show(picked.text, langProps(picked))}
    </>
  );
}

/** An incident's page: its words, status, what to do now and its updates, newest first. */
export function renderIncidentPage(site: SiteView, incident: PublicIncidentView, ctx: PageContext): string {
  const { locale } = ctx;
  const { picked, title } = incidentTitle(incident, site, locale);
  const updates = newestFirst(incident.updates);
  const actions = latestActions(updates, site, locale);
  const nextUpdateBy = incident.status === 'resolved' ? null : (updates[0]?.nextUpdateBy ?? null);
  const lookupPath = localPath(incident.lookupPath);
  const support = supportOf(site);
  const heading = picked ? langProps(picked) : {};
  return page(
    <Layout
      ctx={ctx}
      site={site}
      title={t(locale, 'trust.site.title.incident', { title, name: clean(site.brand.name) })}
      pathFor={(l) => incidentPagePath(site.slug, l, incident.publicId)}
    >
      <p>
        <a href={siteHomePath(site.slug, locale)}>{t(locale, 'trust.site.incident.back')}</a>
      </p>
      {picked && <Pending picked={picked} locale={locale} />}
      <h1 {...heading}>{title}</h1>
      <p className="meta">
        <Status status={incident.status} locale={locale} />{' '}
        <Message
          locale={locale}
          id="trust.site.incident.firstPublished"
          isolated={{ time: <Time at={incident.publishedAt} site={site} locale={locale} /> }}
        />
      </p>
      {picked && <Paragraphs text={picked.text.summary} block={langProps(picked)} />}
      {nextUpdateBy && (
        <p className="next-update">
          <Message
            locale={locale}
            id="trust.site.incident.nextUpdate"
            isolated={{ time: <Time at={nextUpdateBy} site={site} locale={locale} /> }}
          />
        </p>
      )}
      {actions && (
        <section className="actions" aria-labelledby="actions">
          <h2 id="actions">{t(locale, 'trust.site.incident.actions')}</h2>
          <Pending picked={actions} locale={locale} />
          <Paragraphs text={actions.text.customerActions} block={langProps(actions)} />
        </section>
      )}
      <ul className="links">
        {lookupPath && (
          <li>
            <a href={lookupPath}>{t(locale, 'trust.site.incident.affected')}</a>
          </li>
        )}
        {support.url && (
          <li>
            <a href={support.url}>{t(locale, 'trust.site.footer.website')}</a>
          </li>
        )}
        {support.email && (
          <li>
            <a href={`mailto:${support.email}`}>{t(locale, 'trust.site.footer.support')}</a>
          </li>
        )}
        <li>
          <a href={ctx.verifyPath ?? '/verify'}>{t(locale, 'trust.site.footer.verify')}</a>
        </li>
      </ul>
      <h2>{t(locale, 'trust.site.incident.updates')}</h2>
      <TimesNote site={site} locale={locale} />
      <ol className="timeline">
        {updates.map((update) => (
          <li key={update.id}>
            <h3>
              <Status status={update.status} locale={locale} />
            </h3>
            <p className="meta">
              <Time at={update.publishedAt} site={site} locale={locale} />
            </p>
            <StaffBlock
              texts={update.texts}
              site={site}
              locale={locale}
              show={(text, block) => <Paragraphs text={text.message} block={block} />}
            />
          </li>
        ))}
      </ol>
    </Layout>,
  );
}

/** A site, incident or language that does not exist: no organization's brand, no alternates. */
export function renderSiteNotFound(ctx: PageContext): string {
  const { locale } = ctx;
  return page(
    <Layout ctx={ctx} site={null} title={t(locale, 'trust.site.notFound.title')} pathFor={null}>
      <h1>{t(locale, 'trust.site.notFound.title')}</h1>
      <p>{t(locale, 'trust.site.notFound.body')}</p>
    </Layout>,
  );
}
