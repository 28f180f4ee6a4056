import { AsyncLocalStorage } from 'node:async_hooks';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from '../../../test/agent.js';
import { createTestApp, rebuildApp, type TestApp } from '../../../test/app.js';
import { createOrganization, createUser } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { settleFollowUps } from './auth-follow-ups.js';

// Issue 14: whether a staff address has an account must not show in how its requests are
// answered. Not timed (tests never assert wall-clock times): the statements each request runs
// on its way to the response are recorded, in order, and must be the same for a known address
// as for an unknown one; so must the answer.
const t = await createTestApp();

const statements = new AsyncLocalStorage<string[]>();
const note = (text: string) => statements.getStore()?.push(text.replace(/\s+/g, ' ').trim());

/** The app's database, recording each statement a request runs (and where its transactions start and end). */
function recording(db: Database): Database {
  const wrap = (sql: Sql): Sql => ({
    query<T>(text: string, params?: unknown[]) {
      note(text);
      return sql.query<T>(text, params);
    },
    exec(text: string) {
      note(text);
      return sql.exec(text);
    },
  });
  return {
    ...db,
    ...wrap(db),
    async transaction(fn) {
      note('BEGIN');
      try {
        return await db.transaction((tx) => fn(wrap(tx)));
      } finally {
        note('END');
      }
    },
  };
}

// The same app on the recording database (rebuildApp reads only the dependencies).
const deps = { ...t.app.deps, db: recording(t.db) };
const app = await rebuildApp({ app: { deps } } as unknown as Pick<TestApp, 'app'>);
await app.ready();
afterAll(() => app.close());

let nextAddress = 1;

/** One request from an address of its own (no throttle has counted it yet): its answer and statements. */
async function traced(url: string, body: object, headers: Record<string, string> = {}) {
  const run: string[] = [];
  const agent = new Agent(app, { remoteAddress: `192.0.2.${nextAddress++}` });
  const response = await statements.run(run, () => agent.post(url, body, headers));
  return { response, run };
}

/** What the client sees, less what differs between any two requests (the request id, the date). */
function answer(response: LightMyRequestResponse) {
  const { date, 'x-request-id': _id, ...headers } = response.headers;
  expect(date).toBeDefined();
  const json = response.json<Record<string, unknown>>();
  const error = json.error as Record<string, unknown> | undefined;
  return {
    status: response.statusCode,
    headers: Object.keys(headers).sort(),
    body: error ? { ...json, error: { ...error, requestId: undefined } } : json,
  };
}

async function followUpsWaiting(): Promise<number> {
  const rows = await asApp(t.db, (tx) =>
    tx.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_follow_ups'),
  );
  return rows[0]!.n;
}

async function auditOf(organizationId: string, userId: string): Promise<string[]> {
  const rows = await withOrg(t.db, organizationId, (tx) =>
    tx.query<{ action: string }>('SELECT action FROM audit_events WHERE target_id = $1::text ORDER BY seq', [
      userId,
    ]),
  );
  return rows.map((r) => r.action);
}

describe('a staff address with an account is answered as one without', () => {
  it('a wrong password runs the same statements and gets the same answer; the audit entry follows the response', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    const wrong = sensitive('not the password at all');
    const known = await traced('/api/auth/sign-in', { email: user.email, password: wrong });
    const unknown = await traced('/api/auth/sign-in', { email: 'nobody.here@example.test', password: wrong });

    expect(known.response.statusCode).toBe(401);
    expect(answer(known.response)).toEqual(answer(unknown.response));
    expect(known.run).toEqual(unknown.run);
    // One follow-up queued by each, in the transaction that counts the failure.
    expect(known.run.filter((s) => s.startsWith('INSERT INTO auth_follow_ups'))).toHaveLength(1);
    // Nothing of the account's own is touched on the way to the response.
    expect(known.run.some((s) => /audit|sign_in_alerts|deliveries/.test(s))).toBe(false);

    await settleFollowUps(t.app.deps);
    expect(await followUpsWaiting()).toBe(0);
    expect(await auditOf(org, user.id)).toContain('auth.sign_in_failed');
  });

  it('a deactivated account with its right password is answered as an unknown address', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer']);
    await withOrg(t.db, org, (tx) =>
      tx.query("UPDATE users SET status = 'deactivated' WHERE id = $1", [user.id]),
    );
    const gone = await traced('/api/auth/sign-in', { email: user.email, password: user.password });
    const unknown = await traced('/api/auth/sign-in', {
      email: 'no.one@example.test',
      password: user.password,
    });
    expect(gone.response.statusCode).toBe(401);
    expect(answer(gone.response)).toEqual(answer(unknown.response));
    expect(gone.run).toEqual(unknown.run);
  });

  it('a reset request runs the same statements and gets the same answer; the link is mailed after it', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['legal']);
    const headers = { 'accept-language': 'cs' };
    const known = await traced('/api/auth/password-reset', { email: user.email }, headers);
    const unknown = await traced('/api/auth/password-reset', { email: 'ghost.staff@example.test' }, headers);

    expect(known.response.statusCode).toBe(202);
    expect(answer(known.response)).toEqual(answer(unknown.response));
    expect(known.run).toEqual(unknown.run);
    expect(known.run.filter((s) => s.startsWith('INSERT INTO auth_follow_ups'))).toHaveLength(1);
    expect(known.run.some((s) => /password_resets|audit|deliveries/.test(s))).toBe(false);

    await settleFollowUps(t.app.deps);
    expect(await followUpsWaiting()).toBe(0);
    expect(await auditOf(org, user.id)).toContain('auth.password_reset_requested');
    const mail = await t.smtp.waitFor(user.email);
    expect(mail.parsed.subject).toBe('Obnovení hesla do Candoru');
  });
});
