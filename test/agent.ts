import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A browser-like client over app.inject: it keeps cookies, sends our Origin
 * on every state-changing request and the CSRF token once it has one.
 */
export class Agent {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;
  origin: string;
  /** The client's address as the server sees it (light-my-request's default when unset). */
  remoteAddress: string | undefined;

  constructor(
    readonly app: FastifyInstance,
    options: { origin?: string; remoteAddress?: string } = {},
  ) {
    this.origin = options.origin ?? app.deps.config.publicUrl.origin;
    this.remoteAddress = options.remoteAddress;
  }

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.app.inject({
      method,
      url,
      ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(method !== 'GET' ? { origin: this.origin } : {}),
        ...(method !== 'GET' && this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
    for (const c of response.cookies) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const json = response.headers['content-type']?.toString().includes('json')
      ? safeJson(response.body)
      : undefined;
    if (json && typeof json === 'object' && 'csrfToken' in json && typeof json.csrfToken === 'string') {
      this.csrfToken = json.csrfToken;
    }
    return response;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', url, body ?? {}, headers);
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body ?? {});
  put = (url: string, body?: unknown) => this.request('PUT', url, body ?? {});
  delete = (url: string) => this.request('DELETE', url);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
