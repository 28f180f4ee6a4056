import { NOTICE_LOCALES, type NoticeLocale } from './notice-contracts.js';
import { FIELDS, fieldText, type NoticeContent, type NoticeField } from './notice-model.js';

/**
 * The candour check: before approval, a version is read for what a customer would miss and for
 * the words that dodge responsibility. Pure; every flag has a stable id (the same text gives the
 * same ids), so a flag accepted with a reason on a version stays accepted on that version.
 */
export type CandourKind =
  /** a part (or subject, SMS) left empty in a language the version is written in */
  | 'missing_part'
  /** a part empty in a language some affected customers will receive */
  | 'missing_for_customers'
  /** no apology anywhere in the language */
  | 'no_apology'
  /** "mistakes were made": an agentless passive instead of saying who did what */
  | 'passive_voice'
  /** "minor", "only", "small number": words that play the incident down */
  | 'minimising';

export interface CandourFlag {
  id: string;
  kind: CandourKind;
  locale: NoticeLocale;
  field?: NoticeField;
  /** the words found (for passive_voice and minimising) */
  term?: string;
  /** affected customers who read this language (for missing_for_customers) */
  customers?: number;
}

interface Term {
  /** stable name in flag ids */
  term: string;
  pattern: RegExp;
}

// Letters on either side end a word (JavaScript's \b knows only ASCII).
const word = (body: string, suffix = '') =>
  new RegExp(`(?<![\\p{L}\\p{N}])(?:${body})${suffix}(?![\\p{L}\\p{N}])`, 'iu');

/** Apologies, per language: one of these somewhere in the notice. */
export const APOLOGY: Record<NoticeLocale, RegExp> = {
  en: /\b(sorry|apologi[sz]e|apologi[sz]ing|apology|apologies|regret)\b/i,
  cs: /(omlouv|omluv|mrzí nás|litujeme)/iu,
  ar: /(نعتذر|اعتذار|نأسف|آسفون|متأسفون|اعتذارنا)/u,
};

/** Passive phrasings that hide who was responsible. */
export const PASSIVE: Record<NoticeLocale, Term[]> = {
  en: [
    { term: 'mistakes were made', pattern: word('mistakes\\s+were\\s+made') },
    { term: 'errors were made', pattern: word('errors\\s+were\\s+made') },
    { term: 'mistakes have been made', pattern: word('mistakes\\s+have\\s+been\\s+made') },
  ],
  cs: [
    { term: 'chyby byly učiněny', pattern: word('chyby\\s+byly\\s+učiněny') },
    { term: 'byly učiněny chyby', pattern: word('byly\\s+učiněny\\s+chyby') },
    { term: 'došlo k chybám', pattern: word('došlo\\s+k\\s+chybám') },
  ],
  ar: [
    { term: 'حدثت أخطاء', pattern: word('حدثت\\s+أخطاء') },
    { term: 'وقعت أخطاء', pattern: word('و?قعت\\s+أخطاء') },
    { term: 'ارتكبت أخطاء', pattern: word('ارتُ?كبت\\s+أخطاء') },
  ],
};

/** Words that play the incident down. */
export const MINIMISING: Record<NoticeLocale, Term[]> = {
  en: [
    { term: 'minor', pattern: word('minor') },
    { term: 'only', pattern: word('only') },
    { term: 'small number', pattern: word('small\\s+number') },
    { term: 'limited', pattern: word('limited') },
    { term: 'isolated', pattern: word('isolated') },
    // Phrases that reassure instead of informing.
    {
      term: 'abundance of caution',
      pattern: word('(?:out\\s+of\\s+(?:an?\\s+)?)?abundance\\s+of\\s+caution'),
    },
    { term: 'no evidence', pattern: word('no\\s+(?:evidence|indication|sign)s?\\s+(?:of|that)') },
    { term: 'sophisticated attack', pattern: word('(?:highly\\s+)?sophisticated') },
  ],
  cs: [
    { term: 'pouze', pattern: word('pouze') },
    { term: 'jen', pattern: word('jen|jenom') },
    { term: 'drobný', pattern: word('drobn', '\\p{L}*') },
    { term: 'malý počet', pattern: word('malý\\s+počet|malého\\s+počtu|malém\\s+počtu') },
    { term: 'omezený', pattern: word('omezen', '\\p{L}*') },
    { term: 'z opatrnosti', pattern: word('z\\s+(?:preventivních\\s+důvodů|(?:přehnané\\s+)?opatrnosti)') },
    {
      term: 'žádné důkazy',
      pattern: word(
        '(?:žádné|žádný)\\s+(?:důkazy?|známky)|nemáme\\s+(?:žádné\\s+)?(?:důkazy|indicie)|nic\\s+nenasvědčuje',
      ),
    },
    { term: 'sofistikovaný', pattern: word('(?:vysoce\\s+)?sofistikovan', '\\p{L}*') },
  ],
  ar: [
    // Arabic joins و (and), ف, ب and ل to the next word.
    { term: 'فقط', pattern: word('[وفبل]?فقط') },
    { term: 'بسيط', pattern: word('[وفبل]?بسيط', '\\p{L}*') },
    { term: 'عدد قليل', pattern: word('[وفبل]?عدد\\s+قليل', '\\p{L}*') },
    { term: 'محدود', pattern: word('[وفبل]?محدود', '\\p{L}*') },
    {
      term: 'من باب الحيطة',
      pattern: word('[وف]?(?:من\\s+باب\\s+(?:الحيطة|الحذر|الاحتياط)|توخي[اًا]*\\s+للحذر|احتياط[اًا]*)'),
    },
    {
      term: 'لا يوجد دليل',
      pattern: word('[وف]?(?:لا\\s+(?:يوجد|توجد)\\s+(?:أي\\s+)?(?:دليل|أدلة|مؤشر)|لا\\s+دليل)'),
    },
    { term: 'متطور', pattern: word('(?:بالغ|شديد)\\s+(?:التطور|التعقيد)|متطور', '\\p{L}*') },
  ],
};

export interface CandourInput {
  content: NoticeContent;
  /** affected customers by the language they will receive */
  customersByLocale: Partial<Record<NoticeLocale, number>>;
  /** the organization's language: a notice is always written in it */
  defaultLocale: NoticeLocale;
}

const written = (content: NoticeContent, locale: NoticeLocale) =>
  FIELDS.some((f) => fieldText(content[locale], f).trim() !== '');

export function candourCheck(input: CandourInput): CandourFlag[] {
  const flags: CandourFlag[] = [];
  for (const locale of NOTICE_LOCALES) {
    const content = input.content[locale];
    const customers = input.customersByLocale[locale] ?? 0;
    const needed = customers > 0 || locale === input.defaultLocale;
    if (!needed && !written(input.content, locale)) continue;
    for (const field of FIELDS) {
      if (fieldText(content, field).trim()) continue;
      if (customers > 0) {
        flags.push({
          id: `missing_for_customers:${locale}:${field}`,
          kind: 'missing_for_customers',
          locale,
          field,
          customers,
        });
      } else {
        flags.push({ id: `missing_part:${locale}:${field}`, kind: 'missing_part', locale, field });
      }
    }
    if (!written(input.content, locale)) continue;
    const all = FIELDS.map((f) => fieldText(content, f)).join('\n');
    if (!APOLOGY[locale].test(all)) flags.push({ id: `no_apology:${locale}`, kind: 'no_apology', locale });
    for (const field of FIELDS) {
      const text = fieldText(content, field);
      for (const t of PASSIVE[locale]) {
        if (t.pattern.test(text)) {
          flags.push({
            id: `passive_voice:${locale}:${field}:${t.term}`,
            kind: 'passive_voice',
            locale,
            field,
            term: t.term,
          });
        }
      }
      for (const t of MINIMISING[locale]) {
        if (t.pattern.test(text)) {
          flags.push({
            id: `minimising:${locale}:${field}:${t.term}`,
            kind: 'minimising',
            locale,
            field,
            term: t.term,
          });
        }
      }
    }
  }
  return flags;
}
