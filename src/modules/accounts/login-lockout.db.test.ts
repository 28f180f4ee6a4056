import { describe, expect, it } from 'vitest';
import { Agent } from '../../../test/agent.js';
import { createTestApp } from '../../../test/app.js';
import {
  createOrganization,
  createUser,
  freshTotpCode,
  totpCode,
  type TestUser,
} from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { asApp, withOrg } from '../../platform/db.js';
import { settleFollowUps } from './auth-follow-ups.js';
import { DEVICE_COOKIE } from './device-cookie.js';
import { ALERT_FAILURES } from './sign-in-alert.js';
import { accountSourcePrefix, throttleKey } from './throttle.js';

const t = await createTestApp();

const ATTACKER = '203.0.113.66';
const OWNER_AT_HOME = '198.51.100.7';
let nextAddress = 10;
/** Each test's attacker comes from an address of its own, so the per-address throttle is the test's. */
const attackerAddress = () => `203.0.113.${nextAddress++}`;

const wrong = (i: number) => `wrong-guess-${i}-${'x'.repeat(8)}`;

async function fail(agent: Agent, user: TestUser, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const r = await agent.post('/api/auth/sign-in', { email: user.email, password: wrong(i) });
    statuses.push(r.statusCode);
  }
  return statuses;
}

/** A full sign-in (password, then a TOTP code) in this browser: it then holds a device cookie. */
async function signInWithMfa(agent: Agent, user: TestUser) {
  const first = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
  expect(first.statusCode, first.body).toBe(200);
  expect(first.json().state).toBe('mfa');
  const second = await agent.post('/api/auth/mfa/totp', { code: freshTotpCode(user.totpSecret) });
  expect(second.statusCode, second.body).toBe(200);
  return second;
}

/** The browser closed: its session is gone, its device cookie stays. */
function closeBrowser(agent: Agent): void {
  agent.cookies.delete('candor_session');
  agent.csrfToken = undefined;
}

/**
 * The attacker kept at it for a while: the account's backoff (which the real
 * failures above have started) now runs for minutes, so no assertion below
 * depends on how fast this machine is.
 */
async function holdBack(user: TestUser, extra: string[] = []): Promise<void> {
  const sessionKey = t.config.secrets.sessionKey;
  const rows = await asApp(t.db, (tx) =>
    tx.query(
      `UPDATE sign_in_throttle SET blocked_until = now() + interval '10 minutes'
       WHERE key = ANY($1) OR starts_with(key, $2) RETURNING key`,
      [
        [throttleKey(sessionKey, 'account', user.email), ...extra],
        accountSourcePrefix(sessionKey, user.email),
      ],
    ),
  );
  expect(rows.length).toBeGreaterThan(0);
}

async function failuresOf(key: string): Promise<number> {
  const rows = await asApp(t.db, (tx) =>
    tx.query<{ failures: number }>('SELECT failures FROM sign_in_throttle WHERE key = $1', [key]),
  );
  return rows[0]?.failures ?? 0;
}

async function auditActions(user: TestUser): Promise<string[]> {
  // Failed sign-ins are audited after their responses (auth-follow-ups.ts): all of them first.
  await settleFollowUps(t.app.deps);
  const rows = await withOrg(t.db, user.organizationId, (tx) =>
    tx.query<{ action: string }>('SELECT action FROM audit_events WHERE target_id = $1::text ORDER BY seq', [
      user.id,
    ]),
  );
  return rows.map((r) => r.action);
}

describe('sign-in lockout the attacker does not control', () => {
  it('a device cookie is issued after a sign-in with a second factor: HttpOnly, Strict, for the password step', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const agent = new Agent(t.app);
    const first = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
    // The password alone earns no device cookie.
    expect(first.cookies.find((c) => c.name === DEVICE_COOKIE)).toBeUndefined();
    const second = await signInWithMfaStep(agent, user);
    const cookie = second.cookies.find((c) => c.name === DEVICE_COOKIE);
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      secure: true,
      path: '/api/auth/sign-in',
      maxAge: 180 * 24 * 3600,
    });
    // A nonce, its expiry and a MAC: nothing about the user in clear.
    expect(cookie!.value.split('.')).toHaveLength(3);
    expect(cookie!.value).not.toContain(user.id);
  });

  it("an attacker's failures from one address do not hold back the owner's browser that signed in with MFA before; a new browser is throttled as before", async () => {
    const org = await createOrganization(t);
    const owner = await createUser(t, org, ['admin']);
    const ownerBrowser = new Agent(t.app, { remoteAddress: OWNER_AT_HOME });
    await signInWithMfa(ownerBrowser, owner);
    const codes = (await ownerBrowser.post('/api/me/mfa/recovery-codes')).json<{ recoveryCodes: string[] }>()
      .recoveryCodes;
    expect(ownerBrowser.cookies.has(DEVICE_COOKIE)).toBe(true);
    closeBrowser(ownerBrowser);

    const attacker = new Agent(t.app, { remoteAddress: ATTACKER });
    const statuses = await fail(attacker, owner, 8);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    await holdBack(owner);

    // A browser that never signed in is held back, wherever it is, with a Retry-After.
    for (const remoteAddress of [OWNER_AT_HOME, ATTACKER]) {
      const fresh = await new Agent(t.app, { remoteAddress }).post('/api/auth/sign-in', {
        email: owner.email,
        password: owner.password,
      });
      expect(fresh.statusCode).toBe(429);
      expect(Number(fresh.headers['retry-after'])).toBeGreaterThan(0);
      expect(fresh.json().error.code).toBe('rate_limited');
    }

    // The owner's browser, from home: password and TOTP, signed in.
    await signInWithMfa(ownerBrowser, owner);
    expect((await ownerBrowser.get('/api/auth/session')).json().authenticated).toBe(true);
    closeBrowser(ownerBrowser);

    // And from the attacker's own address (a shared network): the password step passes too.
    ownerBrowser.remoteAddress = ATTACKER;
    const fromA = await ownerBrowser.post('/api/auth/sign-in', {
      email: owner.email,
      password: owner.password,
    });
    expect(fromA.statusCode, fromA.body).toBe(200);
    expect(fromA.json().state).toBe('mfa');
    const recovery = await ownerBrowser.post('/api/auth/mfa/recovery', { code: sensitive(codes[0]!) });
    expect(recovery.statusCode, recovery.body).toBe(200);

    // The owner's sign-ins lifted nothing for the attacker.
    const still = await attacker.post('/api/auth/sign-in', { email: owner.email, password: wrong(99) });
    expect(still.statusCode).toBe(429);
    expect(await failuresOf(throttleKey(t.config.secrets.sessionKey, 'account', owner.email))).toBe(5);

    const actions = await auditActions(owner);
    expect(actions.filter((a) => a === 'auth.sign_in_failed').length).toBeGreaterThanOrEqual(5);
  });

  it("a forged, altered or expired device cookie, or another account's, is not honoured", async () => {
    const org = await createOrganization(t);
    const x = await createUser(t, org, ['viewer']);
    const y = await createUser(t, org, ['viewer']);
    const browser = new Agent(t.app);
    await signInWithMfa(browser, x);
    const good = browser.cookies.get(DEVICE_COOKIE)!;
    closeBrowser(browser);
    const attacker = new Agent(t.app, { remoteAddress: attackerAddress() });
    expect(await fail(attacker, x, 7)).toContain(429);
    expect(await fail(attacker, y, 7)).toContain(429);
    await holdBack(x);
    await holdBack(y);

    const [nonce, expires, mac] = good.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const tries: [string, TestUser, string][] = [
      ["x's cookie for y", y, good],
      ['altered MAC', x, `${nonce}.${expires}.${flip(mac)}`],
      ['altered nonce', x, `${flip(nonce)}.${expires}.${mac}`],
      ['extended expiry', x, `${nonce}.${Number(expires) + 86_400}.${mac}`],
      ['expired', x, `${nonce}.${Math.floor(Date.now() / 1000) - 1}.${mac}`],
      ['garbage', x, 'not-a-device-cookie'],
      ['extra parts', x, `${good}.more`],
    ];
    for (const [label, user, value] of tries) {
      const agent = new Agent(t.app);
      agent.cookies.set(DEVICE_COOKIE, value);
      const r = await agent.post('/api/auth/sign-in', { email: user.email, password: user.password });
      expect(r.statusCode, label).toBe(429);
    }
    // The genuine cookie, for its own account, passes.
    const genuine = new Agent(t.app);
    genuine.cookies.set(DEVICE_COOKIE, good);
    const ok = await genuine.post('/api/auth/sign-in', { email: x.email, password: x.password });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('a device cookie with five wrong passwords behind it is locked: a stolen cookie is no way to guess', async () => {
    const org = await createOrganization(t);
    const owner = await createUser(t, org, ['viewer']);
    const browser = new Agent(t.app);
    await signInWithMfa(browser, owner);
    closeBrowser(browser);
    const thief = new Agent(t.app, { remoteAddress: attackerAddress() });
    thief.cookies.set(DEVICE_COOKIE, browser.cookies.get(DEVICE_COOKIE)!);
    const accountKey = throttleKey(t.config.secrets.sessionKey, 'account', owner.email);
    // Its own five failures count on the cookie, not on the account …
    expect(await fail(thief, owner, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(await failuresOf(accountKey)).toBe(0);
    expect(await auditActions(owner)).toContain('auth.device_locked');
    // … then the cookie counts for nothing: the next failure is an unknown browser's.
    expect(
      (await thief.post('/api/auth/sign-in', { email: owner.email, password: wrong(5) })).statusCode,
    ).toBe(401);
    expect(await failuresOf(accountKey)).toBe(1);
    expect(await fail(thief, owner, 7)).toContain(429);
    await holdBack(owner);
    // The locked cookie no longer exempts even the right password from the account's throttle.
    const locked = await browser.post('/api/auth/sign-in', { email: owner.email, password: owner.password });
    expect(locked.statusCode).toBe(429);
  });

  it('second-factor guesses are throttled on their own, per account', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const guesser = new Agent(t.app, { remoteAddress: attackerAddress() });
    const first = await guesser.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect(first.json().state).toBe('mfa');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      // Codes of hours ago: never valid now.
      const code = totpCode(user.totpSecret, Date.now() - (i + 2) * 3_600_000);
      statuses.push((await guesser.post('/api/auth/mfa/totp', { code })).statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    await holdBack(user, [throttleKey(t.config.secrets.sessionKey, 'mfa', user.id)]);
    // The password step is not what was guessed: it still passes …
    const other = new Agent(t.app);
    const again = await other.post('/api/auth/sign-in', { email: user.email, password: user.password });
    expect(again.statusCode, again.body).toBe(200);
    // … and the right code waits for the second-factor throttle of the account.
    const right = await other.post('/api/auth/mfa/totp', { code: freshTotpCode(user.totpSecret) });
    expect(right.statusCode).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an admin unlock lifts the per-address throttles of the account too', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const victim = await createUser(t, org, ['support']);
    const address = attackerAddress();
    expect(await fail(new Agent(t.app, { remoteAddress: address }), victim, 7)).toContain(429);
    await holdBack(victim);
    const adminBrowser = new Agent(t.app);
    await signInWithMfa(adminBrowser, admin);
    expect((await adminBrowser.post(`/api/users/${victim.id}/unlock`)).statusCode).toBe(200);
    const after = await new Agent(t.app, { remoteAddress: address }).post('/api/auth/sign-in', {
      email: victim.email,
      password: victim.password,
    });
    expect(after.statusCode, after.body).toBe(200);
  });
});

describe('the owner hears of repeated failures', () => {
  /** The attacker waits out every pause (here: the pause is lifted), so failures keep counting. */
  async function failPatiently(user: TestUser, address: string, failures: number): Promise<void> {
    const sessionKey = t.config.secrets.sessionKey;
    const attacker = new Agent(t.app, { remoteAddress: address });
    let counted = 0;
    while (counted < failures) {
      const r = await attacker.post('/api/auth/sign-in', { email: user.email, password: wrong(counted) });
      if (r.statusCode === 401) counted++;
      else {
        expect(r.statusCode).toBe(429);
        await asApp(t.db, (tx) =>
          tx.query(
            `UPDATE sign_in_throttle SET blocked_until = NULL
             WHERE key = ANY($1) OR starts_with(key, $2)`,
            [
              [throttleKey(sessionKey, 'account', user.email), throttleKey(sessionKey, 'ip', address)],
              accountSourcePrefix(sessionKey, user.email),
            ],
          ),
        );
      }
    }
  }

  const mailsTo = (user: TestUser) => t.smtp.received.filter((m) => m.to.includes(user.email.toLowerCase()));

  async function alertDeliveries(user: TestUser): Promise<number> {
    await settleFollowUps(t.app.deps);
    const rows = await withOrg(t.db, user.organizationId, (tx) =>
      tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM deliveries WHERE purpose = 'sign_in_alert' AND idempotency_key LIKE $1",
        [`sign_in_alert:${user.id}:%`],
      ),
    );
    return rows[0]!.n;
  }

  it('once per hour-long window, in their language, without the password tried or the address', async () => {
    const org = await createOrganization(t);
    const owner = await createUser(t, org, ['viewer']);
    await withOrg(t.db, org, (tx) => tx.query("UPDATE users SET locale = 'cs' WHERE id = $1", [owner.id]));
    const address = attackerAddress();

    await failPatiently(owner, address, ALERT_FAILURES - 1);
    expect(await alertDeliveries(owner)).toBe(0);
    await failPatiently(owner, address, 1);
    const mail = await t.smtp.waitFor(owner.email);
    expect(mail.parsed.subject).toBe('Opakované neúspěšné pokusy o přihlášení k vašemu účtu v Candoru');
    const text = mail.parsed.text ?? '';
    expect(text).toContain(`${ALERT_FAILURES} neúspěšných pokusů`);
    expect(text).toContain('http://localhost:3000/forgot-password');
    expect(mail.raw).not.toContain('wrong-guess');
    expect(mail.raw).not.toContain(address);

    // More failures in the same window: no second e-mail.
    await failPatiently(owner, address, ALERT_FAILURES + 2);
    expect(await alertDeliveries(owner)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mailsTo(owner)).toHaveLength(1);
    expect((await auditActions(owner)).filter((a) => a === 'auth.sign_in_alert_sent')).toHaveLength(1);

    // An hour later a new window starts, and may send one more.
    await withOrg(t.db, org, (tx) =>
      tx.query(
        "UPDATE sign_in_alerts SET window_started_at = now() - interval '61 minutes' WHERE user_id = $1",
        [owner.id],
      ),
    );
    await failPatiently(owner, address, ALERT_FAILURES - 1);
    expect(await alertDeliveries(owner)).toBe(1);
    await failPatiently(owner, address, 1);
    expect(await alertDeliveries(owner)).toBe(2);
  });

  it('failures for an unknown address or a deactivated account mail nobody', async () => {
    const org = await createOrganization(t);
    const gone = await createUser(t, org, ['viewer']);
    await withOrg(t.db, org, (tx) =>
      tx.query("UPDATE users SET status = 'deactivated' WHERE id = $1", [gone.id]),
    );
    await failPatiently(gone, attackerAddress(), ALERT_FAILURES + 1);
    expect(await alertDeliveries(gone)).toBe(0);
  });
});

/** The TOTP step alone, returning its response (the one that sets the device cookie). */
async function signInWithMfaStep(agent: Agent, user: TestUser) {
  const second = await agent.post('/api/auth/mfa/totp', { code: freshTotpCode(user.totpSecret) });
  expect(second.statusCode, second.body).toBe(200);
  return second;
}
