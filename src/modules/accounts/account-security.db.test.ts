import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../test/agent.js';
import { createTestApp } from '../../../test/app.js';
import {
  createOrganization,
  createUser,
  freshTotpCode,
  sessionFor,
  signIn,
  totpCode,
  type TestUser,
} from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { linkIn, type ReceivedMail } from '../../../test/smtp.js';
import { withOrg } from '../../platform/db.js';

// Issue 14, item 4: the review's low findings on second factors, reset links and deactivation.
const t = await createTestApp();

const codeOf = (response: { json(): unknown }) =>
  (response.json() as { error?: { code?: string } }).error?.code;

/** The session's last proof of its user, moved into the past (as if the user had walked away). */
async function ageProof(user: TestUser, minutes: number) {
  await withOrg(t.db, user.organizationId, (tx) =>
    tx.query(
      `UPDATE sessions SET reauthenticated_at = now() - make_interval(mins => $2) WHERE user_id = $1`,
      [user.id, minutes],
    ),
  );
}

/** Every second-factor change a session can ask for, each answered with the given status and code. */
async function expectFactorChanges(agent: Agent, status: number, code?: string) {
  const answers = [
    await agent.post('/api/me/mfa/totp/start'),
    await agent.post('/api/me/mfa/totp/confirm', { code: '123456' }),
    await agent.post('/api/me/mfa/recovery-codes'),
    await agent.post('/api/me/passkeys/options'),
    await agent.post('/api/me/passkeys', { name: 'Key', response: {} }),
    await agent.delete(`/api/me/passkeys/${randomUUID()}`),
  ];
  for (const answer of answers) {
    expect(answer.statusCode, answer.body).toBe(status);
    if (code) expect(codeOf(answer)).toBe(code);
  }
}

async function mailsTo(address: string, count: number): Promise<ReceivedMail[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mails = t.smtp.received.filter((m) => m.to.includes(address.toLowerCase()));
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`Fewer than ${count} e-mails to the user`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('TOTP time steps', () => {
  it('accepts one of two sign-ins that send the same code at the same moment', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const agents = [new Agent(t.app), new Agent(t.app)];
    for (const agent of agents) {
      const first = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
      expect(first.json()).toMatchObject({ state: 'mfa' });
    }
    const code = totpCode(user.totpSecret);
    const answers = await Promise.all(agents.map((agent) => agent.post('/api/auth/mfa/totp', { code })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
    expect(answers.map(codeOf)).toContain('invalid_mfa_code');
    const signedIn = await Promise.all(agents.map((agent) => agent.get('/api/organization')));
    expect(signedIn.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('spends a recovery code once, even for two sign-ins at the same moment', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const owner = await signIn(t, user);
    const codes = (await owner.post('/api/me/mfa/recovery-codes')).json<{ recoveryCodes: string[] }>()
      .recoveryCodes;
    const code = sensitive(codes[0]!);
    const agents = [new Agent(t.app), new Agent(t.app)];
    for (const agent of agents) {
      await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
    }
    const answers = await Promise.all(agents.map((agent) => agent.post('/api/auth/mfa/recovery', { code })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
  });
});

describe('re-authentication before changing a second factor', () => {
  it('refuses factor changes on a session whose proof is older than five minutes', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const agent = await signIn(t, user);
    // Just signed in with a second factor: a change needs nothing more.
    expect((await agent.post('/api/me/mfa/recovery-codes')).statusCode).toBe(200);

    await ageProof(user, 6);
    await expectFactorChanges(agent, 403, 'reauthentication_required');
    const refused = await agent.post('/api/me/mfa/recovery-codes');
    expect(refused.json().error.message).toContain('password');
    // A session made without any proof at all is refused the same way.
    await expectFactorChanges(await sessionFor(t, user), 403, 'reauthentication_required');

    const wrong = await agent.post('/api/me/reauthenticate', { password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(codeOf(wrong)).toBe('invalid_credentials');
    await expectFactorChanges(agent, 403, 'reauthentication_required');

    const proved = await agent.post('/api/me/reauthenticate', { password: user.password });
    expect(proved.statusCode, proved.body).toBe(204);
    expect((await agent.post('/api/me/mfa/recovery-codes')).statusCode).toBe(200);
    const start = await agent.post('/api/me/mfa/totp/start');
    expect(start.statusCode, start.body).toBe(200);
    sensitive(start.json<{ secret: string }>().secret);
    // Past the proof (the passkey routes answer by their own checks now, not reauthentication).
    expect((await agent.post('/api/me/passkeys/options')).statusCode).toBe(200);
    expect((await agent.delete(`/api/me/passkeys/${randomUUID()}`)).statusCode).toBe(404);

    const audit = await withOrg(t.db, org, (tx) =>
      tx.query<{ action: string }>(`SELECT action FROM audit_events WHERE action = 'auth.reauthenticated'`),
    );
    expect(audit).toHaveLength(1);
  });

  it('takes a fresh TOTP code instead of the password, each code once', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const agent = await signIn(t, user);
    await ageProof(user, 10);
    const code = freshTotpCode(user.totpSecret);
    expect((await agent.post('/api/me/reauthenticate', { totpCode: code })).statusCode).toBe(204);
    expect((await agent.post('/api/me/mfa/recovery-codes')).statusCode).toBe(200);
    await ageProof(user, 10);
    const again = await agent.post('/api/me/reauthenticate', { totpCode: code });
    expect(codeOf(again)).toBe('invalid_mfa_code');
    expect(codeOf(await agent.post('/api/me/mfa/recovery-codes'))).toBe('reauthentication_required');
    // One proof at a time.
    const both = await agent.post('/api/me/reauthenticate', { password: user.password, totpCode: code });
    expect(both.statusCode).toBe(400);
  });

  it('lets a session enrolling its first factor enrol without another proof', async () => {
    const org = await createOrganization(t, { requireMfa: true });
    const user = await createUser(t, org, ['viewer'], { totp: false });
    const agent = new Agent(t.app);
    const first = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect(first.json()).toMatchObject({ state: 'enroll' });
    // Even long after the password: the enrolling session can do nothing else.
    await ageProof(user, 30);
    const start = await agent.post('/api/me/mfa/totp/start');
    expect(start.statusCode, start.body).toBe(200);
    const secret = sensitive(start.json<{ secret: string }>().secret);
    const confirm = await agent.post('/api/me/mfa/totp/confirm', { code: totpCode(secret) });
    expect(confirm.statusCode, confirm.body).toBe(200);
    // The new active session may add another factor at once.
    expect((await agent.post('/api/me/passkeys/options')).statusCode).toBe(200);
  });
});

describe('password-reset links', () => {
  it('are all void once one of them sets a new password', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['legal']);
    expect((await new Agent(t.app).post('/api/auth/password-reset', { email: user.email })).statusCode).toBe(
      202,
    );
    await mailsTo(user.email, 1);
    expect((await new Agent(t.app).post('/api/auth/password-reset', { email: user.email })).statusCode).toBe(
      202,
    );
    const [first, second] = (await mailsTo(user.email, 2)).map((mail) =>
      sensitive(new URL(linkIn(mail, '/reset-password')).hash.replace('#token=', '')),
    );
    expect(first).not.toBe(second);
    const password = sensitive('the newest long passphrase');
    const done = await new Agent(t.app).post('/api/auth/password-reset/complete', {
      token: second,
      password,
    });
    expect(done.statusCode, done.body).toBe(204);
    const older = await new Agent(t.app).post('/api/auth/password-reset/complete', {
      token: first,
      password: sensitive('an attacker chosen passphrase'),
    });
    expect(older.statusCode).toBe(400);
    expect(codeOf(older)).toBe('invalid_token');
    await signIn(t, { ...user, password });
  });

  it('are void once the user changes the password on their account page', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['legal']);
    await new Agent(t.app).post('/api/auth/password-reset', { email: user.email });
    const [mail] = await mailsTo(user.email, 1);
    const token = sensitive(new URL(linkIn(mail!, '/reset-password')).hash.replace('#token=', ''));
    const agent = await signIn(t, user);
    const newPassword = sensitive('changed by its owner today');
    const changed = await agent.post('/api/me/password', { currentPassword: user.password, newPassword });
    expect(changed.statusCode, changed.body).toBe(204);
    const late = await new Agent(t.app).post('/api/auth/password-reset/complete', {
      token,
      password: sensitive('an attacker chosen passphrase'),
    });
    expect(codeOf(late)).toBe('invalid_token');
  });
});

describe('deactivating a user', () => {
  it('ends their sessions and revokes their API tokens', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const leaving = await createUser(t, org, ['admin']);
    const leaverAgent = await signIn(t, leaving);
    const created = await leaverAgent.post('/api/tokens', { name: 'SIEM export', scopes: ['audit.read'] });
    expect(created.statusCode, created.body).toBe(201);
    const bearer = { authorization: `Bearer ${sensitive(created.json<{ token: string }>().token)}` };
    expect((await t.app.inject({ url: '/api/audit', headers: bearer })).statusCode).toBe(200);

    const adminAgent = await signIn(t, admin);
    const off = await adminAgent.post(`/api/users/${leaving.id}/deactivate`);
    expect(off.statusCode, off.body).toBe(200);

    expect((await leaverAgent.get('/api/organization')).statusCode).toBe(401);
    const refused = await t.app.inject({ url: '/api/audit', headers: bearer });
    expect(refused.statusCode).toBe(401);
    const tokens = (await adminAgent.get('/api/tokens')).json<{ id: string; revokedAt: string | null }[]>();
    expect(tokens.find((x) => x.id === created.json().apiToken.id)?.revokedAt).toEqual(expect.any(String));
    // Reactivation does not bring the tokens back.
    expect((await adminAgent.post(`/api/users/${leaving.id}/reactivate`)).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/audit', headers: bearer })).statusCode).toBe(401);
  });
});
