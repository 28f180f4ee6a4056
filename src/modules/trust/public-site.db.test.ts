import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { t as msg } from '../../platform/i18n.js';

const t = await createTestApp();

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** A published site with one incident page whose first update is published (no approval asked). */
async function publishedSite() {
  const org = await createOrganization(t, {
    name: sensitive(`Pekárna ${randomBytes(3).toString('hex')} s.r.o.`),
  });
  const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
  const slug = `pekarna-${randomBytes(4).toString('hex')}`;
  const saved = await admin.put('/api/trust/site', { slug, published: true, requireApproval: false });
  expect(saved.statusCode, saved.body).toBe(200);
  const incident = await createIncident(t, org);
  const page = await admin.put(`/api/incidents/${incident.id}/trust/page`, {
    texts: {
      en: { title: 'Card data exposed', summary: 'An intruder read card numbers.' },
      cs: { title: 'Únik údajů o kartách', summary: 'Útočník přečetl čísla karet.' },
    },
  });
  expect(page.statusCode, page.body).toBe(200);
  const publicId = page.json<{ page: { publicId: string } }>().page.publicId;
  const publish = async (message: string) => {
    const drafted = await admin.post(`/api/incidents/${incident.id}/trust/updates`, {
      status: 'investigating',
      texts: { en: { message, customerActions: 'Watch your statements.' } },
      nextUpdateBy: inAnHour(),
    });
    expect(drafted.statusCode, drafted.body).toBe(201);
    const id = drafted
      .json<{ updates: { id: string; state: string }[] }>()
      .updates.find((u) => u.state === 'draft')!.id;
    const published = await admin.post(`/api/trust/updates/${id}/publish`, {});
    expect(published.statusCode, published.body).toBe(200);
  };
  await publish('We are looking into it.');
  return { admin, slug, publicId, publish };
}

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

describe('the public trust center over HTTP', () => {
  it('sends a reader to their language, and serves the home and incident pages with no script allowed', async () => {
    const site = await publishedSite();
    const bare = await get(`/trust/${site.slug}`, { 'accept-language': 'ar-SA,ar;q=0.9,en;q=0.5' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe(`/trust/${site.slug}/ar/`);
    expect(bare.headers.vary).toContain('Accept-Language');

    const home = await get(`/trust/${site.slug}/cs/`);
    expect(home.statusCode, home.body).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.headers['content-security-policy']).toContain("default-src 'none'");
    expect(home.headers['content-security-policy']).not.toContain('script-src');
    expect(home.body).toContain('<html lang="cs"');
    expect(home.body).toContain('Únik údajů o kartách');

    const incident = await get(`/trust/${site.slug}/ar/incidents/${site.publicId}`);
    expect(incident.statusCode, incident.body).toBe(200);
    expect(incident.body).toMatch(/<html[^>]* dir="rtl"/);
    // No Arabic version was written: the English one shows, saying its translation is pending.
    expect(incident.body).toContain('We are looking into it.');
    expect(incident.body).toContain(msg('ar', 'trust.site.pendingShort'));
    expect(incident.body).not.toMatch(/<script/i);

    // The stylesheets the pages name are served, under the same rule.
    const css = /<link rel="stylesheet" href="(\/trust-assets\/site\.[\w-]+\.css)"/.exec(incident.body)?.[1];
    expect(css).toBeDefined();
    expect((await get(css!)).headers['cache-control']).toContain('immutable');
    const brand = await get(`/trust/${site.slug}/brand.css`);
    expect(brand.statusCode).toBe(200);
    expect(brand.body).toMatch(/--accent: #[0-9a-f]{6}/);
  });

  it('compresses once, answers 304 to a current copy, and shows a publish at once', async () => {
    const site = await publishedSite();
    const url = `/trust/${site.slug}/en/incidents/${site.publicId}`;
    const plain = await get(url);
    const br = await get(url, { 'accept-encoding': 'gzip, br' });
    const gz = await get(url, { 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(br.headers.vary).toContain('Accept-Encoding');

    const etag = String(br.headers.etag);
    const again = await get(url, { 'accept-encoding': 'gzip, br', 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Another encoding's ETag is another body.
    expect((await get(url, { 'accept-encoding': 'gzip', 'if-none-match': etag })).statusCode).toBe(200);

    await site.publish('We found the cause and closed the hole.');
    const after = await get(url, { 'accept-encoding': 'gzip, br', 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(brotliDecompressSync(after.rawPayload).toString()).toContain(
      'We found the cause and closed the hole.',
    );
  });

  it('serves many readers arriving at once the same page', async () => {
    const site = await publishedSite();
    await site.publish('Second update, before the crowd.');
    const url = `/trust/${site.slug}/cs/incidents/${site.publicId}`;
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => get(url, { 'accept-encoding': 'br' })),
    );
    expect(new Set(answers.map((a) => a.statusCode))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.headers.etag)).size).toBe(1);
  });

  it('answers an unknown site, language or incident, and an unpublished site, with the same 404 page', async () => {
    const site = await publishedSite();
    const missing = [
      `/trust/no-such-site-here/cs/`,
      // No such language: the reader's, from Accept-Language.
      `/trust/${site.slug}/de/`,
      `/trust/${site.slug}/cs/incidents/${'A'.repeat(22)}`,
      `/trust/${site.slug}/cs/incidents/not-an-id`,
    ];
    for (const url of missing) {
      const answer = await get(url, { 'accept-language': 'cs, en;q=0.5' });
      expect(answer.statusCode, url).toBe(404);
      expect(answer.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(answer.body, url).toContain(msg('cs', 'trust.site.notFound.title'));
      expect(answer.headers['cache-control'], url).toBe('no-store');
    }
    const hidden = await site.admin.put('/api/trust/site', {
      slug: site.slug,
      published: false,
      requireApproval: false,
    });
    expect(hidden.statusCode, hidden.body).toBe(200);
    expect((await get(`/trust/${site.slug}/en/`)).statusCode).toBe(404);
    expect((await get(`/trust/${site.slug}/en/incidents/${site.publicId}`)).statusCode).toBe(404);
  });
});
