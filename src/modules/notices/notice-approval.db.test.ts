import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';

// Issue 14, item 4: separation of duties is the server's, whatever roles the author gives themselves.
const t = await createTestApp();

describe('notice approval', () => {
  it('refuses the author of a version even after they grant themselves the legal role; both steps audited', async () => {
    const org = await createOrganization(t);
    const incident = await createIncident(t, org, {
      type: 'data_breach',
      dataCategories: ['contact_details'],
    });
    const author = await createUser(t, org, ['admin'], { totp: false });
    const admin = await sessionFor(t, author);
    const created = await admin.post(`/api/incidents/${incident.id}/notices`, { kind: 'mandatory' });
    expect(created.statusCode, created.body).toBe(201);
    const notice = created.json<{ id: string; latest: { version: number } }>();
    const approveUrl = `/api/notices/${notice.id}/versions/${notice.latest.version}/approve`;

    // Without the legal role the route itself refuses.
    expect((await admin.post(approveUrl)).statusCode).toBe(403);
    const granted = await admin.patch(`/api/users/${author.id}`, { roles: ['admin', 'legal'] });
    expect(granted.statusCode, granted.body).toBe(200);
    const own = await admin.post(approveUrl);
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json<{ error: { code: string; message: string } }>().error.code).toBe('author_cannot_approve');
    const czech = await admin.request('POST', approveUrl, {}, { 'accept-language': 'cs' });
    expect(czech.json<{ error: { message: string } }>().error.message).toContain('Autor');

    // Another legal user may.
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const approved = await (await sessionFor(t, legal)).post(approveUrl);
    expect(approved.statusCode, approved.body).toBe(200);

    const audit = await withOrg(t.db, org, (tx) =>
      tx.query<{ action: string; actor_id: string | null; data: Record<string, unknown> }>(
        `SELECT action, actor_id, data FROM audit_events
         WHERE action IN ('user.roles_changed') OR action LIKE '%notice_approved%' ORDER BY seq`,
      ),
    );
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
      ['user.roles_changed', author.id],
      [expect.stringContaining('notice_approved'), legal.id],
    ]);
    expect(audit[0]!.data).toMatchObject({ from: ['admin'], to: ['admin', 'legal'] });
  });

  it('refuses whoever made the token that wrote a version through the API', async () => {
    const org = await createOrganization(t);
    const incident = await createIncident(t, org, {
      type: 'data_breach',
      dataCategories: ['contact_details'],
    });
    const maker = await createUser(t, org, ['admin'], { totp: false });
    const admin = await sessionFor(t, maker);
    const minted = await admin.post('/api/tokens', { name: 'drafting bot', scopes: ['notices.draft'] });
    expect(minted.statusCode, minted.body).toBe(201);
    const bearer = { authorization: `Bearer ${sensitive(minted.json<{ token: string }>().token)}` };
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${incident.id}/notices`,
      headers: bearer,
      payload: { kind: 'mandatory' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const notice = created.json<{ id: string; latest: { version: number } }>();
    const approveUrl = `/api/notices/${notice.id}/versions/${notice.latest.version}/approve`;

    expect((await admin.patch(`/api/users/${maker.id}`, { roles: ['admin', 'legal'] })).statusCode).toBe(200);
    const own = await admin.post(approveUrl);
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json<{ error: { code: string } }>().error.code).toBe('author_cannot_approve');
    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    expect((await legal.post(approveUrl)).statusCode).toBe(200);
  });

  it('refuses the maker of a token that wrote a "Was I affected?" page version, as for notices', async () => {
    const org = await createOrganization(t);
    const incident = await createIncident(t, org, {
      type: 'data_breach',
      dataCategories: ['contact_details'],
    });
    const maker = await createUser(t, org, ['admin'], { totp: false });
    const admin = await sessionFor(t, maker);
    const minted = await admin.post('/api/tokens', { name: 'guidance bot', scopes: ['guidance.draft'] });
    expect(minted.statusCode, minted.body).toBe(201);
    const text = {
      happened: 'A backup was readable.',
      done: 'We closed it.',
      advice: 'Watch for fake messages.',
    };
    const written = await t.app.inject({
      method: 'PUT',
      url: `/api/incidents/${incident.id}/guidance`,
      headers: { authorization: `Bearer ${sensitive(minted.json<{ token: string }>().token)}` },
      payload: { en: text, cs: text, ar: text },
    });
    expect(written.statusCode, written.body).toBe(201);
    const approveUrl = `/api/incidents/${incident.id}/guidance/versions/1/approve`;

    expect((await admin.patch(`/api/users/${maker.id}`, { roles: ['admin', 'legal'] })).statusCode).toBe(200);
    const own = await admin.post(approveUrl);
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json<{ error: { code: string } }>().error.code).toBe('author_cannot_approve');
    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    const approved = await legal.post(approveUrl);
    expect(approved.statusCode, approved.body).toBeLessThan(300);
  });
});
