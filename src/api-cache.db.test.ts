import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/app.js';
import { createOrganization, createUser, sessionFor } from '../test/factories.js';

const t = await createTestApp();
const org = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));

describe('API responses and caches', () => {
  it('the session, signed in or not, is never cached', async () => {
    const signedIn = await admin.get('/api/auth/session');
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('no-store');
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/auth/session' });
    expect(anonymous.headers['cache-control']).toBe('no-store');
  });

  it('every /api answer is no-store unless its route says otherwise: data, errors and unknown paths alike', async () => {
    const answers = [
      await admin.get('/api/incidents'),
      await admin.get('/api/users'),
      await t.app.inject({ method: 'GET', url: '/api/incidents' }),
      await t.app.inject({ method: 'GET', url: '/api/no-such-route' }),
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: 'http://localhost:3000' },
        payload: { email: 'nobody@example.test', password: 'wrong password here' },
      }),
    ];
    for (const answer of answers) {
      expect(answer.headers['cache-control'], `${answer.statusCode} ${answer.body}`).toBe('no-store');
    }
    // Outside the API the hook changes nothing.
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.headers['cache-control']).toBeUndefined();
  });
});
