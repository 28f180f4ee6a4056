/**
 * The one way the admin app talks to the server: JSON over fetch, with the
 * session cookie, the CSRF token of the last response that carried one, and
 * the interface language (the server localizes its error messages).
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** What the server said of the error besides its code: the field it found wrong (`where`), a conflict's `reason`. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let language = 'en';
let onUnauthenticated: (() => void) | undefined;

export function setApiLanguage(locale: string): void {
  language = locale;
}

/** Called when a signed-in request learns that the session is gone. */
export function setUnauthenticatedHandler(handler: (() => void) | undefined): void {
  onUnauthenticated = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T = void>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  const text = response.status === 204 ? '' : await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const error = (data as { error?: ErrorAnswer } | undefined)?.error;
    const failure = new ApiError(
      response.status,
      error?.code ?? 'internal',
      error?.message ?? '',
      error?.requestId,
      detailsOf(error),
    );
    if (failure.code === 'unauthenticated' && !path.startsWith('/api/auth/')) onUnauthenticated?.();
    throw failure;
  }
  if (data && typeof data === 'object' && 'csrfToken' in data && typeof data.csrfToken === 'string') {
    csrfToken = data.csrfToken;
  }
  return data as T;
}

/** The headers `api` sends, for a request it cannot make itself (an upload with progress). */
export function requestHeaders(method: Method): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return headers;
}

interface ErrorAnswer {
  code?: string;
  message?: string;
  requestId?: string;
  details?: unknown;
}

const detailsOf = (error: ErrorAnswer | undefined): Record<string, unknown> =>
  error?.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : {};

/** An error answer as `api` reads it, for the same kind of request. */
export function apiError(status: number, text: string): ApiError {
  let error: ErrorAnswer | undefined;
  try {
    error = (JSON.parse(text) as { error?: ErrorAnswer }).error;
  } catch {
    error = undefined;
  }
  return new ApiError(
    status,
    status === 0 ? 'network' : (error?.code ?? 'internal'),
    error?.message ?? '',
    error?.requestId,
    detailsOf(error),
  );
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T = void>(path: string, body?: unknown) => api<T>('POST', path, body);
export const patch = <T = void>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T = void>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api('DELETE', path);

/** A query string of the given values, leaving out the empty ones. */
export function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
