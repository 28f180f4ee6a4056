import { describe, expect, it } from 'vitest';
import { INCIDENT_TYPES } from '../incidents/incident-model.js';
import { candourCheck } from './notice-candour.js';
import type { NoticeLocale } from './notice-contracts.js';
import { emptyLocale, findTextProblem, type NoticeContent } from './notice-model.js';
import { templateFor } from './notice-templates.js';

const base = () => templateFor({ type: 'data_breach', hasSupportUrl: true, hasLookupUrl: false });

function withText(locale: NoticeLocale, part: 'what_happened' | 'apology', text: string): NoticeContent {
  const content = base();
  content[locale].parts[part] = text;
  return content;
}

const check = (content: NoticeContent, customersByLocale: Partial<Record<NoticeLocale, number>> = {}) =>
  candourCheck({ content, customersByLocale, defaultLocale: 'en' }).map((f) => f.id);

describe('candour check', () => {
  it('finds nothing in any built-in template, in any language', () => {
    for (const type of INCIDENT_TYPES) {
      for (const flags of [
        templateFor({ type, hasSupportUrl: true, hasLookupUrl: true }),
        templateFor({ type, hasSupportUrl: false, hasLookupUrl: false }),
      ]) {
        expect(findTextProblem(flags)).toBeUndefined();
        expect(check(flags, { en: 5, cs: 5, ar: 5 })).toEqual([]);
      }
    }
  });

  // Each row: language, text put into "what happened", the flag id expected (or none).
  const table: [NoticeLocale, string, string | null][] = [
    ['en', 'Mistakes were made in our systems.', 'passive_voice:en:what_happened:mistakes were made'],
    ['en', 'Errors were made.', 'passive_voice:en:what_happened:errors were made'],
    ['en', 'A minor incident occurred.', 'minimising:en:what_happened:minor'],
    ['en', 'It affected only your e-mail.', 'minimising:en:what_happened:only'],
    ['en', 'A small number of customers were affected.', 'minimising:en:what_happened:small number'],
    [
      'en',
      'Out of an abundance of caution, we are writing to you.',
      'minimising:en:what_happened:abundance of caution',
    ],
    ['en', 'There is no evidence of misuse of your data.', 'minimising:en:what_happened:no evidence'],
    [
      'en',
      'We were the target of a highly sophisticated attack.',
      'minimising:en:what_happened:sophisticated attack',
    ],
    ['en', 'An attacker copied our customer database.', null],
    ['en', 'Our commonly used systems were attacked.', null],
    ['cs', 'Chyby byly učiněny.', 'passive_voice:cs:what_happened:chyby byly učiněny'],
    ['cs', 'Týká se to pouze e-mailu.', 'minimising:cs:what_happened:pouze'],
    ['cs', 'Jde jen o adresy.', 'minimising:cs:what_happened:jen'],
    ['cs', 'Šlo o drobný incident.', 'minimising:cs:what_happened:drobný'],
    ['cs', 'Šlo o drobnou chybu.', 'minimising:cs:what_happened:drobný'],
    ['cs', 'Z preventivních důvodů vám píšeme.', 'minimising:cs:what_happened:z opatrnosti'],
    ['cs', 'Nemáme žádné důkazy o zneužití vašich údajů.', 'minimising:cs:what_happened:žádné důkazy'],
    ['cs', 'Nic nenasvědčuje tomu, že by údaje byly zneužity.', 'minimising:cs:what_happened:žádné důkazy'],
    ['cs', 'Šlo o vysoce sofistikovaný útok.', 'minimising:cs:what_happened:sofistikovaný'],
    ['cs', 'Buďte opatrní u podezřelých zpráv.', null],
    ['cs', 'Útočník zkopíroval naši databázi.', null],
    ['cs', 'Jenže útočník zkopíroval databázi.', null],
    ['ar', 'حدثت أخطاء في أنظمتنا.', 'passive_voice:ar:what_happened:حدثت أخطاء'],
    ['ar', 'تأثر بريدك الإلكتروني فقط.', 'minimising:ar:what_happened:فقط'],
    ['ar', 'كان حادثًا بسيطًا.', 'minimising:ar:what_happened:بسيط'],
    ['ar', 'نكتب إليك من باب الحيطة.', 'minimising:ar:what_happened:من باب الحيطة'],
    ['ar', 'لا يوجد دليل على إساءة استخدام بياناتك.', 'minimising:ar:what_happened:لا يوجد دليل'],
    ['ar', 'تعرضنا لهجوم بالغ التعقيد.', 'minimising:ar:what_happened:متطور'],
    ['ar', 'احذر من الرسائل المشبوهة.', null],
    ['ar', 'نسخ مهاجم قاعدة بياناتنا.', null],
  ];
  it.each(table)('%s: %s', (locale, text, expected) => {
    const flags = check(withText(locale, 'what_happened', text));
    if (expected) expect(flags).toContain(expected);
    else expect(flags).toEqual([]);
  });

  it('flags a notice without an apology, per language', () => {
    expect(check(withText('en', 'apology', 'We take responsibility.'))).toEqual(['no_apology:en']);
    expect(check(withText('cs', 'apology', 'Bereme na sebe odpovědnost.'))).toEqual(['no_apology:cs']);
    expect(check(withText('ar', 'apology', 'نتحمل المسؤولية.'))).toEqual(['no_apology:ar']);
  });

  it('flags a missing part, and a part missing in a language affected customers will receive', () => {
    const content = base();
    content.en.parts.what_we_did = '';
    content.cs = emptyLocale();
    content.cs.subject = 'Předmět';
    content.ar = emptyLocale();
    const flags = candourCheck({ content, customersByLocale: { cs: 3 }, defaultLocale: 'en' });
    expect(flags.map((f) => f.id)).toContain('missing_part:en:what_we_did');
    const cs = flags.find((f) => f.id === 'missing_for_customers:cs:apology');
    expect(cs).toMatchObject({ kind: 'missing_for_customers', customers: 3 });
    expect(flags.map((f) => f.id)).not.toContain('missing_for_customers:cs:subject');
    // Arabic: no customers read it and nothing is written in it: nothing to say.
    expect(flags.filter((f) => f.locale === 'ar')).toEqual([]);
  });
});
