import { NOTICE_LOCALES, NOTICE_PARTS, type NoticeLocale, type NoticePart } from './notice-contracts.js';
import { editDistance } from '../../platform/edit-distance.js';

/** One language of a notice version: the subject, every required part and the SMS text, with placeholders. */
export interface NoticeLocaleContent {
  subject: string;
  sms: string;
  parts: Record<NoticePart, string>;
}

export type NoticeContent = Record<NoticeLocale, NoticeLocaleContent>;

/**
 * What a notice text may name, written `{verificationCode}`, and what each stands for when it is
 * rendered. Staff text is text: nothing else in it is syntax, so quotes, `#`, `<`, `>` and braces
 * come out exactly as written. Counts come as whole phrases from the system's catalogs, in the
 * reader's plural forms; staff never write plural rules.
 */
export const PLACEHOLDERS = [
  /** the recipient's name (a greeting in their language when the vault has none) */
  'name',
  /** the recipient's affected categories as a list in their language */
  'categories',
  /** how many of the recipient's categories were affected, as a phrase: "2 categories of your data" */
  'categoryCount',
  /** how many customers the incident affected, as a phrase: "1,200 customers" */
  'affectedCount',
  /** when the incident happened (else when it was detected), a long date in the reader's zone */
  'incidentDate',
  /** when it was detected, a long date in the reader's zone */
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
  /** the organization's support contact on one line: e-mail, phone (hours in the reader's language) */
  'supportContact',
  /** the data protection officer on one line: name, e-mail, phone */
  'dpoContact',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** `{word}`: a placeholder when the word is one of PLACEHOLDERS; any other word in braces is text. */
const PLACEHOLDER_PATTERN = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

export const isPlaceholder = (name: string): name is Placeholder =>
  (PLACEHOLDERS as readonly string[]).includes(name);

/** The placeholder-like names a text uses, known or not, in order of appearance. */
export function namesIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1]!);
}

/**
 * The text with each known placeholder replaced by its value, in one pass: a value is never read
 * again, so a customer's name that looks like `{verifyUrl}` stays a name. A name that is not a
 * placeholder stays as written.
 */
export function fillText(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
    isPlaceholder(name) && values[name] !== undefined ? values[name] : whole,
  );
}

/**
 * Bidi controls that reorder what follows them (embeddings, overrides, isolates): in staff text they
 * could make a verification code or an address read backwards, so they are refused.
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;

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
  problem: 'unknown_placeholder' | 'bidi_control';
  detail: string;
}

/**
 * The placeholder a `{word}` was probably meant to be: one that differs only in case or by up to
 * two letters ({verifcationCode}, {VerifyUrl}). Such a word is refused on save; any other is text.
 */
export function meantPlaceholder(word: string): Placeholder | undefined {
  if (isPlaceholder(word)) return undefined;
  const lower = word.toLowerCase();
  return PLACEHOLDERS.find(
    (p) => p.toLowerCase() === lower || (word.length >= 4 && editDistance(lower, p.toLowerCase()) <= 2),
  );
}

/** The first problem in a version's texts, or undefined: no misspelt placeholder, no bidi control. */
export function findTextProblem(content: NoticeContent): TextProblem | undefined {
  for (const locale of NOTICE_LOCALES) {
    for (const field of FIELDS) {
      const text = fieldText(content[locale], field);
      for (const word of namesIn(text)) {
        const meant = meantPlaceholder(word);
        if (meant) return { locale, field, problem: 'unknown_placeholder', detail: `{${word}} → {${meant}}` };
      }
      const control = BIDI_CONTROLS.exec(text);
      if (control) {
        const code = control[0].codePointAt(0)!.toString(16).toUpperCase();
        return { locale, field, problem: 'bidi_control', detail: `U+${code} at ${control.index}` };
      }
    }
  }
  return undefined;
}
