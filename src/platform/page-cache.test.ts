import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chooseEncoding, createPageCache, etagOf, notModified, type RenderedPage } from './page-cache.js';

/** A render the test finishes by hand, counting how often it was started. */
function controlledRender() {
  const started: ((page: RenderedPage) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  return {
    render: () =>
      new Promise<RenderedPage>((resolve, reject) => {
        started.push(resolve);
        failures.push(reject);
      }),
    started,
    failures,
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the page cache', () => {
  it('renders a missing page once however many ask at the same time', async () => {
    const cache = createPageCache({ freshMs: 1000, maxEntries: 10 });
    const r = controlledRender();
    const asks = Array.from({ length: 50 }, () => cache.get('/a', r.render));
    await flush();
    expect(r.started).toHaveLength(1);
    r.started[0]!({ status: 200, html: '<p>one</p>' });
    const pages = await Promise.all(asks);
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]!.identity.toString()).toBe('<p>one</p>');
    expect(brotliDecompressSync(pages[0]!.br).toString()).toBe('<p>one</p>');
    expect(gunzipSync(pages[0]!.gzip).toString()).toBe('<p>one</p>');
  });

  it('serves a stale page while one renewal runs behind it, then the renewed one', async () => {
    let clock = 0;
    const cache = createPageCache({ freshMs: 1000, maxEntries: 10, now: () => clock });
    const r = controlledRender();
    const first = cache.get('/a', r.render);
    r.started[0]!({ status: 200, html: 'v1' });
    await first;
    clock = 5000;
    const stale = await Promise.all(Array.from({ length: 20 }, () => cache.get('/a', r.render)));
    expect(stale.every((page) => page.identity.toString() === 'v1')).toBe(true);
    expect(r.started).toHaveLength(2);
    r.started[1]!({ status: 200, html: 'v2' });
    await flush();
    expect((await cache.get('/a', r.render)).identity.toString()).toBe('v2');
    expect(r.started).toHaveLength(2);
  });

  it('keeps the stale page when its renewal fails, and says so', async () => {
    let clock = 0;
    const errors: string[] = [];
    const cache = createPageCache({
      freshMs: 10,
      maxEntries: 10,
      now: () => clock,
      onRenewalError: (error, key) => errors.push(`${key}: ${(error as Error).message}`),
    });
    const r = controlledRender();
    const first = cache.get('/a', r.render);
    r.started[0]!({ status: 200, html: 'v1' });
    await first;
    clock = 100;
    expect((await cache.get('/a', r.render)).identity.toString()).toBe('v1');
    r.failures[1]!(new Error('database down'));
    await flush();
    expect(errors).toEqual(['/a: database down']);
    expect((await cache.get('/a', r.render)).identity.toString()).toBe('v1');
    expect(r.started).toHaveLength(3);
  });

  it('lets every waiter of a failed first render see the error, and tries again on the next ask', async () => {
    const cache = createPageCache({ freshMs: 1000, maxEntries: 10 });
    const r = controlledRender();
    const asks = [cache.get('/a', r.render), cache.get('/a', r.render)];
    await flush();
    r.failures[0]!(new Error('boom'));
    for (const ask of asks) await expect(ask).rejects.toThrow('boom');
    const again = cache.get('/a', r.render);
    await flush();
    expect(r.started).toHaveLength(2);
    r.started[1]!({ status: 200, html: 'ok' });
    expect((await again).identity.toString()).toBe('ok');
  });

  it('drops pages on invalidation, and a render begun before it never lands', async () => {
    const cache = createPageCache({ freshMs: 60_000, maxEntries: 10 });
    const r = controlledRender();
    const before = cache.get('/site/en/', r.render);
    await flush();
    cache.invalidate('/site/');
    const after = cache.get('/site/en/', r.render);
    await flush();
    expect(r.started).toHaveLength(2);
    r.started[0]!({ status: 200, html: 'old' });
    r.started[1]!({ status: 200, html: 'new' });
    expect((await before).identity.toString()).toBe('old');
    expect((await after).identity.toString()).toBe('new');
    expect((await cache.get('/site/en/', r.render)).identity.toString()).toBe('new');
    cache.invalidate('/other/');
    expect(cache.size).toBe(1);
  });

  it('holds at most maxEntries pages, dropping the least recently used', async () => {
    const cache = createPageCache({ freshMs: 60_000, maxEntries: 2 });
    const render = (html: string) => () => Promise.resolve({ status: 200, html });
    await cache.get('a', render('a'));
    await cache.get('b', render('b'));
    await cache.get('a', render('a2'));
    await cache.get('c', render('c'));
    expect(cache.size).toBe(2);
    expect((await cache.get('a', render('a3'))).identity.toString()).toBe('a');
    expect((await cache.get('b', render('b2'))).identity.toString()).toBe('b2');
  });
});

describe('conditional requests and encodings', () => {
  it('chooses brotli, then gzip, honouring q=0', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('gzip, br;q=0')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('br;q=0, gzip;q=0, *;q=0.5')).toBe('identity');
  });

  it('answers 304 by ETag of the same encoding, or by date when no ETag is sent', async () => {
    const cache = createPageCache({
      freshMs: 1000,
      maxEntries: 1,
      now: () => Date.UTC(2026, 11, 8, 10, 0, 0, 700),
    });
    const page = await cache.get('x', () => Promise.resolve({ status: 200, html: 'x' }));
    expect(notModified(page, 'br', etagOf(page, 'br'), undefined)).toBe(true);
    expect(notModified(page, 'br', `W/${etagOf(page, 'br')}`, undefined)).toBe(true);
    expect(notModified(page, 'gzip', etagOf(page, 'br'), undefined)).toBe(false);
    // If-None-Match wins over a matching date.
    expect(notModified(page, 'br', '"other"', 'Tue, 08 Dec 2026 10:00:00 GMT')).toBe(false);
    expect(notModified(page, 'br', undefined, 'Tue, 08 Dec 2026 10:00:00 GMT')).toBe(true);
    expect(notModified(page, 'br', undefined, 'Tue, 08 Dec 2026 09:59:59 GMT')).toBe(false);
    expect(notModified(page, 'br', undefined, 'not a date')).toBe(false);
  });
});
