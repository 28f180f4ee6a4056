import { IntlMessageFormat } from 'intl-messageformat';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { NOTICE_LOCALES, NOTICE_PARTS, type NoticeLocale, type NoticePart } from './notice-contracts.js';

/** One language of a notice version: the subject, every required part and the SMS text (ICU). */
export interface NoticeLocaleContent {
  subject: string;
  sms: string;
  parts: Record<NoticePart, string>;
}

export type NoticeContent = Record<NoticeLocale, NoticeLocaleContent>;

/** What a notice text may name, and what each stands for when it is rendered. */
export const PLACEHOLDERS = [
  /** the recipient's name (empty when the vault has none) */
  'name',
  /** the recipient's affected categories as a list in their language */
  'categories',
  /** how many of the recipient's categories were affected (for plurals) */
  'count',
  /** how many customers the incident affected, counted from the vault (for plurals) */
  'affectedCount',
  /** when the incident happened (else when it was detected), a date: {incidentDate, date, long} */
  'incidentDate',
  /** when it was detected */
  'detectedDate',
  /** the organization's name */
  'organization',
  /** the notice's proof against phishing */
  'verificationCode',
  /** the public page that confirms a code */
  'verifyUrl',
  /** the incident's "Was I affected?" page, when published */
  'lookupUrl',
  /** where to get help */
  'supportUrl',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The texts of one language, by field: subject, sms, then the parts. */
export const FIELDS = ['subject', ...NOTICE_PARTS, 'sms'] as const;
export type NoticeField = (typeof FIELDS)[number];

export function fieldText(content: NoticeLocaleContent, field: NoticeField): string {
  if (field === 'subject') return content.subject;
  if (field === 'sms') return content.sms;
  return content.parts[field];
}

export const emptyLocale = (): NoticeLocaleContent => ({
  subject: '',
  sms: '',
  parts: Object.fromEntries(NOTICE_PARTS.map((p) => [p, ''])) as Record<NoticePart, string>,
});

/** A language is complete when its subject, SMS and every part are written. */
export const completeIn = (content: NoticeContent, locale: NoticeLocale): boolean =>
  FIELDS.every((f) => fieldText(content[locale], f).trim() !== '');

export const isNoticeLocale = (value: unknown): value is NoticeLocale =>
  typeof value === 'string' && (NOTICE_LOCALES as readonly string[]).includes(value);

/**
 * The language a customer is written to in: their own (the vault's clear `language`, e.g. 'cs' or
 * 'cs-CZ') when we write in it, else the organization's default.
 */
export function recipientLocale(language: string | null | undefined, fallback: NoticeLocale): NoticeLocale {
  const base = language?.split('-')[0]?.toLowerCase();
  return isNoticeLocale(base) ? base : fallback;
}

/** A problem with one text: where it is (locale and field) and what is wrong. */
export interface TextProblem {
  locale: NoticeLocale;
  field: NoticeField;
  problem: 'invalid_icu' | 'unknown_placeholder';
  detail: string;
}

function argumentsOf(elements: MessageFormatElement[], into: Set<string>): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) {
      into.add(e.value);
    } else if (e.type === TYPE.plural || e.type === TYPE.select) {
      into.add(e.value);
      for (const option of Object.values(e.options)) argumentsOf(option.value, into);
    } else if (e.type === TYPE.tag) {
      argumentsOf(e.children, into);
    }
  }
  return into;
}

/** The first problem in a version's texts, or undefined: every text must parse and name only known placeholders. */
export function findTextProblem(content: NoticeContent): TextProblem | undefined {
  for (const locale of NOTICE_LOCALES) {
    for (const field of FIELDS) {
      const text = fieldText(content[locale], field);
      if (!text.trim()) continue;
      let ast: MessageFormatElement[];
      try {
        // Tags are not markup in a notice: '<' is text (escaped in HTML when rendered).
        ast = parse(text, { ignoreTag: true, requiresOtherClause: true });
        new IntlMessageFormat(text, locale, undefined, { ignoreTag: true });
      } catch (error) {
        return { locale, field, problem: 'invalid_icu', detail: (error as Error).message.slice(0, 200) };
      }
      for (const name of argumentsOf(ast, new Set())) {
        if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
          return { locale, field, problem: 'unknown_placeholder', detail: name.slice(0, 100) };
        }
      }
    }
  }
  return undefined;
}
