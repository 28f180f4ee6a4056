import { describe, expect, it } from 'vitest';
import { Agent } from '../test/agent.js';
import { createTestApp } from '../test/app.js';
import { createOrganization, createUser, sessionFor } from '../test/factories.js';
import { withOrg } from './platform/db.js';

const t = await createTestApp();

describe('HTTP surface', () => {
  it('answers health and readiness', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('sets a strict Content-Security-Policy and security headers on every response', async () => {
    const response = await t.app.inject('/api/auth/session');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('gives every error the same shape with a request id, localized by Accept-Language', async () => {
    const en = await t.app.inject({ url: '/api/users' });
    expect(en.statusCode).toBe(401);
    expect(en.json()).toEqual({
      error: { code: 'unauthenticated', message: 'Please sign in.', requestId: expect.any(String) },
    });
    const cs = await t.app.inject({
      url: '/api/users',
      headers: { 'accept-language': 'cs-CZ,cs;q=0.9,en;q=0.5' },
    });
    expect(cs.json().error.message).toBe('Přihlaste se prosím.');
    const ar = await t.app.inject({ url: '/api/nothing-here', headers: { 'accept-language': 'ar' } });
    expect(ar.statusCode).toBe(404);
    expect(ar.json().error).toMatchObject({ code: 'not_found', message: 'غير موجود.' });
  });

  it('says which field of a request is invalid', async () => {
    const response = await new Agent(t.app).post('/api/auth/sign-in', {
      email: 'not-an-email',
      password: 'x',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'validation_failed',
      details: { where: 'body/email' },
    });
    const extra = await new Agent(t.app).post('/api/auth/sign-in', {
      email: 'a@b.test',
      password: 'x',
      admin: true,
    });
    expect(extra.statusCode).toBe(400);
  });

  it('never leaks internals in a 5xx', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin'], { totp: false });
    const agent = await sessionFor(t, admin);
    // Break the database under the route: the error must stay generic.
    await t.db.query('ALTER TABLE invitations RENAME TO invitations_gone');
    try {
      const response = await agent.get('/api/invitations');
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: {
          code: 'internal',
          message: expect.stringContaining('request id'),
          requestId: expect.any(String),
        },
      });
      expect(response.body).not.toMatch(/invitations|relation|SELECT|stack/i);
      // The log has the detail, tied to the same request id and the organization.
      const line = t.logs.find(
        (l) => l.includes(response.json().error.requestId) && l.includes('request failed'),
      );
      expect(line).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({
        organizationId: org,
        actorId: admin.id,
        err: expect.objectContaining({ message: expect.stringContaining('invitations') }),
      });
    } finally {
      await t.db.query('ALTER TABLE invitations_gone RENAME TO invitations');
    }
  });

  it('lets a field leave the server only when a response schema names it', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const agent = await sessionFor(t, admin);
    const body = (await agent.get('/api/users')).body;
    expect(body).not.toMatch(/password|hash|totp_secret|recovery/i);
    expect(Object.keys(JSON.parse(body)[0]).sort()).toEqual(
      [
        'createdAt',
        'displayName',
        'email',
        'id',
        'lastSignInAt',
        'locale',
        'passkeys',
        'roles',
        'status',
        'throttledUntil',
        'totp',
      ].sort(),
    );
  });

  it('publishes OpenAPI 3.1 describing the API', async () => {
    const spec = (await t.app.inject('/api/openapi.json')).json();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/auth/sign-in', '/api/users', '/api/audit']),
    );
  });

  it('serves Prometheus metrics only with the metrics token', async () => {
    expect((await t.app.inject('/metrics')).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode,
    ).toBe(401);
    const ok = await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${t.config.secrets.metricsToken}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('candor_http_request_duration_seconds');
    expect(ok.body).toContain('route="/api/users"');
  });

  it('ends a session after its idle timeout and after its absolute lifetime', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer'], { totp: false });
    const idle = await sessionFor(t, user);
    const absolute = await sessionFor(t, user);
    expect((await idle.get('/api/organization')).statusCode).toBe(200);
    await withOrg(t.db, org, async (tx) => {
      await tx.query(
        `UPDATE sessions SET last_seen_at = now() - make_interval(mins => $2 + 1) WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
        [idle.cookies.get('candor_session'), t.config.sessionIdleMinutes],
      );
      await tx.query(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
        [absolute.cookies.get('candor_session')],
      );
    });
    expect((await idle.get('/api/organization')).statusCode).toBe(401);
    expect((await absolute.get('/api/organization')).statusCode).toBe(401);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict and Secure', async () => {
    const org = await createOrganization(t, { requireMfa: false });
    const user = await createUser(t, org, ['viewer'], { totp: false });
    const response = await new Agent(t.app).post('/api/auth/sign-in', {
      email: user.email,
      password: user.password,
    });
    const cookie = response.cookies.find((c) => c.name === 'candor_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/' });
  });
});
