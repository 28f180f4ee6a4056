import { describe, expect, it } from 'vitest';
import { Agent } from '../../../test/agent.js';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, signIn, totpCode } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { linkIn } from '../../../test/smtp.js';
import { issueSetupLink } from './setup-service.js';

const t = await createTestApp();

const tokenOf = (link: string) => sensitive(new URL(link).hash.replace('#token=', ''));

describe('first-time setup', () => {
  it('creates the organization and its admin once, then asks for MFA enrolment', async () => {
    const link = await issueSetupLink(t.db, t.config.publicUrl);
    expect(link).toMatch(/^http:\/\/localhost:3000\/setup#token=/);
    const agent = new Agent(t.app);
    const body = {
      token: tokenOf(link),
      organizationName: 'Acme Bank',
      email: sensitive('first.admin@acme.test'),
      displayName: sensitive('First Admin'),
      password: sensitive('correct horse battery staple'),
      locale: 'cs',
      timeZone: 'europe/prague',
    };
    const created = await agent.post('/api/setup', body);
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().state).toBe('enroll');

    // An enrolling session may not use the app yet.
    const users = await agent.get('/api/users');
    expect(users.statusCode).toBe(403);
    expect(users.json().error.code).toBe('mfa_enrollment_required');

    // The link is one-time.
    const again = await new Agent(t.app).post('/api/setup', { ...body, email: 'other@acme.test' });
    expect(again.json().error.code).toBe('invalid_token');

    // TOTP enrolment turns the session into a full one and yields recovery codes.
    const start = await agent.post('/api/me/mfa/totp/start');
    expect(start.statusCode).toBe(200);
    const { secret, qrDataUrl, uri } = start.json<{ secret: string; qrDataUrl: string; uri: string }>();
    sensitive(secret);
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(uri).toContain('otpauth://totp/');
    const wrong = await agent.post('/api/me/mfa/totp/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(401);
    const confirm = await agent.post('/api/me/mfa/totp/confirm', { code: totpCode(secret) });
    expect(confirm.statusCode, confirm.body).toBe(200);
    expect(confirm.json().recoveryCodes).toHaveLength(10);
    // The browser that enrolled a second factor is one its owner uses: later failures from
    // elsewhere do not hold its right password back (login-lockout.db.test.ts).
    expect(agent.cookies.get('candor_device')).toEqual(expect.any(String));
    const session = await agent.get('/api/auth/session');
    expect(session.json()).toMatchObject({
      authenticated: true,
      state: 'active',
      user: { roles: ['admin'], totp: true },
      // The zone the setup page sent (the browser's), in its canonical name.
      organization: { name: 'Acme Bank', defaultLocale: 'cs', timeZone: 'Europe/Prague' },
    });
    // Setup ended signed in: the users page shows when, not "never".
    const listed = await agent.get('/api/users');
    expect(listed.statusCode).toBe(200);
    const [founder] = listed.json<{ lastSignInAt: string | null }[]>();
    expect(founder?.lastSignInAt).toEqual(expect.any(String));
  });
});

describe('sign-in', () => {
  it('takes a password and then a TOTP code, rotating the session at each step', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const agent = new Agent(t.app);
    agent.cookies.set('candor_session', 'planted-by-an-attacker');
    const first = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect(first.json()).toMatchObject({ state: 'mfa', methods: ['totp'] });
    const afterPassword = agent.cookies.get('candor_session');
    expect(afterPassword).not.toBe('planted-by-an-attacker');
    // Password alone opens nothing.
    expect((await agent.get('/api/organization')).json().error.code).toBe('mfa_required');
    // Nor may it enrol a second factor of the attacker's choosing.
    expect((await agent.post('/api/me/mfa/totp/start')).json().error.code).toBe('mfa_required');
    const second = await agent.post('/api/auth/mfa/totp', { code: totpCode(user.totpSecret) });
    expect(second.statusCode, second.body).toBe(200);
    expect(agent.cookies.get('candor_session')).not.toBe(afterPassword);
    expect((await agent.get('/api/organization')).statusCode).toBe(200);
  });

  it('accepts each recovery code once, in place of a TOTP code', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const agent = await signIn(t, user);
    const codes = (await agent.post('/api/me/mfa/recovery-codes')).json<{ recoveryCodes: string[] }>()
      .recoveryCodes;
    expect(codes).toHaveLength(10);
    const code = sensitive(codes[0]!);
    const a = new Agent(t.app);
    await a.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect((await a.post('/api/auth/mfa/recovery', { code })).statusCode).toBe(200);
    const b = new Agent(t.app);
    await b.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect((await b.post('/api/auth/mfa/recovery', { code })).json().error.code).toBe('invalid_mfa_code');
  });

  it('never accepts the same TOTP code twice', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const code = totpCode(user.totpSecret);
    const a = new Agent(t.app);
    await a.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect((await a.post('/api/auth/mfa/totp', { code })).statusCode).toBe(200);
    const b = new Agent(t.app);
    await b.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect((await b.post('/api/auth/mfa/totp', { code })).json().error.code).toBe('invalid_mfa_code');
  });

  it('answers an unknown address exactly like a wrong password', async () => {
    const unknown = await new Agent(t.app).post('/api/auth/sign-in', {
      email: 'nobody@nowhere.test',
      password: 'x',
    });
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const wrong = await new Agent(t.app).post('/api/auth/sign-in', {
      email: user.email,
      password: 'wrong password!',
    });
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe(wrong.json().error.code);
    expect(unknown.json().error.message).toBe(wrong.json().error.message);
  });

  it('slows down repeated failures with growing waits, and an admin can lift them', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const victim = await createUser(t, org, ['support']);
    const attacker = new Agent(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await attacker.post('/api/auth/sign-in', {
        email: victim.email,
        password: `guess-${i}-wrong`,
      });
      statuses.push(r.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[6]).toBe(429);
    const blocked = await new Agent(t.app).post('/api/auth/sign-in', {
      email: victim.email,
      password: victim.password,
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().error.details.retryAfterSeconds).toBeGreaterThan(0);

    const adminAgent = await signIn(t, admin);
    const list = await adminAgent.get('/api/users');
    expect(list.json().find((u: { id: string }) => u.id === victim.id).throttledUntil).not.toBeNull();
    const unlock = await adminAgent.post(`/api/users/${victim.id}/unlock`);
    expect(unlock.statusCode, unlock.body).toBe(200);
    expect(unlock.json().throttledUntil).toBeNull();
    const after = await new Agent(t.app).post('/api/auth/sign-in', {
      email: victim.email,
      password: victim.password,
    });
    expect(after.statusCode).toBe(200);
  });

  it('refuses a state-changing request from another origin or without the CSRF token', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['admin']);
    const agent = await signIn(t, user);
    const foreign = await agent.request(
      'PATCH',
      '/api/organization',
      { name: 'Pwned' },
      { origin: 'https://evil.test' },
    );
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.code).toBe('csrf_failed');
    const noToken = await agent.request(
      'PATCH',
      '/api/organization',
      { name: 'Pwned' },
      { 'x-csrf-token': 'nope' },
    );
    expect(noToken.json().error.code).toBe('csrf_failed');
    const fine = await agent.patch('/api/organization', { name: 'Renamed' });
    expect(fine.statusCode, fine.body).toBe(200);
  });

  it('an admin sets the organization’s time zone; an unknown one is refused and names the field', async () => {
    const org = await createOrganization(t);
    const agent = await signIn(t, await createUser(t, org, ['admin']));
    expect((await agent.get('/api/organization')).json()).toMatchObject({ timeZone: 'UTC' });
    const set = await agent.patch('/api/organization', { timeZone: 'Asia/Riyadh' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ timeZone: 'Asia/Riyadh' });
    expect((await agent.get('/api/auth/session')).json().organization.timeZone).toBe('Asia/Riyadh');
    const unknown = await agent.patch('/api/organization', { timeZone: 'Europe/Praha' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toEqual({ where: 'body/timeZone', problem: 'unknown_time_zone' });
    expect((await agent.get('/api/organization')).json()).toMatchObject({ timeZone: 'Asia/Riyadh' });
  });

  it('signs out one session, or every session of the user', async () => {
    const org = await createOrganization(t, { requireMfa: false });
    const user = await createUser(t, org, ['viewer'], { totp: false });
    const one = await signIn(t, user);
    const two = await signIn(t, user);
    expect((await one.post('/api/auth/sign-out')).statusCode).toBe(204);
    expect((await one.get('/api/organization')).statusCode).toBe(401);
    expect((await two.get('/api/organization')).statusCode).toBe(200);
    const three = await signIn(t, user);
    expect((await three.post('/api/auth/sign-out-everywhere')).statusCode).toBe(204);
    expect((await two.get('/api/organization')).statusCode).toBe(401);
  });
});

describe('password reset', () => {
  it('sends a one-time link by e-mail in the user’s language; the new password works and old sessions end', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['legal']);
    const old = await signIn(t, user);
    const ask = await new Agent(t.app).post(
      '/api/auth/password-reset',
      { email: user.email },
      { 'accept-language': 'ar' },
    );
    expect(ask.statusCode).toBe(202);
    const unknown = await new Agent(t.app).post('/api/auth/password-reset', { email: 'ghost@nowhere.test' });
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(ask.body);

    const mail = await t.smtp.waitFor(user.email);
    expect(mail.parsed.subject).toBe('إعادة تعيين كلمة مرور Candor');
    expect(mail.parsed.html).toContain('dir="rtl"');
    const token = tokenOf(linkIn(mail, '/reset-password'));
    const newPassword = sensitive('a brand new long passphrase');
    const done = await new Agent(t.app).post('/api/auth/password-reset/complete', {
      token,
      password: newPassword,
    });
    expect(done.statusCode, done.body).toBe(204);
    const reuse = await new Agent(t.app).post('/api/auth/password-reset/complete', {
      token,
      password: newPassword,
    });
    expect(reuse.json().error.code).toBe('invalid_token');
    expect((await old.get('/api/organization')).statusCode).toBe(401);
    await signIn(t, { ...user, password: newPassword });
  });
});

describe('invitations', () => {
  it('an admin invites by e-mail; the invitee sets a password and must enrol MFA', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const agent = await signIn(t, admin);
    const email = sensitive('new.colleague@acme.test');
    const invite = await agent.post('/api/invitations', {
      email,
      roles: ['communications', 'support'],
      locale: 'cs',
    });
    expect(invite.statusCode, invite.body).toBe(201);
    const mail = await t.smtp.waitFor(email);
    expect(mail.parsed.subject).toContain('Pozvánka');
    const token = tokenOf(linkIn(mail, '/accept-invitation'));
    const invitee = new Agent(t.app);
    const details = await invitee.post('/api/auth/invitation', { token });
    expect(details.json()).toMatchObject({ email, roles: ['communications', 'support'] });
    const weak = await invitee.post('/api/auth/invitation/accept', {
      token,
      displayName: 'New',
      password: 'short',
      locale: 'cs',
    });
    expect(weak.json().error?.code, weak.body).toBe('weak_password');
    const accepted = await invitee.post('/api/auth/invitation/accept', {
      token,
      displayName: sensitive('New Colleague'),
      password: sensitive('a long enough passphrase'),
      locale: 'cs',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().state).toBe('enroll');
    const users = (await agent.get('/api/users')).json<{ email: string; roles: string[] }[]>();
    expect(users.find((u) => u.email === email)?.roles).toEqual(['communications', 'support']);
  });

  it('keeps the last admin: it cannot be demoted or deactivated', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const agent = await signIn(t, admin);
    const demote = await agent.patch(`/api/users/${admin.id}`, { roles: ['viewer'] });
    expect(demote.json().error.code).toBe('last_admin');
    const deactivate = await agent.post(`/api/users/${admin.id}/deactivate`);
    expect(deactivate.json().error.code).toBe('last_admin');
  });

  it('an admin resets a user’s MFA: their sessions end and they enrol again', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const user = await createUser(t, org, ['support']);
    const userAgent = await signIn(t, user);
    const agent = await signIn(t, admin);
    const reset = await agent.post(`/api/users/${user.id}/reset-mfa`);
    expect(reset.json()).toMatchObject({ totp: false, passkeys: 0 });
    expect((await userAgent.get('/api/organization')).statusCode).toBe(401);
    const again = await new Agent(t.app).post('/api/auth/sign-in', {
      email: user.email,
      password: user.password,
    });
    expect(again.json().state).toBe('enroll');
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, limited to their scopes and revocable', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const agent = await signIn(t, admin);
    const created = await agent.post('/api/tokens', { name: 'SIEM export', scopes: ['audit.read'] });
    expect(created.statusCode, created.body).toBe(201);
    const token = sensitive(created.json<{ token: string }>().token);
    const listed = await agent.get('/api/tokens');
    expect(listed.body).not.toContain(token);
    const stored = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM api_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`,
      [token],
    );
    expect(stored[0]!.n).toBe(0);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/api/audit', headers: bearer })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/users', headers: bearer })).statusCode).toBe(403);
    const refused = await agent.post('/api/tokens', { name: 'too strong', scopes: ['organization.manage'] });
    expect(refused.statusCode).toBe(400);
    await agent.post(`/api/tokens/${created.json().apiToken.id}/revoke`);
    expect((await t.app.inject({ url: '/api/audit', headers: bearer })).statusCode).toBe(401);
  });
});
