import { describe, expect, it } from 'vitest';
import type { NoticeRecipient } from './notice-contracts.js';
import { findTextProblem } from './notice-model.js';
import { categoryList, compileNotice, formatText, type NoticeContext } from './notice-render.js';
import { templateFor } from './notice-templates.js';

const AR =
  '{count, plural, zero {لا ملفات} one {ملف واحد} two {ملفان} few {# ملفات} many {# ملفًا} other {# ملف}}';
const CS = '{count, plural, one {# soubor} few {# soubory} many {# souboru} other {# souborů}}';

describe('rendering notice texts', () => {
  it('uses all six Arabic plural forms', () => {
    const forms = [0, 1, 2, 3, 11, 100].map((count) => formatText(AR, 'ar', 'UTC', { count }));
    expect(forms).toEqual(['لا ملفات', 'ملف واحد', 'ملفان', '3 ملفات', '11 ملفًا', '100 ملف']);
  });

  it('uses all four Czech plural forms', () => {
    const forms = [1, 3, 1.5, 5].map((count) => formatText(CS, 'cs', 'UTC', { count }));
    expect(forms).toEqual(['1 soubor', '3 soubory', '1,5 souboru', '5 souborů']);
  });

  it('writes the built-in templates with every plural form of their language', () => {
    const content = templateFor({ type: 'data_breach', hasSupportUrl: false, hasLookupUrl: false });
    const values = (count: number) => ({ count, categories: '…' });
    const ar = [0, 1, 2, 3, 11, 100].map((n) =>
      formatText(content.ar.parts.your_data, 'ar', 'UTC', values(n)),
    );
    expect(ar.map((text) => text.split('. ')[1])).toEqual([
      'لم تتأثر أي فئة من بياناتك.',
      'تأثرت فئة واحدة من بياناتك.',
      'تأثرت فئتان من بياناتك.',
      'تأثرت 3 فئات من بياناتك.',
      'تأثرت 11 فئةً من بياناتك.',
      'تأثرت 100 فئة من بياناتك.',
    ]);
    const cs = [1, 3, 1.5, 5].map((n) => formatText(content.cs.parts.your_data, 'cs', 'UTC', values(n)));
    expect(cs.map((text) => text.split('. ')[1])).toEqual([
      'Jde o 1 druh vašich údajů.',
      'Jde o 3 druhy vašich údajů.',
      'Jde o 1,5 druhu vašich údajů.',
      'Jde o 5 druhů vašich údajů.',
    ]);
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

  it('writes dates in the recipient’s zone and language', () => {
    // 23:30 UTC on 1 March is already 2 March in Prague and in Riyadh, still 1 March in New York.
    const at = new Date('2026-03-01T23:30:00Z');
    const text = '{incidentDate, date, long}';
    expect(formatText(text, 'en', 'America/New_York', { incidentDate: at })).toBe('March 1, 2026');
    expect(formatText(text, 'cs', 'Europe/Prague', { incidentDate: at })).toBe('2. března 2026');
    expect(formatText(text, 'ar', 'Asia/Riyadh', { incidentDate: at })).toBe('2 مارس 2026');
  });

  it('refuses invalid ICU and unknown placeholders, naming the language and part', () => {
    const content = templateFor({ type: 'malware', hasSupportUrl: false, hasLookupUrl: false });
    content.cs.parts.apology = 'Omlouváme se {name';
    expect(findTextProblem(content)).toMatchObject({
      locale: 'cs',
      field: 'apology',
      problem: 'invalid_icu',
    });
    content.cs.parts.apology = 'Omlouváme se';
    content.ar.parts.your_data = 'نعتذر {password}';
    expect(findTextProblem(content)).toMatchObject({
      locale: 'ar',
      field: 'your_data',
      problem: 'unknown_placeholder',
      detail: 'password',
    });
  });

  const context: NoticeContext = {
    noticeId: 'n',
    versionId: 'v',
    version: 1,
    kind: 'mandatory',
    incidentId: 'i',
    organization: 'Acme <Shop>',
    defaultLocale: 'en',
    incidentDate: new Date('2026-03-01T10:00:00Z'),
    detectedDate: new Date('2026-03-02T10:00:00Z'),
    affectedCount: 1200,
    verifyUrl: 'https://candor.example/verify',
    lookupUrl: '',
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

  it('renders a whole escaped HTML document, right to left in Arabic, with text, SMS and webhook', () => {
    const content = templateFor({ type: 'data_breach', hasSupportUrl: true, hasLookupUrl: false });
    const rendered = compileNotice(content.ar, 'ar', context)(recipient({}));
    expect(rendered.direction).toBe('rtl');
    expect(rendered.html).toMatch(/^<!DOCTYPE html>\n<html lang="ar" dir="rtl">/);
    expect(rendered.html).toContain('Jana &lt;b&gt;Nováková&lt;/b&gt;');
    expect(rendered.html).not.toContain('<b>');
    expect(rendered.text).toContain('تأثرت فئتان من بياناتك');
    expect(rendered.text).toContain('K7QF-2M9X-D4TA');
    expect(rendered.sms).toContain('https://candor.example/verify');
    expect(rendered.webhook).toMatchObject({ locale: 'ar', verificationCode: 'K7QF-2M9X-D4TA' });

    const cs = compileNotice(
      content.cs,
      'cs',
      context,
    )(recipient({ locale: 'cs', name: null, categories: ['health'] }));
    expect(cs.html).toContain('<html lang="cs" dir="ltr">');
    expect(cs.text).toContain('Jde o 1 druh vašich údajů.');
    expect(cs.text).toContain('vážená zákaznice');
  });
});
