import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Rendered public pages kept in memory, for the moment everyone arrives at once (issue 15, item 9):
 * - one render per page on a miss: concurrent requests wait for the same render (no stampede);
 * - a page older than `freshMs` is served as it is while one renewal runs behind it;
 * - `invalidate` drops pages at once in this process (a publish); other processes see the change
 *   within `freshMs`, the bound on how stale a page may be;
 * - each page is compressed once (brotli and gzip) and carries a strong ETag per body.
 * Bounded: past `maxEntries` the least recently used page is dropped.
 */
export interface RenderedPage {
  status: number;
  html: string;
}

export interface CachedPage {
  status: number;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
  /** a hash of the page: the ETag of each encoding adds the encoding's name */
  hash: string;
  lastModified: Date;
}

interface Entry {
  page?: CachedPage;
  at: number;
  pending?: Promise<CachedPage>;
}

export interface PageCache {
  get(key: string, render: () => Promise<RenderedPage>): Promise<CachedPage>;
  /** Drops every page whose key starts with the prefix. */
  invalidate(prefix: string): void;
  readonly size: number;
}

export function createPageCache(options: {
  freshMs: number;
  maxEntries: number;
  now?: () => number;
  /** told when a renewal behind a stale page fails (the stale page stays) */
  onRenewalError?: (error: unknown, key: string) => void;
}): PageCache {
  const entries = new Map<string, Entry>();
  const now = options.now ?? Date.now;

  function renew(key: string, entry: Entry, render: () => Promise<RenderedPage>): Promise<CachedPage> {
    const pending = render().then((rendered) => compress(rendered, new Date(now())));
    entry.pending = pending;
    pending.then(
      (page) => {
        // An invalidation while rendering dropped the entry: this render may predate the change.
        if (entries.get(key) !== entry) return;
        entry.page = page;
        entry.at = now();
        entry.pending = undefined;
      },
      () => {
        if (entries.get(key) === entry) {
          entry.pending = undefined;
          if (!entry.page) entries.delete(key);
        }
      },
    );
    return pending;
  }

  return {
    get(key, render) {
      let entry = entries.get(key);
      if (entry) {
        // Most recently used last.
        entries.delete(key);
        entries.set(key, entry);
      } else {
        entry = { at: 0 };
        entries.set(key, entry);
        while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
      }
      if (entry.page) {
        if (now() - entry.at >= options.freshMs && !entry.pending) {
          renew(key, entry, render).catch((error: unknown) => options.onRenewalError?.(error, key));
        }
        return Promise.resolve(entry.page);
      }
      return entry.pending ?? renew(key, entry, render);
    },
    invalidate(prefix) {
      for (const key of [...entries.keys()]) if (key.startsWith(prefix)) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}

function compress(rendered: RenderedPage, at: Date): CachedPage {
  const identity = Buffer.from(rendered.html, 'utf8');
  return {
    status: rendered.status,
    identity,
    br: brotliCompressSync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 9,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
    gzip: gzipSync(identity, { level: 9 }),
    hash: createHash('sha256').update(identity).digest('base64url').slice(0, 27),
    // HTTP dates have whole seconds: a page rendered within the second compares equal.
    lastModified: new Date(Math.floor(at.getTime() / 1000) * 1000),
  };
}

export type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding the client accepts (q=0 refuses one), brotli first. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}

/** The ETag of one encoding of a page (a strong validator: the bytes differ per encoding). */
export const etagOf = (page: CachedPage, encoding: Encoding) => `"${page.hash}-${encoding}"`;

/**
 * Whether the client's copy is current: If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2);
 * a weak comparison for If-None-Match, as GET allows.
 */
export function notModified(
  page: CachedPage,
  encoding: Encoding,
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
): boolean {
  if (ifNoneMatch !== undefined) {
    const tag = etagOf(page, encoding);
    return ifNoneMatch
      .split(',')
      .map((value) => value.trim().replace(/^W\//, ''))
      .some((value) => value === '*' || value === tag);
  }
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && page.lastModified.getTime() <= since;
}
