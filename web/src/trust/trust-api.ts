import { ApiError, apiError, requestHeaders } from '../api';
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

/** An API error with what the server said of it: the conflict's reason, the field it found wrong. */
export class TrustApiError extends ApiError {
  constructor(
    base: ApiError,
    readonly reason?: string,
    readonly where?: string,
  ) {
    super(base.status, base.code, base.message, base.requestId);
  }

  /** The catalog's words for a conflict the trust center names (`trust.admin.conflict.*`). */
  get messageId(): MessageId | undefined {
    const id = `trust.admin.conflict.${this.reason ?? ''}`;
    return this.reason && isMessageId(id) ? id : undefined;
  }
}

/** A call as `api` makes it (session, CSRF token, language), keeping the error's details. */
export async function trustCall<T>(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers = requestHeaders(method);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw apiError(0, '');
  }
  const text = await response.text();
  if (!response.ok) {
    let details: Record<string, unknown> = {};
    try {
      details = (JSON.parse(text) as { error?: { details?: Record<string, unknown> } }).error?.details ?? {};
    } catch {
      details = {};
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    throw new TrustApiError(apiError(response.status, text), str(details.reason), str(details.where));
  }
  return JSON.parse(text) as T;
}

/** Whether the server found this field wrong (`where`: "body/texts/ar/title"). */
export function wrongField(error: unknown, where: string): boolean {
  return error instanceof TrustApiError && error.where === where;
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
