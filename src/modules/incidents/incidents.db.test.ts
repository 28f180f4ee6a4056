import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { verifyChain } from '../audit/audit-verify.js';
import { ROLES } from '../access/permissions.js';
import { STATES, TRANSITIONS } from './incident-model.js';

const t = await createTestApp();
const org = await createOrganization(t);

describe('incident register', () => {
  it('declares an incident with moments, jurisdictions and members, numbered per organization', async () => {
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const first = await createIncident(t, org, {
      title: 'Credential stuffing against the customer portal',
      type: 'data_breach',
      severity: 'SEV1',
      dataCategories: ['contact_details', 'credentials'],
      affectedSystems: ['customer portal', 'identity provider'],
      moments: { occurred: '2026-11-20T22:10:00Z', aware: '2026-11-21T08:00:00Z' },
      jurisdictions: [
        { code: 'CZ', estimatedAffected: 1200 },
        { code: 'US-CA', estimatedAffected: 501 },
      ],
      members: [{ userId: legal.id, role: 'legal_lead' }],
    });
    const view = (await first.agent.get(`/api/incidents/${first.id}`)).json();
    expect(view).toMatchObject({
      state: 'detected',
      severity: 'SEV1',
      dataCategories: ['contact_details', 'credentials'],
      moments: { occurred: '2026-11-20T22:10:00.000Z', aware: '2026-11-21T08:00:00.000Z', contained: null },
      jurisdictions: [
        { code: 'CZ', estimatedAffected: 1200, countedAffected: null },
        { code: 'US-CA', estimatedAffected: 501, countedAffected: null },
      ],
      allowedTransitions: ['triaged', 'closed'],
    });
    expect(view.moments.detected).not.toBeNull();
    expect(view.members.map((m: { role: string }) => m.role).sort()).toEqual(['commander', 'legal_lead']);
    const second = await createIncident(t, org, {}, first.manager);
    expect(second.number).toBe(first.number + 1);
  });

  it('records an incident after the fact in any state', async () => {
    const { agent, id } = await createIncident(t, org, {
      state: 'closed',
      moments: { occurred: '2026-01-02T03:04:05Z', resolved: '2026-01-05T00:00:00Z' },
    });
    expect((await agent.get(`/api/incidents/${id}`)).json()).toMatchObject({
      state: 'closed',
      allowedTransitions: ['reviewed', 'triaged'],
    });
  });

  it('allows only sensible transitions and says which ones are allowed', async () => {
    const { agent, id } = await createIncident(t, org);
    const skip = await agent.post(`/api/incidents/${id}/transition`, { to: 'recovered' });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().error).toMatchObject({
      code: 'illegal_transition',
      details: { from: 'detected', to: 'recovered', allowed: 'triaged, closed' },
    });
    expect(skip.json().error.message).toContain('detected');
    for (const to of ['triaged', 'contained', 'eradicated', 'recovered', 'closed', 'reviewed'] as const) {
      const r = await agent.post(`/api/incidents/${id}/transition`, { to, note: `now ${to}` });
      expect(r.statusCode, r.body).toBe(200);
    }
    const view = (await agent.get(`/api/incidents/${id}`)).json();
    expect(view.state).toBe('reviewed');
    // Reaching containment and closure records those moments.
    expect(view.moments.contained).not.toBeNull();
    expect(view.moments.resolved).not.toBeNull();
  });

  it('has a transition table in which every state can be left and every state reached', () => {
    for (const state of STATES) expect(TRANSITIONS[state].length, state).toBeGreaterThan(0);
    const reachable = new Set(Object.values(TRANSITIONS).flat());
    for (const state of STATES.filter((s) => s !== 'detected'))
      expect(reachable.has(state), state).toBe(true);
  });

  it('puts every change and note on the timeline with actor and time, and in the audit log', async () => {
    // Without its plan: the plan's own timeline events are tested in modules/plans.
    const { agent, id, manager } = await createIncident(t, org, { severity: 'SEV3', startPlan: false });
    await agent.patch(`/api/incidents/${id}`, { severity: 'SEV1', affectedSystems: ['mail gateway'] });
    await agent.put(`/api/incidents/${id}/moments`, { aware: '2026-11-21T10:00:00Z' });
    await agent.put(`/api/incidents/${id}/jurisdictions`, [{ code: 'SA', estimatedAffected: 40 }]);
    await agent.post(`/api/incidents/${id}/transition`, { to: 'triaged' });
    await agent.post(`/api/incidents/${id}/notes`, { note: 'Phishing kit found on a look-alike domain.' });
    const timeline = (await agent.get(`/api/incidents/${id}/timeline`)).json<
      {
        kind: string;
        actorId: string;
        actorName: string;
        occurredAt: string;
        data: Record<string, unknown>;
        note: string | null;
      }[]
    >();
    expect(timeline.map((e) => e.kind)).toEqual([
      'declared',
      'updated',
      'moments_set',
      'jurisdictions_set',
      'state_changed',
      'note',
    ]);
    expect(timeline.every((e) => e.actorId === manager.id && e.actorName && e.occurredAt)).toBe(true);
    expect(timeline[1]!.data).toEqual({
      changed: {
        severity: { from: 'SEV3', to: 'SEV1' },
        affectedSystems: { from: [], to: ['mail gateway'] },
      },
    });
    expect(timeline[5]!.note).toBe('Phishing kit found on a look-alike domain.');
    const audit = await withOrg(t.db, org, (tx) =>
      tx.query<{ action: string; data: Record<string, unknown> }>(
        `SELECT action, data FROM audit_events WHERE target_id = $1 ORDER BY seq`,
        [id],
      ),
    );
    expect(audit.map((a) => a.action)).toEqual([
      'incident.declared',
      'incident.updated',
      'incident.moments_set',
      'incident.jurisdictions_set',
      'incident.state_changed',
      'incident.note',
    ]);
    // The audit log names fields, never their free-text values.
    expect(JSON.stringify(audit)).not.toContain('Phishing kit');
    expect((await verifyChain(t.db, t.config.secrets.auditKey, org)).ok).toBe(true);
  });

  it('lists incidents with filters', async () => {
    const other = await createOrganization(t);
    const { agent } = await createIncident(t, other, {
      type: 'denial_of_service',
      severity: 'SEV4',
      title: 'Volumetric attack on the API',
    });
    await createIncident(t, other, { type: 'phishing', isExercise: true, title: 'Tabletop: CEO fraud' });
    const all = (await agent.get('/api/incidents')).json<{ title: string }[]>();
    expect(all).toHaveLength(2);
    expect((await agent.get('/api/incidents?type=denial_of_service')).json()).toHaveLength(1);
    const exercises = (await agent.get('/api/incidents?exercise=true')).json<
      { isExercise: boolean; title: string }[]
    >();
    expect(exercises).toEqual([expect.objectContaining({ isExercise: true, title: 'Tabletop: CEO fraud' })]);
    expect((await agent.get('/api/incidents?q=volumetric')).json()).toHaveLength(1);
    expect((await agent.get('/api/incidents?severity=SEV9')).statusCode).toBe(400);
  });

  it('refuses a viewer who tries to declare or change an incident', async () => {
    const { id } = await createIncident(t, org);
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await viewer.get(`/api/incidents/${id}`)).statusCode).toBe(200);
    expect(
      (await viewer.post('/api/incidents', { title: 'x', type: 'other', severity: 'SEV4' })).statusCode,
    ).toBe(403);
    expect((await viewer.post(`/api/incidents/${id}/transition`, { to: 'triaged' })).statusCode).toBe(403);
  });
});

describe('restricted incidents', () => {
  it('are invisible to a non-member admin through every incident route, and visible once they are a member', async () => {
    const { id, agent: commander } = await createIncident(t, org, {
      restricted: true,
      title: 'Insider investigation',
    });
    // Every role, so no route refuses on permission first: only membership keeps them out.
    const admin = await createUser(t, org, [...ROLES], { totp: false });
    const outsider = await sessionFor(t, admin);
    const routes = t.app.routeAccess.filter((r) => r.url.startsWith('/api/incidents/:id'));
    expect(routes.length).toBeGreaterThan(8);
    for (const route of routes) {
      const url = route.url
        .replace(':id', id)
        .replace(':userId', admin.id)
        .replace(':role', 'member')
        .replace(/:(\w+)/g, '00000000-0000-4000-8000-000000000000');
      const body =
        route.method === 'GET'
          ? undefined
          : route.url.endsWith('/members')
            ? { userId: admin.id, role: 'member' }
            : {};
      const response = await outsider.request(route.method as 'GET', url, body);
      expect([400, 404], `${route.method} ${route.url} -> ${response.statusCode} ${response.body}`).toContain(
        response.statusCode,
      );
    }
    expect((await outsider.get('/api/incidents')).json<{ id: string }[]>().some((i) => i.id === id)).toBe(
      false,
    );
    expect((await outsider.get(`/api/incidents?q=Insider`)).json()).toEqual([]);
    // Nor does the database show it to them directly.
    const direct = await withOrg(
      t.db,
      org,
      (tx) => tx.query('SELECT id FROM incident_events WHERE incident_id = $1', [id]),
      {
        userId: admin.id,
      },
    );
    expect(direct).toEqual([]);

    expect(
      (await commander.post(`/api/incidents/${id}/members`, { userId: admin.id, role: 'member' })).statusCode,
    ).toBe(200);
    expect((await outsider.get(`/api/incidents/${id}`)).statusCode).toBe(200);
    expect(
      (await outsider.get(`/api/incidents/${id}/timeline`)).json().map((e: { kind: string }) => e.kind),
    ).toContain('member_added');

    // A member may leave: the incident is hidden from them at once, and the leaving is on its timeline.
    const left = await outsider.delete(`/api/incidents/${id}/members/${admin.id}/member`);
    expect(left.statusCode, left.body).toBe(204);
    expect((await outsider.get(`/api/incidents/${id}`)).statusCode).toBe(404);
    expect(
      (await commander.get(`/api/incidents/${id}/timeline`)).json().map((e: { kind: string }) => e.kind),
    ).toContain('member_removed');
  });

  it('cannot be created by an API token, which has no person to be a member', async () => {
    const adminUser = await createUser(t, org, ['admin'], { totp: false });
    const admin = await sessionFor(t, adminUser);
    const created = await admin.post('/api/tokens', { name: 'siem', scopes: ['incidents.manage'] });
    expect(created.statusCode, created.body).toBe(201);
    const headers = { authorization: `Bearer ${sensitive(created.json<{ token: string }>().token)}` };
    const payload = { title: 'From a tool', type: 'other', severity: 'SEV4' };
    const restricted = await t.app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers,
      payload: { ...payload, restricted: true },
    });
    expect(restricted.statusCode).toBe(400);
    expect(restricted.json().error.details.where).toBe('body/restricted');
    const open = await t.app.inject({ method: 'POST', url: '/api/incidents', headers, payload });
    expect(open.statusCode, open.body).toBe(201);
    expect(open.json().members).toEqual([]);
    // Nor restricted later: neither the token nor an admin who is no member would see it any more.
    const url = `/api/incidents/${open.json().id}`;
    const patched = await t.app.inject({ method: 'PATCH', url, headers, payload: { restricted: true } });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.json().error.details.where).toBe('body/restricted');
    const byAdmin = await admin.patch(url, { restricted: true });
    expect(byAdmin.statusCode, byAdmin.body).toBe(400);
    expect((await admin.get(url)).json().restricted).toBe(false);
    const joined = await admin.post(`${url}/members`, { userId: adminUser.id, role: 'commander' });
    expect(joined.statusCode, joined.body).toBe(200);
    const byMember = await admin.patch(url, { restricted: true });
    expect(byMember.statusCode, byMember.body).toBe(200);
    expect(byMember.json().restricted).toBe(true);
  });
});
