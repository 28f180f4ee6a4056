import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';

// Issue 14, item 4: a token's scopes limit exactly which routes it passes.
const t = await createTestApp();

const org = await createOrganization(t);
// Only someone who holds a permission can hand it to a machine: the token maker is admin and legal.
const admin = await sessionFor(t, await createUser(t, org, ['admin', 'legal'], { totp: false }));
const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));

async function tokenWith(scopes: string[]): Promise<Record<string, string>> {
  const created = await admin.post('/api/tokens', { name: `machine ${scopes.join(' ')}`, scopes });
  expect(created.statusCode, created.body).toBe(201);
  return { authorization: `Bearer ${sensitive(created.json<{ token: string }>().token)}` };
}

const FILE_ROUTE = 'POST /api/incidents/:id/clocks/:clockId/filed';

describe('a reports.file token', () => {
  it('passes the filing route and no other route that needs a permission', async () => {
    const bearer = await tokenWith(['reports.file']);
    const routes = t.app.routeAccess.filter(
      (r) => r.url.startsWith('/api/') && r.access.kind !== 'public' && r.url !== '/api/openapi.json',
    );
    expect(routes.length).toBeGreaterThan(50);
    const passed: string[] = [];
    for (const route of routes) {
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: route.url.replace(/:\w+/g, randomUUID()),
        headers: bearer,
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
      });
      const label = `${route.method} ${route.url} -> ${response.statusCode} ${response.body.slice(0, 200)}`;
      expect(response.statusCode, label).toBeLessThan(500);
      if (response.statusCode === 403) {
        expect(response.json<{ error: { code: string } }>().error.code, label).toBe('forbidden');
      } else passed.push(`${route.method} ${route.url}`);
    }
    expect(passed).toEqual([FILE_ROUTE]);
  });

  it('files a clock, and sees neither the other clocks, the evidence, the incident nor customers', async () => {
    const incident = await createIncident(t, org, {
      type: 'data_breach',
      dataCategories: ['contact_details'],
      moments: { aware: new Date(Date.now() - 3_600_000).toISOString() },
      jurisdictions: [{ code: 'CZ', estimatedAffected: 50 }],
    });
    const clocks = await legal.get(`/api/incidents/${incident.id}/clocks`);
    expect(clocks.statusCode, clocks.body).toBe(200);
    const open = clocks
      .json<{ clocks: { id: string; state: string }[] }>()
      .clocks.find((c) => c.state === 'open');
    expect(open).toBeDefined();
    const bearer = await tokenWith(['reports.file']);
    const filed = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${incident.id}/clocks/${open!.id}/filed`,
      headers: bearer,
      payload: { reference: 'NUKIB-2026-77' },
    });
    expect(filed.statusCode, filed.body).toBe(200);
    // Met, and the filing's evidence is not shown back: the token may not read reports.
    expect(filed.json()).toMatchObject({ id: open!.id, state: 'met', filing: null });

    for (const url of [
      `/api/incidents/${incident.id}/clocks`,
      `/api/incidents/${incident.id}`,
      '/api/incidents',
      '/api/customers',
      `/api/incidents/${incident.id}/clocks/${open!.id}/document`,
    ]) {
      const response = await t.app.inject({ url, headers: bearer });
      expect(response.statusCode, url).toBe(403);
    }
    // A machine that must find its clocks is given incidents.read as well, by name.
    const reader = await tokenWith(['reports.file', 'incidents.read']);
    expect(
      (await t.app.inject({ url: `/api/incidents/${incident.id}/clocks`, headers: reader })).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ url: '/api/customers', headers: reader })).statusCode).toBe(403);
  });
});

describe('minting a token', () => {
  it('refuses a scope the maker’s own roles do not grant, until they hold it (audited)', async () => {
    const maker = await createUser(t, org, ['admin'], { totp: false });
    const agent = await sessionFor(t, maker);
    for (const scope of ['reports.file', 'notices.approve']) {
      const refused = await agent.post('/api/tokens', { name: 'filer', scopes: ['audit.read', scope] });
      expect(refused.statusCode, refused.body).toBe(403);
      expect(refused.json<{ error: { code: string; details: { scope: string } } }>().error).toMatchObject({
        code: 'token_scope_not_held',
        details: { scope },
      });
    }
    const arabic = await agent.request(
      'POST',
      '/api/tokens',
      { name: 'filer', scopes: ['reports.file'] },
      { 'accept-language': 'ar' },
    );
    expect(arabic.json<{ error: { message: string } }>().error.message).toContain('reports.file');
    expect((await agent.post('/api/tokens', { name: 'siem', scopes: ['audit.read'] })).statusCode).toBe(201);

    const granted = await agent.patch(`/api/users/${maker.id}`, { roles: ['admin', 'legal'] });
    expect(granted.statusCode, granted.body).toBe(200);
    const made = await agent.post('/api/tokens', { name: 'filer', scopes: ['reports.file'] });
    expect(made.statusCode, made.body).toBe(201);
    sensitive(made.json<{ token: string }>().token);
    const audit = await withOrg(t.db, org, (tx) =>
      tx.query<{ action: string; target_id: string }>(
        `SELECT action, target_id FROM audit_events
         WHERE action IN ('user.roles_changed', 'api_token.created') AND actor_id = $1 ORDER BY seq`,
        [maker.id],
      ),
    );
    expect(audit.map((a) => a.action)).toEqual([
      'api_token.created',
      'user.roles_changed',
      'api_token.created',
    ]);
    expect(audit.at(-1)!.target_id).toBe(made.json<{ apiToken: { id: string } }>().apiToken.id);
  });
});
