import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import type { ContactView } from './plan-schemas.js';

const t = await createTestApp();
const org = await createOrganization(t, { name: 'Pekárna Novák s.r.o.' });
const manager = await sessionFor(t, await createUser(t, org, ['incident_manager'], { totp: false }));

const phone = sensitive('+420 601 234 567');
const signal = sensitive('+420 777 000 111');
const bridge = sensitive('+420 222 333 444, PIN 7781#');

async function addContacts() {
  const created: ContactView[] = [];
  for (const body of [
    {
      name: 'Jana Nováková',
      role: 'Incident commander',
      phone,
      channels: [
        { type: 'signal', value: signal },
        { type: 'phone_bridge', value: bridge },
      ],
      notes: 'Available 24/7',
      position: 1,
    },
    {
      name: '=HYPERLINK("http://evil.test","click")',
      role: 'Counsel, "external"',
      affiliation: 'AK Dvořák',
      position: 2,
    },
    { name: 'أحمد الراشد', role: 'مسؤول الاتصال', phone: '+966 11 234 5678', position: 3 },
  ]) {
    const response = await manager.post('/api/contacts', body);
    expect(response.statusCode, response.body).toBe(201);
    created.push(response.json<ContactView>());
  }
  return created;
}

const [jana, formula, ahmed] = await addContacts();

async function auditActions(action: string) {
  return t.db.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM audit_events WHERE organization_id = $1 AND action = $2 ORDER BY seq',
    [org, action],
  );
}

describe('out-of-band contact list', () => {
  it('is kept, listed in order, edited and removed through the API', async () => {
    expect(jana).toMatchObject({
      name: 'Jana Nováková',
      phone,
      channels: [
        { type: 'signal', value: signal },
        { type: 'phone_bridge', value: bridge },
      ],
      notes: 'Available 24/7',
    });
    const list = (await manager.get('/api/contacts')).json<ContactView[]>();
    expect(list.map((c) => c.id)).toEqual([jana!.id, formula!.id, ahmed!.id]);

    const extra = (
      await manager.post('/api/contacts', { name: 'ISP NOC', phone: '+420 800 100 200' })
    ).json<ContactView>();
    const patched = await manager.patch(`/api/contacts/${extra.id}`, {
      affiliation: 'Internet provider',
      channels: [{ type: 'phone', value: '+420 800 100 201' }],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<ContactView>()).toMatchObject({
      name: 'ISP NOC',
      affiliation: 'Internet provider',
      phone: '+420 800 100 200',
      channels: [{ type: 'phone', value: '+420 800 100 201' }],
    });
    expect((await manager.patch(`/api/contacts/${extra.id}`, { phone: 'call me maybe' })).statusCode).toBe(
      400,
    );
    expect((await manager.patch(`/api/contacts/${extra.id}`, {})).statusCode).toBe(400);
    expect((await manager.delete(`/api/contacts/${extra.id}`)).statusCode).toBe(204);
    expect((await manager.delete(`/api/contacts/${extra.id}`)).statusCode).toBe(404);
    expect((await manager.patch(`/api/contacts/${extra.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await auditActions('contact.created')).length).toBe(4);
    expect((await auditActions('contact.updated'))[0]!.data).toEqual({ fields: ['affiliation', 'channels'] });
    expect((await auditActions('contact.deleted')).length).toBe(1);
  });

  it('refuses a blank name (stored trimmed) with a validation error, not a server error', async () => {
    const created = await manager.post('/api/contacts', { name: '   ', role: 'Counsel' });
    expect(created.statusCode, created.body).toBe(400);
    const patched = await manager.patch(`/api/contacts/${ahmed!.id}`, { name: ' \t ' });
    expect(patched.statusCode, patched.body).toBe(400);
  });

  it('is read by the response roles, edited only by admins and incident managers, hidden from viewers and other organizations', async () => {
    for (const role of ['communications', 'legal', 'support'] as const) {
      const agent = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      expect((await agent.get('/api/contacts')).statusCode).toBe(200);
      expect((await agent.post('/api/contacts', { name: 'Someone' })).statusCode).toBe(403);
      expect((await agent.delete(`/api/contacts/${jana!.id}`)).statusCode).toBe(403);
    }
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await viewer.get('/api/contacts')).statusCode).toBe(403);
    expect((await viewer.get('/api/contacts/export.csv')).statusCode).toBe(403);
    expect((await viewer.get('/api/contacts/print')).statusCode).toBe(403);

    const other = await createOrganization(t);
    const foreign = await sessionFor(t, await createUser(t, other, ['admin'], { totp: false }));
    expect((await foreign.get('/api/contacts')).json()).toEqual([]);
    expect((await foreign.patch(`/api/contacts/${jana!.id}`, { name: 'Hijacked' })).statusCode).toBe(404);
    expect((await foreign.delete(`/api/contacts/${jana!.id}`)).statusCode).toBe(404);
  });

  it('keeps phone numbers, channels and notes sealed at rest', async () => {
    const rows = await t.db.query<{ details: Uint8Array; name: string }>(
      'SELECT name, details FROM oob_contacts WHERE id = $1',
      [jana!.id],
    );
    const raw = Buffer.from(rows[0]!.details).toString('latin1');
    for (const secret of ['601 234 567', '777 000 111', 'PIN 7781', 'Available'])
      expect(raw).not.toContain(secret);
    // A sealed value moved to another row does not open.
    await t.db.query(
      'UPDATE oob_contacts SET details = (SELECT details FROM oob_contacts WHERE id = $1) WHERE id = $2',
      [jana!.id, ahmed!.id],
    );
    const broken = await manager.get('/api/contacts');
    expect(broken.statusCode).toBe(500);
    await t.db.query('DELETE FROM oob_contacts WHERE id = $1', [ahmed!.id]);
    const restored = await manager.post('/api/contacts', {
      name: 'أحمد الراشد',
      role: 'مسؤول الاتصال',
      phone: '+966 11 234 5678',
      position: 3,
    });
    expect(restored.statusCode).toBe(201);
  });

  it('exports as CSV: UTF-8 with BOM, localized header, formulas neutralised, phone numbers intact; audited', async () => {
    const response = await manager.get('/api/contacts/export.csv', { 'accept-language': 'cs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /attachment; filename="candor-out-of-band-contacts\.csv"/,
    );
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.body;
    expect(body.startsWith('\uFEFF')).toBe(true);
    const lines = body.slice(1).split('\r\n');
    expect(lines[0]).toBe('Jméno,Role při reakci,Organizace,Telefon,Další kanály,Poznámky');
    expect(lines[1]).toBe(
      `Jana Nováková,Incident commander,,${phone},"Signal: ${signal}; Telefonní konference: ${bridge}",Available 24/7`,
    );
    expect(lines[2]).toBe(
      `"'=HYPERLINK(""http://evil.test"",""click"")","Counsel, ""external""",AK Dvořák,,,`,
    );
    expect(lines[3]).toBe('أحمد الراشد,مسؤول الاتصال,,+966 11 234 5678,,');
    expect(lines[4]).toBe('');
    const audit = await auditActions('contacts.exported');
    expect(audit.at(-1)!.data).toEqual({ format: 'csv', count: 3 });
  });

  it('exports as JSON with the organization and every field; audited', async () => {
    const response = await manager.get('/api/contacts/export.json');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(/candor-out-of-band-contacts\.json/);
    const data = response.json<{ organization: string; exportedAt: string; contacts: ContactView[] }>();
    expect(data.organization).toBe('Pekárna Novák s.r.o.');
    expect(data.contacts.map((c) => c.name)).toEqual(['Jana Nováková', formula!.name, 'أحمد الراشد']);
    expect(data.contacts[0]).toMatchObject({ phone, channels: jana!.channels, notes: 'Available 24/7' });
    expect((await auditActions('contacts.exported')).at(-1)!.data).toEqual({ format: 'json', count: 3 });
  });

  it('prints as a page with no script and no inline style, mirrored in Arabic, its stylesheet served', async () => {
    const response = await manager.get('/api/contacts/print', { 'accept-language': 'ar' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toMatch(/style-src 'self'/);
    const html = response.body;
    expect(html).toMatch(/^<!doctype html>\n<html lang="ar" dir="rtl">/);
    expect(html).toContain('<link rel="stylesheet" href="/api/contacts/print.css">');
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<title>جهات الاتصال البديلة · Pekárna Novák s.r.o.</title>');
    expect(html).toContain(`<td class="phone"><span dir="ltr">${phone}</span></td>`);
    expect(html).toContain(`<bdi>سيغنال: ${signal}</bdi>`);
    expect(html).toContain('=HYPERLINK(&quot;http://evil.test&quot;,&quot;click&quot;)');
    expect((await auditActions('contacts.printed')).at(-1)!.data).toEqual({ format: 'print', count: 3 });

    const escaped = await manager.post('/api/contacts', { name: '<script>alert(1)</script>' });
    const page = (await manager.get('/api/contacts/print')).body;
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    await manager.delete(`/api/contacts/${escaped.json<ContactView>().id}`);

    const css = await t.app.inject({ method: 'GET', url: '/api/contacts/print.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('@media print');
    expect(css.body).not.toMatch(/(margin|padding|border)-(left|right)|text-align:\s*(left|right)/);
  });

  it('prints an empty list with a prompt to fill it', async () => {
    const other = await createOrganization(t);
    const agent = await sessionFor(t, await createUser(t, other, ['admin'], { totp: false }));
    const html = (await agent.get('/api/contacts/print', { 'accept-language': 'en' })).body;
    expect(html).toContain('<p class="empty">The list is empty');
    expect(html).not.toContain('<table>');
  });
});
