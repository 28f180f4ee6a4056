import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { Agent } from '../../../test/agent.js';
import { sensitive } from '../../../test/secrets.js';
import { TRUST_PREVIEW_CSP } from './trust-preview-routes.js';

const t = await createTestApp();

/** An organization with a published site, an incident's page and a draft update in English and Czech. */
async function draftedUpdate() {
  const org = await createOrganization(t, { name: sensitive(`Acme ${randomBytes(3).toString('hex')}`) });
  const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
  const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
  const slug = `acme-${randomBytes(4).toString('hex')}`;
  expect(
    (await admin.put('/api/trust/site', { slug, published: true, requireApproval: true })).statusCode,
  ).toBe(200);
  const incident = await createIncident(t, org);
  const page = await writer.put(`/api/incidents/${incident.id}/trust/page`, {
    texts: { en: { title: 'Card data exposed', summary: 'An intruder read some card numbers.' } },
  });
  expect(page.statusCode, page.body).toBe(200);
  const created = await writer.post(`/api/incidents/${incident.id}/trust/updates`, {
    status: 'identified',
    texts: {
      en: { message: 'We found the <b>cause</b>.', customerActions: 'Watch your statements.' },
      cs: { message: 'Našli jsme příčinu.', customerActions: 'Sledujte své výpisy.' },
    },
    nextUpdateBy: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(created.statusCode, created.body).toBe(201);
  const updateId = created.json<{ updates: { id: string }[] }>().updates[0]!.id;
  return { org, writer, slug, updateId, incidentId: incident.id };
}

describe('trust center: preview of an update', () => {
  it('renders the public page with the draft first, under its own sandboxing policy, never cached', async () => {
    const { writer, slug, updateId } = await draftedUpdate();
    const response = await writer.get(`/api/trust/updates/${updateId}/preview.html?locale=en`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBe(TRUST_PREVIEW_CSP);
    expect(TRUST_PREVIEW_CSP).toContain("style-src 'self'");
    expect(TRUST_PREVIEW_CSP).toContain('sandbox');
    expect(TRUST_PREVIEW_CSP).not.toContain('script-src');
    expect(TRUST_PREVIEW_CSP).not.toContain('allow-scripts');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('Card data exposed');
    // Staff text is text: escaped, never markup.
    expect(response.body).toContain('We found the &lt;b&gt;cause&lt;/b&gt;.');
    expect(response.body).toContain('Watch your statements.');
    expect(response.body).toContain(`/trust/${slug}/brand.css`);
  });

  it('publishes nothing by looking', async () => {
    const { writer, slug, updateId, incidentId } = await draftedUpdate();
    expect((await writer.get(`/api/trust/updates/${updateId}/preview.html?locale=cs`)).statusCode).toBe(200);
    const view = await writer.get(`/api/incidents/${incidentId}/trust`);
    expect(view.json<{ updates: { state: string }[] }>().updates.map((u) => u.state)).toEqual(['draft']);
    expect((await new Agent(t.app).get(`/trust/${slug}/en/`)).body).not.toContain('Card data exposed');
  });

  it('shows the Arabic page right to left, with the text it falls back to marked as pending', async () => {
    const { writer, updateId } = await draftedUpdate();
    const response = await writer.get(`/api/trust/updates/${updateId}/preview.html?locale=ar`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toMatch(/<html[^>]*lang="ar"[^>]*dir="rtl"|<html[^>]*dir="rtl"[^>]*lang="ar"/);
    expect(response.body).toContain('الترجمة قيد الإعداد');
    expect(response.body).toContain('We found the &lt;b&gt;cause&lt;/b&gt;.');
  });

  it('needs a session of the organization: none is 401, from another organization 404, a bad language 400', async () => {
    const { updateId, org } = await draftedUpdate();
    const anonymous = await new Agent(t.app).get(`/api/trust/updates/${updateId}/preview.html?locale=en`);
    expect(anonymous.statusCode).toBe(401);
    const other = await draftedUpdate();
    const stranger = await other.writer.get(`/api/trust/updates/${updateId}/preview.html?locale=en`);
    expect(stranger.statusCode).toBe(404);
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await viewer.get(`/api/trust/updates/${updateId}/preview.html?locale=en`)).statusCode).toBe(200);
    expect((await viewer.get(`/api/trust/updates/${updateId}/preview.html?locale=de`)).statusCode).toBe(400);
  });
});
