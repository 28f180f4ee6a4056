import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import {
  createIncident,
  createOrganization,
  createUser,
  sessionFor,
  signIn,
} from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';

const t = await createTestApp();

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const WEBP = Buffer.concat([Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8L', 'latin1'), Buffer.alloc(14)]);

async function admin() {
  const org = await createOrganization(t, { name: 'Acme Bank' });
  return { org, agent: await signIn(t, await createUser(t, org, ['admin'])) };
}

type Agent = Awaited<ReturnType<typeof admin>>['agent'];
const upload = (agent: Agent, body: Buffer | string, type: string) =>
  agent.request('PUT', '/api/organization/logo', body, { 'content-type': type });

describe('the organization describes itself', () => {
  it('an admin sets the brand, support and DPO contacts; each change is audited by field name only', async () => {
    const { agent } = await admin();
    const dpoEmail = sensitive('dpo.novakova@acme.example');
    const dpoName = sensitive('Jana Nováková');
    const set = await agent.patch('/api/organization', {
      brandColor: '#1d4ed8',
      supportEmail: 'help@acme.example',
      supportPhone: '+420 601 234 567',
      supportHours: { en: 'Mon–Fri 9–17', cs: 'po–pá 9–17', ar: ' ' },
      dpoName,
      dpoEmail,
      dpoPhone: '+420 222 333 444',
    });
    expect(set.statusCode, set.body).toBe(200);
    const expected = {
      name: 'Acme Bank',
      brandColor: '#1D4ED8',
      supportEmail: 'help@acme.example',
      supportPhone: '+420601234567',
      supportHours: { en: 'Mon–Fri 9–17', cs: 'po–pá 9–17' },
      dpoName,
      dpoEmail,
      dpoPhone: '+420222333444',
      logoUrl: null,
    };
    expect(set.json()).toMatchObject(expected);
    expect((await agent.get('/api/organization')).json()).toMatchObject(expected);

    // Other settings are untouched by a partial change; null clears a contact.
    const cleared = await agent.patch('/api/organization', { dpoPhone: null, brandColor: '' });
    expect(cleared.json()).toMatchObject({
      dpoPhone: null,
      brandColor: null,
      dpoEmail,
      supportPhone: '+420601234567',
    });

    const audit = (await agent.get('/api/audit?action=organization.updated')).json<{
      events: { data: { fields: string[] } }[];
    }>().events;
    expect(audit.map((e) => [...e.data.fields].sort())).toEqual(
      expect.arrayContaining([
        ['brandColor', 'dpoEmail', 'dpoName', 'dpoPhone', 'supportEmail', 'supportHours', 'supportPhone'],
        ['brandColor', 'dpoPhone'],
      ]),
    );
    const auditText = JSON.stringify(audit);
    expect(auditText).not.toContain(dpoEmail);
    expect(auditText).not.toContain(dpoName);
  });

  it('refuses a colour white text cannot be read on, a malformed colour and a phone that is not E.164, naming the field', async () => {
    const { agent } = await admin();
    const yellow = await agent.patch('/api/organization', { brandColor: '#FFFF00' });
    expect(yellow.statusCode).toBe(400);
    expect(yellow.json().error.details).toMatchObject({ where: 'body/brandColor', problem: 'low_contrast' });
    const named = await agent.patch('/api/organization', { brandColor: 'red' });
    expect(named.statusCode).toBe(400);
    expect(named.json().error.details.where).toBe('body/brandColor');
    const local = await agent.patch('/api/organization', { supportPhone: '601 234 567' });
    expect(local.statusCode).toBe(400);
    expect(local.json().error.details).toEqual({ where: 'body/supportPhone', problem: 'not_e164' });
    const dpo = await agent.patch('/api/organization', { dpoPhone: '+0 12' });
    expect(dpo.json().error.details).toEqual({ where: 'body/dpoPhone', problem: 'not_e164' });
    const email = await agent.patch('/api/organization', { supportEmail: 'not an address' });
    expect(email.statusCode).toBe(400);
    expect(email.json().error.details.where).toBe('body/supportEmail');
    // Nothing of a refused change was kept.
    expect((await agent.get('/api/organization')).json()).toMatchObject({
      brandColor: null,
      supportPhone: null,
    });
  });

  it('takes a PNG or WebP logo by its bytes and serves it back only as that image; refuses SVG, text and oversize', async () => {
    const { agent, org } = await admin();
    // The label does not decide: a PNG sent as octet-stream is a PNG.
    const put = await upload(agent, PNG, 'application/octet-stream');
    expect(put.statusCode, put.body).toBe(200);
    const logoUrl = put.json<{ logoUrl: string }>().logoUrl;
    expect(logoUrl).toMatch(/^\/api\/organization\/logo\?v=\d+$/);
    expect((await agent.get('/api/organization')).json().logoUrl).toBe(logoUrl);
    const served = await agent.get(logoUrl);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toContain("default-src 'none'");
    expect(served.rawPayload.equals(PNG)).toBe(true);
    // Any user of the organization sees it (the admin app shows it); nobody else does.
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await viewer.get(logoUrl)).statusCode).toBe(200);
    expect((await upload(viewer, PNG, 'image/png')).statusCode).toBe(403);
    const stranger = await signIn(t, await createUser(t, await createOrganization(t), ['admin']));
    expect((await stranger.get('/api/organization/logo')).statusCode).toBe(404);

    const webp = await upload(agent, WEBP, 'image/webp');
    expect(webp.statusCode, webp.body).toBe(200);
    expect((await agent.get(webp.json().logoUrl)).headers['content-type']).toBe('image/webp');

    const svg = await upload(
      agent,
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      'image/svg+xml',
    );
    expect(svg.statusCode).toBe(400);
    expect(svg.json().error.details).toEqual({ where: 'body', problem: 'not_png_jpeg_or_webp' });
    const text = await upload(agent, 'hello', 'text/plain');
    expect(text.statusCode).toBe(400);
    expect(text.json().error.details.where).toBe('body');
    const big = await upload(agent, Buffer.concat([PNG, Buffer.alloc(256 * 1024)]), 'image/png');
    expect(big.statusCode).toBe(413);
    expect(big.json().error.details).toMatchObject({
      where: 'body',
      problem: 'logo_too_large',
      limit: 262144,
    });
    // The WebP stays.
    expect((await agent.get('/api/organization/logo')).headers['content-type']).toBe('image/webp');

    const removed = await agent.delete('/api/organization/logo');
    expect(removed.json()).toEqual({ logoUrl: null });
    expect((await agent.get('/api/organization/logo')).statusCode).toBe(404);
  });

  it('a notice drafted after the settings are saved names the support contact and the DPO in en, cs and ar', async () => {
    const { agent, org } = await admin();
    const saved = await agent.patch('/api/organization', {
      supportEmail: 'help@acme.example',
      supportPhone: '+420601234567',
      supportHours: { en: 'Mon–Fri 9–17', cs: 'po–pá 9–17', ar: 'الأحد–الخميس 9–17' },
      dpoName: 'Jana Nováková',
      dpoEmail: 'dpo@acme.example',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const incident = await createIncident(t, org, { type: 'data_breach' });
    const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
    const drafted = await writer.post(`/api/incidents/${incident.id}/notices`, { kind: 'mandatory' });
    expect(drafted.statusCode, drafted.body).toBe(201);
    const notice = drafted.json<{
      id: string;
      latest: { content: Record<string, { parts: { where_to_get_help: string } }> };
    }>();
    const hours = { en: 'Mon–Fri 9–17', cs: 'po–pá 9–17', ar: 'الأحد–الخميس 9–17' };
    for (const locale of ['en', 'cs', 'ar'] as const) {
      const help = notice.latest.content[locale]!.parts.where_to_get_help;
      expect(help, locale).toContain('{supportContact}');
      expect(help, locale).toContain('{dpoContact}');
      const preview = await writer.post(`/api/notices/${notice.id}/preview`, { locale });
      expect(preview.statusCode, preview.body).toBe(200);
      const text = preview.json<{ text: string }>().text;
      expect(text, locale).toContain(
        `help@acme.example${locale === 'ar' ? '، ' : ', '}+420601234567 (${hours[locale]})`,
      );
      expect(text, locale).toContain(`Jana Nováková${locale === 'ar' ? '، ' : ', '}dpo@acme.example`);
      expect(text, locale).not.toMatch(/\{(supportContact|dpoContact)\}/);
    }

    // Without the settings, the built-in text does not promise a contact it cannot name.
    const other = await admin();
    const bare = await createIncident(t, other.org, { type: 'data_breach' });
    const otherWriter = await sessionFor(
      t,
      await createUser(t, other.org, ['communications'], { totp: false }),
    );
    const plain = await otherWriter.post(`/api/incidents/${bare.id}/notices`, { kind: 'mandatory' });
    expect(plain.json().latest.content.en.parts.where_to_get_help).not.toMatch(/supportContact|dpoContact/);
  });
});
