import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';

const t = await createTestApp();

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const WEBP = Buffer.concat([Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8L', 'latin1'), Buffer.alloc(14)]);

interface Brand {
  name: string;
  color: string | null;
  logoUrl: string | null;
}

/** An organization with a published "Was I affected?" page, and its admin. */
async function organizationWithPage(name: string) {
  const org = await createOrganization(t, { name });
  const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
  const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
  const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
  const incident = await createIncident(t, org);
  const text = { happened: 'What happened', done: 'What we did', advice: 'What to do' };
  const guidance = { en: text, cs: text, ar: text };
  const edited = await writer.put(`/api/incidents/${incident.id}/guidance`, guidance);
  expect(edited.statusCode, edited.body).toBe(201);
  expect((await legal.post(`/api/incidents/${incident.id}/guidance/versions/1/approve`)).statusCode).toBe(
    200,
  );
  const page = await legal.post(`/api/incidents/${incident.id}/lookup-page/publish`, {});
  expect(page.statusCode, page.body).toBe(200);
  const publicId = page.json<{ page: { publicId: string } }>().page.publicId;
  const brand = async () => {
    const got = await t.app.inject({ url: `/api/public/affected/${publicId}` });
    expect(got.statusCode, got.body).toBe(200);
    return got.json<{ brand: Brand }>().brand;
  };
  return { org, admin, brand };
}

/** Without a session or any cookie, as a customer's browser asks. */
const anonymous = (url: string) => t.app.inject({ url });

describe('the public logo and brand of an organization', () => {
  it('public pages name the logo by an opaque address that serves only the image, without sign-in', async () => {
    const { org, admin, brand } = await organizationWithPage('Acme Bank');
    expect(await brand()).toEqual({ name: 'Acme Bank', color: null, logoUrl: null });

    expect((await admin.patch('/api/organization', { brandColor: '#0b5cad' })).statusCode).toBe(200);
    const put = await admin.request('PUT', '/api/organization/logo', PNG, { 'content-type': 'image/png' });
    expect(put.statusCode, put.body).toBe(200);
    const shown = await brand();
    expect(shown).toMatchObject({ name: 'Acme Bank', color: '#0B5CAD' });
    expect(shown.logoUrl).toMatch(/^\/api\/public\/logos\/[A-Za-z0-9_-]{22,}$/);
    // The address says nothing about the organization.
    expect(shown.logoUrl).not.toContain(org);

    const served = await anonymous(shown.logoUrl!);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(served.headers['content-disposition']).toBe('inline; filename="logo"');
    expect(served.rawPayload.equals(PNG)).toBe(true);

    // A new logo has a new address and its own type; the old address stops answering.
    expect(
      (await admin.request('PUT', '/api/organization/logo', WEBP, { 'content-type': 'image/webp' }))
        .statusCode,
    ).toBe(200);
    const replaced = (await brand()).logoUrl!;
    expect(replaced).not.toBe(shown.logoUrl);
    expect((await anonymous(replaced)).headers['content-type']).toBe('image/webp');
    expect((await anonymous(shown.logoUrl!)).statusCode).toBe(404);

    // Removed: the page has no logo and its address is gone.
    expect((await admin.delete('/api/organization/logo')).statusCode).toBe(200);
    expect((await brand()).logoUrl).toBeNull();
    expect((await anonymous(replaced)).statusCode).toBe(404);
  });

  it('an unknown or removed logo is the same 404, naming no organization; each page shows its own', async () => {
    const first = await organizationWithPage('První s.r.o.');
    const second = await organizationWithPage('Second Ltd');
    await first.admin.request('PUT', '/api/organization/logo', PNG, { 'content-type': 'image/png' });
    const firstLogo = (await first.brand()).logoUrl!;
    expect((await second.brand()).logoUrl).toBeNull();

    const unknown = await anonymous(`/api/public/logos/${randomBytes(18).toString('base64url')}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('not_found');
    expect(unknown.body).not.toContain('První');
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);

    await first.admin.delete('/api/organization/logo');
    const removed = await anonymous(firstLogo);
    expect(removed.statusCode).toBe(404);
    const strip = (body: string) => body.replace(/"requestId":"[^"]*"/, '');
    expect(strip(removed.body)).toBe(strip(unknown.body));

    // Not an id at all: refused before any look-up.
    expect((await anonymous('/api/public/logos/..%2F..%2Fetc')).statusCode).toBe(400);
  });
});
