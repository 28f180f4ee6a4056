import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';

const t = await createTestApp();
const org = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
const rotated = await admin.post('/api/organization/intake-secret');
const { secret, webhookUrl } = rotated.json<{ secret: string; webhookUrl: string }>();
sensitive(secret);

function sign(body: string, id = `msg_${randomUUID()}`, at = Math.floor(Date.now() / 1000), key = secret) {
  const signature = createHmac('sha256', Buffer.from(key.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${at}.${body}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(at),
    'webhook-signature': `v1,${signature}`,
    'content-type': 'application/json',
  };
}

const alert = (dedupeKey: string, extra: Record<string, unknown> = {}) => ({
  source: 'wazuh',
  severity: 'high',
  title: 'Mass password-reset requests from one ASN',
  description: 'Rule 100201 fired 4,000 times in 5 minutes.',
  observables: [{ type: 'ip', value: '203.0.113.7' }],
  occurredAt: '2026-11-22T01:02:03Z',
  dedupeKey,
  ...extra,
});

async function post(body: object, headers: Record<string, string>) {
  const payload = JSON.stringify(body);
  return t.app.inject({
    method: 'POST',
    url: new URL(webhookUrl).pathname,
    payload,
    headers: { ...sign(payload), ...headers },
  });
}

describe('alert intake', () => {
  it('gives the webhook URL and a secret shown once', () => {
    expect(rotated.statusCode).toBe(201);
    expect(secret).toMatch(/^whsec_/);
    expect(webhookUrl).toBe(`http://localhost:3000/api/intake/alerts/${org}`);
  });

  it('a signed alert opens an incident in state detected at the alert’s time; the same dedupe key appends', async () => {
    const opened = await post(alert('ato-campaign-1'), {});
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ action: 'opened', duplicate: false });
    const incidentId = opened.json().incidentId;
    const view = (await admin.get(`/api/incidents/${incidentId}`)).json();
    expect(view).toMatchObject({
      state: 'detected',
      severity: 'SEV2',
      type: 'other',
      moments: { detected: '2026-11-22T01:02:03.000Z', aware: null },
    });

    const again = await post(alert('ato-campaign-1', { title: 'Second wave', severity: 'critical' }), {});
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ action: 'appended', incidentId, duplicate: false });
    const timeline = (await admin.get(`/api/incidents/${incidentId}/timeline`)).json<
      { kind: string; data: { title: string } }[]
    >();
    expect(timeline.filter((e) => e.kind === 'alert').map((e) => e.data.title)).toEqual([
      'Mass password-reset requests from one ASN',
      'Second wave',
    ]);
  });

  it('a retried delivery (same webhook-id) is answered again and changes nothing', async () => {
    const body = JSON.stringify(alert('retry-1'));
    const headers = sign(body, 'msg_retry_1');
    const first = await t.app.inject({
      method: 'POST',
      url: new URL(webhookUrl).pathname,
      payload: body,
      headers,
    });
    const second = await t.app.inject({
      method: 'POST',
      url: new URL(webhookUrl).pathname,
      payload: body,
      headers,
    });
    expect(first.json()).toMatchObject({ action: 'opened', duplicate: false });
    expect(second.json()).toMatchObject({
      action: 'opened',
      duplicate: true,
      incidentId: first.json().incidentId,
    });
    const events = await withOrg(t.db, org, (tx) =>
      tx.query(`SELECT id FROM incident_events WHERE incident_id = $1 AND kind = 'alert'`, [
        first.json().incidentId,
      ]),
    );
    expect(events).toHaveLength(1);
  });

  it('refuses an unsigned, wrongly signed, stale or malformed alert with a clear error', async () => {
    const body = JSON.stringify(alert('refused'));
    const path = new URL(webhookUrl).pathname;
    const unsigned = await t.app.inject({
      method: 'POST',
      url: path,
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().error.details.problem).toContain('webhook-signature');
    const forged = await t.app.inject({
      method: 'POST',
      url: path,
      payload: body,
      headers: sign(body, 'm1', undefined, 'whsec_' + Buffer.alloc(32).toString('base64')),
    });
    expect(forged.json().error).toMatchObject({
      code: 'unauthenticated',
      details: { problem: 'bad webhook-signature' },
    });
    const tampered = await t.app.inject({
      method: 'POST',
      url: path,
      payload: body.replace('wazuh', 'other'),
      headers: sign(body),
    });
    expect(tampered.statusCode).toBe(401);
    const stale = await t.app.inject({
      method: 'POST',
      url: path,
      payload: body,
      headers: sign(body, 'm2', Math.floor(Date.now() / 1000) - 3600),
    });
    expect(stale.json().error.details.problem).toContain('too old');
    const badJson = '{"source": "x",';
    const broken = await t.app.inject({
      method: 'POST',
      url: path,
      payload: badJson,
      headers: sign(badJson),
    });
    expect(broken.statusCode).toBe(400);
    const missing = JSON.stringify({ source: 'wazuh', title: 'no key', severity: 'high' });
    const invalid = await t.app.inject({
      method: 'POST',
      url: path,
      payload: missing,
      headers: sign(missing),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ code: 'validation_failed', details: { where: 'body' } });
    expect(invalid.json().error.details.problem).toContain('dedupeKey');
    const otherOrg = await t.app.inject({
      method: 'POST',
      url: `/api/intake/alerts/${randomUUID()}`,
      payload: body,
      headers: sign(body),
    });
    expect(otherOrg.statusCode).toBe(401);
    const count = await withOrg(t.db, org, (tx) =>
      tx.query(`SELECT id FROM incidents WHERE dedupe_key = 'refused'`),
    );
    expect(count).toEqual([]);
  });

  it('answers a bad delivery the same whether the organization exists, has no secret or is unknown', async () => {
    const withoutSecret = await createOrganization(t);
    const body = JSON.stringify(alert('probe'));
    const wrongKey = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, Record<string, string>> = {
      unsigned: { 'content-type': 'application/json' },
      'no timestamp': { ...sign(body, 'p1', now, wrongKey), 'webhook-timestamp': '' },
      stale: sign(body, 'p2', now - 3600, wrongKey),
      'stale and malformed': { ...sign(body, 'p3', now - 3600), 'webhook-signature': 'garbage' },
      'wrong key': sign(body, 'p4', now, wrongKey),
      'malformed signature': { ...sign(body, 'p5', now), 'webhook-signature': 'v1' },
    };
    const answer = async (organizationId: string, headers: Record<string, string>) => {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/intake/alerts/${organizationId}`,
        payload: body,
        headers,
      });
      const { requestId, ...error } = response.json<{ error: { requestId: string } }>().error;
      expect(requestId).toBeTruthy();
      return { status: response.statusCode, error, headers: Object.keys(response.headers).sort() };
    };
    for (const [name, headers] of Object.entries(cases)) {
      const known = await answer(org, headers);
      expect(known.status, name).toBe(401);
      expect(await answer(withoutSecret, headers), name).toEqual(known);
      expect(await answer(randomUUID(), headers), name).toEqual(known);
    }
  });

  it('20 concurrent posts with one new dedupe key open exactly one incident', async () => {
    const key = `burst-${randomUUID()}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(alert(key, { title: `burst ${i}` }), {})),
    );
    expect(responses.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    expect(responses.filter((r) => r.json().action === 'opened')).toHaveLength(1);
    const incidents = await withOrg(t.db, org, (tx) =>
      tx.query(`SELECT id FROM incidents WHERE dedupe_key = $1`, [key]),
    );
    expect(incidents).toHaveLength(1);
    const alerts = await withOrg(t.db, org, (tx) =>
      tx.query(`SELECT id FROM incident_events WHERE kind = 'alert' AND incident_id = $1`, [
        (incidents[0] as { id: string }).id,
      ]),
    );
    expect(alerts).toHaveLength(20);
  });

  it('accepts alerts from an API token with the intake scope, and a closed incident’s key opens a new one', async () => {
    const created = await admin.post('/api/tokens', { name: 'EDR', scopes: ['intake.alerts'] });
    const bearer = { authorization: `Bearer ${sensitive(created.json<{ token: string }>().token)}` };
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/intake/alerts',
      headers: bearer,
      payload: alert('edr-7', { type: 'ransomware', severity: 'SEV1' }),
    });
    expect(first.statusCode, first.body).toBe(201);
    const id = first.json().incidentId;
    expect((await admin.get(`/api/incidents/${id}`)).json()).toMatchObject({
      type: 'ransomware',
      severity: 'SEV1',
    });
    await admin.post(`/api/incidents/${id}/transition`, { to: 'closed' });
    const after = await t.app.inject({
      method: 'POST',
      url: '/api/intake/alerts',
      headers: bearer,
      payload: alert('edr-7'),
    });
    expect(after.json()).toMatchObject({ action: 'opened' });
    expect(after.json().incidentId).not.toBe(id);
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await viewer.post('/api/intake/alerts', alert('viewer'))).statusCode).toBe(403);
  });
});
