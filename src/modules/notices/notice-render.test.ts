import { describe, expect, it } from 'vitest';
import { t } from '../../platform/i18n.js';
import { INCIDENT_TYPES } from '../incidents/incident-model.js';
import { NOTICE_LOCALES, type NoticeLocale, type NoticeRecipient } from './notice-contracts.js';
import { emptyLocale, findTextProblem, isPlaceholder, namesIn } from './notice-model.js';
import { categoryList, compileNotice, missingFromRendering, type NoticeContext } from './notice-render.js';
import { NEUTRAL_BRAND } from './notice-email-layout.js';
import { templateFor } from './notice-templates.js';

const at = new Date('2026-03-01T23:30:00Z');
const context: NoticeContext = {
  noticeId: 'n',
  versionId: 'v',
  version: 1,
  kind: 'mandatory',
  incidentId: 'i',
  organization: 'Acme <Shop>',
  defaultLocale: 'en',
  timeZone: 'Europe/Prague',
  incidentDate: at,
  detectedDate: new Date('2026-03-02T10:00:00Z'),
  affectedCount: 1200,
  verifyUrl: 'https://candor.example/verify',
  lookupUrl: 'https://candor.example/affected/abc',
  supportUrl: 'https://help.example/',
};
const recipient = (over: Partial<NoticeRecipient>): NoticeRecipient => ({
  customerId: 'c',
  name: 'Jana <b>Nováková</b>',
  locale: 'ar',
  timeZone: 'Asia/Riyadh',
  categories: ['payment_card', 'credentials'],
  verificationCode: 'K7QF-2M9X-D4TA',
  ...over,
});
/** One text rendered as the e-mail's plain text for a recipient. */
const render = (text: string, locale: NoticeLocale, over: Partial<NoticeRecipient> = {}) => {
  const content = emptyLocale();
  content.parts.acknowledgement = text;
  return compileNotice(content, locale, context)(recipient({ locale, ...over })).text;
};
const CATEGORIES = [
  'contact_details',
  'payment_card',
  'credentials',
  'health',
  'financial',
  'identity',
] as const;
const some = (n: number) => CATEGORIES.slice(0, n) as unknown as NoticeRecipient['categories'];

describe('rendering notice texts', () => {
  it('counts categories with the system’s phrase in every Arabic plural form', () => {
    const forms = [0, 1, 2, 3].map((n) => render('{categoryCount}', 'ar', { categories: some(n) }));
    expect(forms).toEqual([
      'لا فئة من بياناتك',
      'فئة واحدة من بياناتك',
      'فئتان من بياناتك',
      '3 فئات من بياناتك',
    ]);
    expect(t('ar', 'notice.phrase.categoryCount', { count: 11 })).toBe('11 فئةً من بياناتك');
    expect(t('ar', 'notice.phrase.categoryCount', { count: 100 })).toBe('100 فئة من بياناتك');
  });

  it('counts in every Czech plural form, and the affected customers in each language', () => {
    const forms = [1, 3, 5].map((n) => render('{categoryCount}', 'cs', { categories: some(n) }));
    expect(forms).toEqual(['1 druh vašich údajů', '3 druhy vašich údajů', '5 druhů vašich údajů']);
    expect(t('cs', 'notice.phrase.categoryCount', { count: 1.5 })).toBe('1,5 druhu vašich údajů');
    expect(render('{affectedCount}', 'en')).toBe('1,200 customers');
    expect(render('{affectedCount}', 'cs')).toBe('1\u00A0200 zákazníků');
    expect(render('{affectedCount}', 'ar')).toBe('1,200 عميل');
  });

  it('names categories as a list in each language', () => {
    const categories = ['contact_details', 'payment_card', 'health'] as const;
    expect(categoryList('en', categories)).toBe('contact details, payment card data, and health data');
    expect(categoryList('cs', categories)).toMatch(
      /^kontaktní údaje, údaje platebních karet a\s+zdravotní údaje$/u,
    );
    expect(categoryList('ar', categories)).toContain(' و');
    expect(categoryList('ar', categories)).not.toBe(categoryList('en', categories));
  });

  it('writes dates in the recipient’s zone, else the organization’s, in their language', () => {
    expect(render('{incidentDate}', 'en', { timeZone: '' })).toBe('March 2, 2026');
    expect(render('{incidentDate}', 'en', { timeZone: 'Not/AZone' })).toBe('March 2, 2026');
    expect(render('{incidentDate}', 'en', { timeZone: 'UTC' })).toBe('March 1, 2026');
    // 23:30 UTC on 1 March is already 2 March in Prague and in Riyadh, still 1 March in New York.
    expect(render('{incidentDate}', 'en', { timeZone: 'America/New_York' })).toBe('March 1, 2026');
    expect(render('{incidentDate}', 'cs', { timeZone: 'Europe/Prague' })).toBe('2. března 2026');
    expect(render('{incidentDate}', 'ar', { timeZone: 'Asia/Riyadh' })).toBe('2 مارس 2026');
  });

  it('refuses a misspelt placeholder and bidi controls, naming the language and part; other braces are text', () => {
    const content = templateFor({ type: 'malware', hasSupportUrl: false, hasLookupUrl: false });
    expect(findTextProblem(content)).toBeUndefined();
    content.cs.parts.apology = 'Omlouváme se {name';
    expect(findTextProblem(content)).toBeUndefined();
    content.ar.parts.your_data = 'الرمز {verifcationCode}';
    expect(findTextProblem(content)).toEqual({
      locale: 'ar',
      field: 'your_data',
      problem: 'unknown_placeholder',
      detail: '{verifcationCode} → {verificationCode}',
    });
    content.ar.parts.your_data = '{VerifyURL}';
    expect(findTextProblem(content)).toMatchObject({ detail: '{VerifyURL} → {verifyUrl}' });
    content.ar.parts.your_data = 'نص {password} و{x}';
    expect(findTextProblem(content)).toBeUndefined();
    content.en.sms = 'Code \u2067{verificationCode}';
    expect(findTextProblem(content)).toEqual({
      locale: 'en',
      field: 'sms',
      problem: 'bidi_control',
      detail: 'U+2067 at 5',
    });
  });

  // What staff write in ordinary prose, each of which once broke the ICU compiler or swallowed text.
  const AWKWARD = [
    "Press 'OK'> and then '{verificationCode}'",
    "Don't reply; it's {organization}'s notice",
    "Tiskněte 'Ano' a pak '<Pokračovat>'",
    'Step #1: #{tip} and # alone',
    '{ braces } {x y} {{double}} {1} {password} }{',
    '<script>alert(1)</script> & "quotes" «guillemets» „české“',
    "'{' '}' '#' ''twice''",
    'لا تشارك الرمز \u200F{verificationCode}\u200F مع أحد — ‹اقتباس›',
    '{count, plural, one {# x} other {# y}}',
  ];

  it('renders awkward prose exactly as written, in every language, with each placeholder filled', () => {
    for (const locale of NOTICE_LOCALES) {
      for (const prose of AWKWARD) {
        const out = render(`${prose} | {verificationCode} {verifyUrl} {name}`, locale);
        const expected = `${prose.replaceAll('{verificationCode}', 'K7QF-2M9X-D4TA').replaceAll('{organization}', 'Acme <Shop>')} | K7QF-2M9X-D4TA https://candor.example/verify Jana <b>Nováková</b>`;
        expect(out, `${locale}: ${prose}`).toBe(expected);
      }
    }
  });

  it('fills every placeholder of every built-in template in every language, and the SMS carries the code', () => {
    for (const type of INCIDENT_TYPES) {
      for (const guidance of [
        null,
        { en: { happened: AWKWARD[0]!, done: AWKWARD[3]!, advice: AWKWARD[4]! } },
      ]) {
        const content = templateFor({
          type,
          guidance: guidance as never,
          hasSupportUrl: true,
          hasLookupUrl: true,
        });
        expect(findTextProblem(content)).toBeUndefined();
        expect(missingFromRendering(content, context)).toBeUndefined();
        for (const locale of NOTICE_LOCALES) {
          const rendered = compileNotice(content[locale], locale, context)(recipient({ locale }));
          for (const text of [rendered.subject, rendered.text, rendered.sms]) {
            const left = namesIn(text).filter(isPlaceholder);
            expect(left, `${type} ${locale}: ${text}`).toEqual([]);
          }
          expect(rendered.text).toContain('K7QF-2M9X-D4TA');
          expect(rendered.sms).toContain('K7QF-2M9X-D4TA');
          expect(rendered.text).toContain(context.supportUrl);
          expect(rendered.text).toContain(context.lookupUrl);
        }
      }
    }
  });

  it('a value is never read as a placeholder, and bidi controls in names are dropped', () => {
    const out = render('{name} / {organization}', 'en', { name: '\u202E{verifyUrl} evil\u202C' });
    expect(out).toBe('{verifyUrl} evil / Acme <Shop>');
  });

  it('finds what a rendering lacks: the code, the verify link, and for a mandatory notice the support link', () => {
    const content = templateFor({ type: 'phishing', hasSupportUrl: true, hasLookupUrl: false });
    content.cs.parts.how_to_verify = "Zadejte kód '{verificationCode} na stránce {verifyUrl}.";
    expect(missingFromRendering(content, context)).toBeUndefined();
    content.cs.parts.how_to_verify = 'Zadejte kód na stránce {verifyUrl}.';
    expect(missingFromRendering(content, context)).toEqual({
      locale: 'cs',
      channel: 'email',
      missing: 'verificationCode',
    });
    content.cs.parts.how_to_verify = '{verificationCode}';
    expect(missingFromRendering(content, context)).toEqual({
      locale: 'cs',
      channel: 'email',
      missing: 'verifyUrl',
    });
    content.cs.parts.how_to_verify = '{verificationCode} {verifyUrl}';
    content.ar.parts.where_to_get_help = 'نحن هنا من أجلك.';
    expect(missingFromRendering(content, context)).toEqual({
      locale: 'ar',
      channel: 'email',
      missing: 'supportUrl',
    });
    expect(missingFromRendering(content, { ...context, kind: 'optional' })).toBeUndefined();
  });

  it('renders a whole escaped HTML document, right to left in Arabic, with text, SMS and webhook', () => {
    const content = templateFor({ type: 'data_breach', hasSupportUrl: true, hasLookupUrl: false });
    const rendered = compileNotice(content.ar, 'ar', context)(recipient({}));
    expect(rendered.direction).toBe('rtl');
    expect(rendered.html).toMatch(/^<!DOCTYPE html>\n<html lang="ar" dir="rtl">/);
    expect(rendered.html).toContain('<bdi>Jana &lt;b&gt;Nováková&lt;/b&gt;</bdi>');
    expect(rendered.html).not.toContain('<b>');
    expect(rendered.text).toContain('(المجموع: فئتان من بياناتك)');
    expect(rendered.text).toContain('K7QF-2M9X-D4TA');
    expect(rendered.sms).toContain('https://candor.example/verify');
    expect(rendered.webhook).toMatchObject({ locale: 'ar', verificationCode: 'K7QF-2M9X-D4TA' });

    const cs = compileNotice(
      content.cs,
      'cs',
      context,
    )(recipient({ locale: 'cs', name: null, categories: ['health'] }));
    expect(cs.html).toContain('<html lang="cs" dir="ltr">');
    expect(cs.text).toContain('(celkem 1 druh vašich údajů)');
    expect(cs.text).toContain('vážená zákaznice');
  });
});

describe('the styled notice e-mail', () => {
  const content = templateFor({ type: 'data_breach', hasSupportUrl: true, hasLookupUrl: true });
  const branded: NoticeContext = {
    ...context,
    brandColor: '#0B5CAD',
    supportContact: { email: 'help@acme.example', phone: '+420601234567', hours: { en: 'Mon–Fri 9–17' } },
    dpoContact: { name: 'Jana Nová', email: 'dpo@acme.example', phone: null },
  };
  const styled = (locale: NoticeLocale, over: Partial<NoticeContext> = {}) =>
    compileNotice(content[locale], locale, { ...branded, ...over })(recipient({ locale })).html;
  const styleAttributes = (html: string) => [...html.matchAll(/style="([^"]*)"/g)].map((m) => m[1]!);

  it.each(NOTICE_LOCALES)(
    'in %s: brand bar, sans-serif at 600 px, the code set apart, links, contacts',
    (locale) => {
      const html = styled(locale);
      const dir = locale === 'ar' ? 'rtl' : 'ltr';
      expect(html).toMatch(new RegExp(`^<!DOCTYPE html>\n<html lang="${locale}" dir="${dir}">`));
      expect(html).toContain(`<body dir="${dir}"`);
      // The container carries the direction and aligns to its start.
      expect(html).toMatch(
        new RegExp(
          `<div dir="${dir}" lang="${locale}" style="max-width: 600px;[^"]*text-align: ${dir === 'rtl' ? 'right' : 'left'};`,
        ),
      );
      expect(html).toMatch(/font-family: [^;"]*'Noto Sans Arabic'[^;"]*sans-serif;/);
      expect(html).toContain('font-size: 16px; line-height: 1.6;');
      expect(html).toContain('<div data-part="brand" style="background-color: #0B5CAD; color: #FFFFFF;');
      expect(html).toContain('<bdi>Acme &lt;Shop&gt;</bdi>');
      // The verification code: isolated left to right, monospace, whole.
      expect(html).toMatch(
        /<bdi dir="ltr" lang="en" style="font-family: ui-monospace[^"]*">K7QF-2M9X-D4TA<\/bdi>/,
      );
      expect(html).toContain('<a href="https://candor.example/verify" dir="ltr" style="color: #0B5CAD;');
      expect(html).toContain('<a href="https://help.example/" dir="ltr"');
      // The footer names the contact points, labelled in the reader's language.
      const footer = html.slice(html.indexOf('data-part="footer"'));
      expect(footer).toContain(`${t(locale, 'notice.email.support')}:</strong> <bdi>help@acme.example`);
      expect(footer).toContain(`${t(locale, 'notice.email.dpo')}:</strong> <bdi>Jana Nová`);
      // Nothing remote: no image, no external stylesheet or font.
      expect(html).not.toMatch(/<img|<link|url\(|@import/i);
      expect(html).not.toContain('<style');
      // Every style is inline, and none takes a value that could end the attribute.
      for (const style of styleAttributes(html)) expect(style).not.toMatch(/[<>"]/);
    },
  );

  it('keeps Arabic text right to left with the Latin code inside it left to right', () => {
    const html = styled('ar');
    expect(html).toContain('text-align: right;');
    expect(html).not.toContain('text-align: left;');
    expect(html).toMatch(/نعتذر/);
    expect(html).toContain('dir="ltr" lang="en"');
    // The heading (the subject) isolates the Latin name too: "Acme <Shop>" keeps its order.
    expect(html).toMatch(/<h1 [^>]*>[^<]*<bdi>Acme &lt;Shop&gt;<\/bdi>[^<]*<\/h1>/);
  });

  it('puts only a checked colour into a style: anything else falls back to a neutral one', () => {
    for (const bad of [
      'red',
      '#FFF',
      '#FFFF00', // white text cannot be read on it
      '#0B5CAD; background-image: url(https://tracker.example/p.gif)',
      '#0B5CAD" onload="alert(1)',
      'expression(alert(1))',
      null,
    ]) {
      const html = styled('en', { brandColor: bad });
      expect(html, String(bad)).toContain(
        `<div data-part="brand" style="background-color: ${NEUTRAL_BRAND};`,
      );
      expect(html, String(bad)).not.toContain('tracker.example');
      expect(html, String(bad)).not.toContain('onload');
      expect(html, String(bad)).not.toContain('expression(');
    }
    // A lower-case colour as saved by hand is still the brand, written in one form.
    expect(styled('cs', { brandColor: '#0b5cad' })).toContain('background-color: #0B5CAD;');
  });

  it('leaves the plain text part plain', () => {
    const rendered = compileNotice(content.en, 'en', branded)(recipient({ locale: 'en' }));
    expect(rendered.text).not.toMatch(/<bdi|<a |<p|style=/);
    expect(rendered.text).toContain('K7QF-2M9X-D4TA');
  });
});
