import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import { direction, LOCALES, t, type Locale } from '../../platform/i18n.js';
import { formatTime, zoneName } from '../../platform/time-format.js';
import { renderIncidentPage, renderSiteHome, renderSiteNotFound, type PageContext } from './site-render.js';
import { brandStylesheet, NEUTRAL_ACCENT, SITE_STYLESHEET } from './site-style.js';
import type { PublicIncidentView, PublishedUpdateView, SiteView } from './trust-model.js';

const ORIGIN = 'https://trust.example.org';
const ctx = (locale: Locale): PageContext => ({
  locale,
  origin: ORIGIN,
  stylesheetHref: '/trust/site.css',
  brandStylesheetHref: '/trust/acme/brand.css',
});

const site: SiteView = {
  slug: 'acme',
  brand: { name: 'Acme Bank', color: '#0A7C3E', logoUrl: '/api/public/logos/acme-1' },
  timeZone: 'Europe/Prague',
  defaultLocale: 'en',
  supportEmail: 'help@acme.example',
  supportUrl: 'https://acme.example/support',
};

const older: PublishedUpdateView = {
  id: 'u1',
  status: 'investigating',
  texts: {
    en: { message: 'We are looking into it.', customerActions: 'Change your password.\nThen sign in again.' },
    cs: { message: 'Prošetřujeme to.', customerActions: 'Změňte si heslo.\nPak se znovu přihlaste.' },
    ar: { message: 'نحن نحقق في الأمر.', customerActions: 'غيّر كلمة المرور.\nثم سجّل الدخول مجددًا.' },
  },
  publishedAt: '2026-03-01T09:00:00Z',
  nextUpdateBy: '2026-03-01T18:00:00Z',
};
const newer: PublishedUpdateView = {
  id: 'u2',
  status: 'contained',
  texts: {
    en: { message: 'The attacker is locked out.\n\nNo card data was taken.', customerActions: '' },
    cs: { message: 'Útočník už nemá přístup.\n\nÚdaje o kartách odcizeny nebyly.', customerActions: '' },
    ar: { message: 'تم منع المهاجم من الوصول.\n\nلم تُسرق بيانات البطاقات.', customerActions: '' },
  },
  publishedAt: '2026-03-02T15:30:00Z',
  nextUpdateBy: '2026-03-03T12:00:00Z',
};

/** An open incident written in en and ar only: a Czech reader sees English with a pending note. */
const open: PublicIncidentView = {
  publicId: 'Xk3pQ9',
  texts: {
    en: {
      title: 'Unauthorized access to customer accounts',
      summary: 'Someone signed in with stolen passwords.',
    },
    ar: { title: 'وصول غير مصرّح به إلى حسابات العملاء', summary: 'سجّل شخص ما الدخول بكلمات مرور مسروقة.' },
  },
  status: 'contained',
  publishedAt: '2026-03-01T09:00:00Z',
  // in the wrong order on purpose: the page shows the newest first
  updates: [older, newer],
  lookupPath: '/lookup/acme/Xk3pQ9',
};
const resolved: PublicIncidentView = {
  publicId: 'Rr7Tt2',
  texts: { en: { title: 'Phishing e-mails in our name', summary: 'Fake notices were sent.' } },
  status: 'resolved',
  publishedAt: '2026-02-10T08:00:00Z',
  updates: [
    {
      id: 'u3',
      status: 'resolved',
      texts: { en: { message: 'The sending domain was taken down.', customerActions: '' } },
      publishedAt: '2026-02-12T08:00:00Z',
      nextUpdateBy: null,
    },
  ],
  lookupPath: null,
};

const validator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Our doctype is `<!doctype html>` (the brief's and WHATWG's own examples); case is not meaning.
    'doctype-style': 'off',
    // React writes void elements as `<br/>`, which HTML parses exactly as `<br>`.
    'void-style': 'off',
  },
});

// A staff-written title as long as the payloads makes a long <title>: the author's matter, not markup's.
const hostileValidator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: { 'doctype-style': 'off', 'void-style': 'off', 'long-title': 'off' },
});

async function expectValid(html: string, using = validator) {
  const report = await using.validateString(html);
  const messages = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`));
  expect(messages).toEqual([]);
}

const tags = (html: string) => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

describe.each(LOCALES)('the site in %s', (locale) => {
  const home = renderSiteHome({ site, incidents: [open, resolved] }, ctx(locale));
  const page = renderIncidentPage(site, open, ctx(locale));

  it('says its language and direction, with hreflang alternates and a switcher', () => {
    for (const [html, path] of [
      [home, (l: Locale) => `/trust/acme/${l}/`],
      [page, (l: Locale) => `/trust/acme/${l}/incidents/Xk3pQ9`],
    ] as const) {
      expect(html.startsWith(`<!doctype html><html lang="${locale}" dir="${direction(locale)}">`)).toBe(true);
      for (const l of LOCALES) {
        expect(html).toContain(`<link rel="alternate" hreflang="${l}" href="${ORIGIN}${path(l)}"/>`);
        const current = l === locale ? ' aria-current="page"' : '';
        expect(html).toContain(
          `<a href="${path(l)}" lang="${l}" hreflang="${l}" dir="${direction(l)}"${current}>${t(l, `app.language.${l}`)}</a>`,
        );
      }
      expect(html).toContain(`<link rel="alternate" hreflang="x-default" href="${ORIGIN}${path('en')}"/>`);
      expect(html.match(/aria-current/g)).toHaveLength(1);
      expect(html).toContain('<a class="skip" href="#main">');
      expect(html).toContain('<main id="main"');
      expect(html).toContain('<img src="/api/public/logos/acme-1" alt="Acme Bank"');
      expect(html).toContain('<a href="/verify">');
      expect(html).toContain('<a href="mailto:help@acme.example" dir="ltr">help@acme.example</a>');
    }
  });

  it('shows the home with open incidents first and the resolved ones after', () => {
    expect(home).toContain(t(locale, 'trust.site.home.openCount', { count: 1 }));
    expect(home).not.toContain(t(locale, 'trust.site.home.allClear'));
    expect(home.indexOf('/incidents/Xk3pQ9')).toBeLessThan(
      home.indexOf(t(locale, 'trust.site.home.resolved')),
    );
    expect(home.indexOf(t(locale, 'trust.site.home.resolved'))).toBeLessThan(
      home.indexOf('/incidents/Rr7Tt2'),
    );
    expect(home).toContain(t(locale, 'trust.site.status.contained'));
    // the last update's time, not the first publication's
    expect(home).toContain(
      `<time datetime="2026-03-02T15:30:00.000Z">${formatTime(newer.publishedAt, { locale, timeZone: 'Europe/Prague' })}</time>`,
    );
  });

  it('says all clear when no incident is open', () => {
    const calm = renderSiteHome({ site, incidents: [resolved] }, ctx(locale));
    expect(calm).toContain(t(locale, 'trust.site.home.allClear'));
    const empty = renderSiteHome({ site, incidents: [] }, ctx(locale));
    expect(empty).toContain(t(locale, 'trust.site.home.noneResolved'));
  });

  it('shows the timeline newest first, in the organization’s zone named, with the next update promised', () => {
    const at = (iso: string) => formatTime(iso, { locale, timeZone: 'Europe/Prague' });
    expect(page).toContain(`<time datetime="2026-03-02T15:30:00.000Z">${at(newer.publishedAt)}</time>`);
    expect(page).toContain(`<time datetime="2026-03-01T09:00:00.000Z">${at(older.publishedAt)}</time>`);
    expect(page.indexOf('2026-03-02T15:30')).toBeLessThan(
      page.indexOf('datetime="2026-03-01T09:00:00.000Z"', page.indexOf('timeline')),
    );
    expect(page).toContain(`<bdi>${zoneName('Europe/Prague', locale)}</bdi>`);
    const [before] = t(locale, 'trust.site.incident.nextUpdate', { time: '\u0000' }).split('\u0000');
    expect(page).toContain(
      `${before}<bdi><time datetime="2026-03-03T12:00:00.000Z">${at('2026-03-03T12:00:00Z')}</time></bdi>`,
    );
    // "what you should do now" from the latest update that has some (the older one here)
    const actions = older.texts[locale]!.customerActions.split('\n');
    expect(page).toContain(`${actions[0]}<br/>${actions[1]}`);
    // blank lines make paragraphs
    const [first, second] = newer.texts[locale]!.message.split('\n\n');
    expect(page).toContain(`>${first}</p><p dir="auto">${second}</p>`);
    expect(page).toContain('<a href="/lookup/acme/Xk3pQ9">');
    expect(page).toContain('<a href="https://acme.example/support">');
  });

  it('passes html-validate', async () => {
    await expectValid(home);
    await expectValid(page);
    await expectValid(renderSiteHome({ site, incidents: [] }, ctx(locale)));
    await expectValid(renderSiteNotFound(ctx(locale)));
  });
});

describe('a language without its version', () => {
  it('shows the fallback with its own lang and dir after a note in the reader’s language', () => {
    const page = renderIncidentPage(site, open, ctx('cs'));
    expect(page).toContain(`<p class="pending">${t('cs', 'trust.site.pending', { language: 'en' })}</p>`);
    expect(t('cs', 'trust.site.pending', { language: 'en' })).toContain('angličtině');
    expect(page).toContain(`<h1 lang="en" dir="ltr">${open.texts.en!.title}</h1>`);
    expect(page).toContain(`<p lang="en" dir="ltr">${open.texts.en!.summary}</p>`);
    // the updates have Czech: shown as written, in dir="auto" blocks, with no note
    expect(page).toContain(`<p dir="auto">${older.texts.cs!.message}</p>`);
    expect(page.match(/class="pending"/g)).toHaveLength(1);

    const home = renderSiteHome({ site, incidents: [open, resolved] }, ctx('ar'));
    expect(home).toContain(
      `<h3 dir="auto"><a href="/trust/acme/ar/incidents/Xk3pQ9">${open.texts.ar!.title}</a></h3>`,
    );
    expect(home).toContain(`<h3 lang="en" dir="ltr"><a href="/trust/acme/ar/incidents/Rr7Tt2">`);
    expect(home).toContain(t('ar', 'trust.site.pendingShort'));
  });

  it('isolates Latin names and addresses inside Arabic text', () => {
    const page = renderIncidentPage(site, open, ctx('ar'));
    expect(page).toContain('<bdi>Acme Bank</bdi>');
    expect(page).toContain('<bdi><a href="mailto:help@acme.example" dir="ltr">help@acme.example</a></bdi>');
  });
});

describe('hostile text', () => {
  const PAYLOADS = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    'javascript:alert(1)',
    '\u202Egnp.exe',
    '</title><script>alert(2)</script>',
    `${'A'.repeat(500)}`,
    '{name} {0} <b>bold</b> &amp; &lt;',
  ];
  const hostile = (i: number) => PAYLOADS.join(` ${i} `);
  const texts = <T>(make: (i: number) => T) => ({ en: make(1), cs: make(2), ar: make(3) });
  const evilSite: SiteView = {
    ...site,
    slug: 'acme"><script>',
    brand: {
      name: hostile(0),
      color: 'red;}body{background:url(javascript:alert(1))',
      logoUrl: 'javascript:alert(1)',
    },
    supportEmail: '"><script>alert(1)</script>@x.example',
    supportUrl: 'javascript:alert(1)',
  };
  const evilUpdate = (id: string): PublishedUpdateView => ({
    id,
    status: 'investigating',
    texts: texts((i) => ({ message: hostile(i), customerActions: hostile(i + 10) })),
    publishedAt: '2026-03-01T09:00:00Z',
    nextUpdateBy: '2026-03-02T09:00:00Z',
  });
  const evil: PublicIncidentView = {
    publicId: '"><script>alert(1)</script>',
    texts: texts((i) => ({ title: hostile(i), summary: hostile(i + 20) })),
    status: 'investigating',
    publishedAt: '2026-03-01T09:00:00Z',
    updates: [evilUpdate('a'), evilUpdate('b')],
    lookupPath: 'javascript:alert(1)',
  };
  const pages = LOCALES.flatMap((locale) => [
    renderSiteHome({ site: evilSite, incidents: [evil] }, ctx(locale)),
    renderIncidentPage(evilSite, evil, ctx(locale)),
    renderIncidentPage(evilSite, { ...evil, lookupPath: '//evil.example/x' }, ctx(locale)),
    renderIncidentPage(evilSite, { ...evil, texts: { cs: evil.texts.cs } }, ctx(locale)),
  ]);

  it('is escaped everywhere, never markup, handler or script URL', () => {
    for (const html of pages) {
      expect(html).not.toMatch(/<script|<img src=x|<svg|<b>/i);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(html).not.toMatch(/(href|src)="\s*javascript:/i);
      expect(html).not.toContain('evil.example');
      for (const tag of tags(html)) {
        expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
        expect(tag).not.toMatch(/javascript:/i);
      }
      // no explicit bidi override survives to reorder what surrounds it
      expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
      expect(html).toContain('A'.repeat(500));
    }
  });

  it('shows no logo from elsewhere', () => {
    for (const logoUrl of [
      'https://evil.example/x.png',
      '//evil.example/x.png',
      'data:image/png;base64,AAAA',
    ]) {
      const html = renderSiteHome(
        { site: { ...site, brand: { ...site.brand, logoUrl } }, incidents: [] },
        ctx('en'),
      );
      expect(html).not.toContain('<img');
      expect(html).not.toMatch(/evil\.example|data:/);
    }
  });

  it('still makes valid pages', async () => {
    for (const html of pages) await expectValid(html, hostileValidator);
  });

  it('never reaches the brand stylesheet', () => {
    expect(brandStylesheet(evilSite.brand)).toBe(`:root { --accent: ${NEUTRAL_ACCENT}; }\n`);
    expect(brandStylesheet({ ...site.brand, color: '#0A7C3E' })).toBe(':root { --accent: #0a7c3e; }\n');
    expect(brandStylesheet({ ...site.brand, color: '#0A7C3E; } * { x: y' })).not.toContain('x: y');
    expect(brandStylesheet({ ...site.brand, color: null })).toContain(NEUTRAL_ACCENT);
  });
});

describe('the stylesheet', () => {
  // as test/catalogs.test.ts judges the admin app's CSS: an Arabic page mirrors only with logical properties
  const PHYSICAL =
    /(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|text-align\s*:\s*(left|right)|float\s*:\s*(left|right)|(?<![-\w])border-(top|bottom)-(left|right)-radius|(?<![-\w])(inset-)?(left|right)\b\s*:/;

  it('uses logical properties only', () => {
    const offenders = SITE_STYLESHEET.split('\n').filter((line) => PHYSICAL.test(line));
    expect(offenders).toEqual([]);
  });

  it('keeps focus visible, motion reduced on request, and prints', () => {
    expect(SITE_STYLESHEET).toContain(':focus-visible');
    expect(SITE_STYLESHEET).toContain('@media (prefers-reduced-motion: reduce)');
    expect(SITE_STYLESHEET).toContain('@media print');
    expect(SITE_STYLESHEET).not.toMatch(/@import|url\(/);
  });
});
