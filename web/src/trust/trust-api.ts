import { ApiError } from '../api';
import { isMessageId, type Locale, type MessageId } from '../i18n';

/** What the trust center's screens share: its API's shapes, and its errors with their details. */

export type UpdateStatus = 'investigating' | 'identified' | 'contained' | 'resolved';
export const UPDATE_STATUSES: readonly UpdateStatus[] = [
  'investigating',
  'identified',
  'contained',
  'resolved',
];
export type UpdateState = 'draft' | 'approved' | 'published';

export interface PageText {
  title: string;
  summary: string;
}
export interface UpdateText {
  message: string;
  customerActions: string;
}
export type PerLanguage<T> = Partial<Record<Locale, T>>;

export interface TrustSite {
  slug: string;
  published: boolean;
  requireApproval: boolean;
  supportUrl: string | null;
  updatedAt: string;
}

export interface TrustUpdate {
  id: string;
  status: UpdateStatus;
  texts: PerLanguage<UpdateText>;
  nextUpdateBy: string | null;
  state: UpdateState;
  authorId: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface IncidentTrust {
  page: {
    id: string;
    publicId: string;
    texts: PerLanguage<PageText>;
    firstPublishedAt: string | null;
  } | null;
  updates: TrustUpdate[];
  requireApproval: boolean;
}

/** The catalog's words for a conflict the trust center names (`trust.admin.conflict.*`). */
export function conflictMessageId(error: unknown): MessageId | undefined {
  const reason = error instanceof ApiError ? error.details.reason : undefined;
  const id = `trust.admin.conflict.${typeof reason === 'string' ? reason : ''}`;
  return typeof reason === 'string' && isMessageId(id) ? id : undefined;
}

/** Whether the server found this field wrong (`where`: "body/texts/ar/title"). */
export function wrongField(error: unknown, where: string): boolean {
  return error instanceof ApiError && error.details.where === where;
}

/** Only the languages written: each language is optional, a half-written one is not sent. */
export function written<T extends object>(texts: PerLanguage<T>): PerLanguage<T> {
  return Object.fromEntries(
    Object.entries(texts).filter(([, text]) =>
      Object.values(text as Record<string, string>).some((value) => value.trim() !== ''),
    ),
  ) as PerLanguage<T>;
}

/** Every language written has its required words (a title and a summary; a message). */
export function complete<T extends object>(texts: PerLanguage<T>, required: (keyof T)[]): boolean {
  const langs = Object.values(texts);
  return (
    langs.length > 0 && langs.every((text) => required.every((k) => String(text?.[k] ?? '').trim() !== ''))
  );
}
