import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openServer, type Database } from '../src/platform/db.js';
import { testSecretsEnv } from './app.js';
import { leaksIn } from './secrets.js';
import {
  assertBuilt,
  candor,
  freePort,
  HttpAgent,
  killAll,
  newAdmin,
  secretsEnvFrom,
  serverLogs,
  setUp,
  signIn,
  startCandor,
  tempDir,
  type CandorServer,
} from './process.js';

// Candor processes against a PostgreSQL server: moving an embedded install
// there, and several processes sharing one database. Runs only in the
// 'postgres' project (TEST_DATABASE_URL set).

const onServer = process.env.CANDOR_TEST_DB === 'server';

describe.runIf(onServer)('candor processes on a PostgreSQL server', () => {
  let root: string;
  let admin: Database;
  const created: string[] = [];
  const createdRoles: string[] = [];

  /**
   * An empty database of this test's own on the test server; with an owner,
   * a new non-superuser role (LOGIN CREATEROLE, as the README asks) owns it
   * and the URL connects as that role, as in production.
   */
  async function newDatabase(options: { owner?: boolean } = {}): Promise<{ url: string; db: Database }> {
    const id = randomBytes(6).toString('hex');
    const name = `candor_x_${id}`;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    if (options.owner) {
      const role = `candor_x_owner_${id}`;
      await admin.query(`CREATE ROLE ${role} LOGIN CREATEROLE NOSUPERUSER`);
      createdRoles.push(role);
      await admin.query(`CREATE DATABASE ${name} OWNER ${role}`);
      url.username = role;
      url.password = '';
    } else {
      await admin.query(`CREATE DATABASE ${name}`);
    }
    created.push(name);
    url.pathname = `/${name}`;
    // For the test's own checks: as the server's superuser, whoever owns the database.
    const superuser = new URL(process.env.TEST_DATABASE_URL!);
    superuser.pathname = `/${name}`;
    return { url: url.toString(), db: openServer(superuser.toString(), { max: 1 }) };
  }

  beforeAll(() => {
    assertBuilt();
    root = tempDir();
    admin = openServer(process.env.TEST_DATABASE_URL!, { max: 1 });
  });

  afterAll(async () => {
    killAll();
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    for (const role of createdRoles) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.close();
    rmSync(root, { recursive: true, force: true });
    expect(leaksIn(serverLogs.join('\n'))).toEqual([]);
  });

  test('copy-to-server moves an embedded install into an empty server database', async () => {
    const target = await newDatabase({ owner: true });
    const dataDir = path.join(root, 'embedded');
    const owner = newAdmin();

    // An embedded install with an organization and its admin.
    const embedded = await startCandor({ CANDOR_DATA_DIR: dataDir });
    const origin = `http://localhost:${embedded.port}`;
    await setUp(new HttpAgent(origin), embedded.url, embedded.setupLink()!, owner);
    const before = await candor(['audit', 'verify'], { CANDOR_DATA_DIR: dataDir });
    expect(before.code).toBe(0);

    const refused = await candor(['copy-to-server', target.url], { CANDOR_DATA_DIR: dataDir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`Stop it before you copy the database`);
    expect((await embedded.stop()).code).toBe(0);

    const copied = await candor(['copy-to-server', target.url], { CANDOR_DATA_DIR: dataDir });
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toMatch(/^organizations: 1 rows$/m);
    expect(copied.stdout).toMatch(/^users: 1 rows$/m);
    expect(copied.stdout).toContain(`DATABASE_URL=${target.url}`);
    expect(copied.stdout).toContain('CANDOR_AUDIT_KEY: "auditKey"');

    // The server install: the same secrets, taken from secrets.json into the environment.
    const serverEnv = {
      DATABASE_URL: target.url,
      CANDOR_DATA_DIR: path.join(root, 'server-install'),
      ...secretsEnvFrom(dataDir),
    };
    const onPg = await startCandor(serverEnv);
    expect(onPg.setupLink()).toBeUndefined();
    const agent = new HttpAgent(`http://localhost:${onPg.port}`);
    const signedIn = await signIn(agent, onPg.url, owner.email, owner.password);
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.json()).toMatchObject({ state: 'enroll' });

    const verify = await candor(['audit', 'verify'], serverEnv);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    // The same organization, its chain intact and longer by the sign-in.
    const orgOf = (text: string) => /organization ([0-9a-f-]{36})/.exec(text)?.[1];
    expect(orgOf(verify.stdout)).toBe(orgOf(before.stdout));
    expect(verify.stdout).toMatch(/^ok\s+organization [0-9a-f-]{36}: \d+ events, chain intact$/m);

    // With the wrong audit key the chain does not verify: the secrets really moved.
    const wrongKey = await candor(['audit', 'verify'], {
      ...serverEnv,
      CANDOR_AUDIT_KEY: testSecretsEnv().CANDOR_AUDIT_KEY!,
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/^BROKEN/m);

    // Copying twice into the same database is refused.
    const again = await candor(['copy-to-server', target.url], { CANDOR_DATA_DIR: dataDir });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already holds organizations');

    expect((await onPg.stop()).code).toBe(0);
    await target.db.close();
  });

  describe('two web processes and a worker on one database', () => {
    let database: { url: string; db: Database };
    let web1: CandorServer;
    let web2: CandorServer;
    let worker: CandorServer;
    let env: Record<string, string>;
    let publicUrl: string;
    const owner = newAdmin();

    beforeAll(async () => {
      database = await newDatabase();
      const port1 = await freePort();
      publicUrl = `http://localhost:${port1}`;
      env = { DATABASE_URL: database.url, CANDOR_PUBLIC_URL: publicUrl, ...testSecretsEnv() };
      // The first web process migrates the empty database; the other two start together after it.
      // (Not all three at once: migrate() creates candor_migrations before it takes its advisory
      // lock, so concurrent first starts can fail on pg_type_typname_nsp_index — reported.)
      web1 = await startCandor(
        { ...env, CANDOR_ROLE: 'web', CANDOR_DATA_DIR: path.join(root, 'w1') },
        { port: port1 },
      );
      [web2, worker] = await Promise.all([
        startCandor({ ...env, CANDOR_ROLE: 'web', CANDOR_DATA_DIR: path.join(root, 'w2') }),
        startCandor(
          { ...env, CANDOR_ROLE: 'worker', CANDOR_DATA_DIR: path.join(root, 'wk') },
          { readyWhen: (s) => s.stdout.includes('"msg":"Candor started"') },
        ),
      ]);
    });

    afterAll(async () => {
      await database?.db.close();
    });

    test('each role starts: web processes serve HTTP, the worker serves none', async () => {
      expect(web1.stdout).toMatch(/"role":"web"/);
      expect(worker.stdout).toMatch(/"role":"worker"/);
      expect(worker.stderr).not.toContain('Candor is running: open');
      const applied = await database.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM candor_migrations',
      );
      expect(applied[0]!.n).toBeGreaterThan(0);
    });

    test('sign-in throttling holds across processes, and an admin unlock lets the user in', async () => {
      const created = await candor(['admin', 'create'], env);
      expect(created.code, created.stderr).toBe(0);
      const link = /http:\/\/\S+\/setup#token=[\w-]+/.exec(created.stdout)?.[0];
      expect(link).toMatch(new RegExp(`^${publicUrl}/setup#token=`));
      // Set up through the second process: the link lives in the shared database.
      await setUp(new HttpAgent(publicUrl), web2.url, link!, owner);
      // No second factor needed, so the admin's session is active without enrolling one.
      await database.db.query('UPDATE organizations SET require_mfa = false');

      const adminAgent = new HttpAgent(publicUrl);
      const signedIn = await signIn(adminAgent, web1.url, owner.email, owner.password);
      expect(signedIn.json(), signedIn.text).toMatchObject({ state: 'active' });
      const session = await adminAgent.get(`${web1.url}/api/auth/session`);
      const userId = session.json<{ user: { id: string } }>().user.id;

      // Wrong passwords, alternating between the two processes. Past five free
      // failures each one blocks for 1 s, 2 s, 4 s …; wait out the short blocks.
      const servers = [web1, web2];
      let failures = 0;
      for (let i = 0; failures < 7; i++) {
        const response = await signIn(
          new HttpAgent(publicUrl),
          servers[i % 2]!.url,
          owner.email,
          `${owner.password}-wrong`,
        );
        if (response.status === 429) {
          expect(failures).toBeGreaterThanOrEqual(5);
          await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after')) * 1000 + 50));
          continue;
        }
        expect(response.status, response.text).toBe(401);
        failures++;
      }

      // Now blocked for 4 s on both processes, even with the right password.
      for (const server of servers) {
        const blocked = await signIn(new HttpAgent(publicUrl), server.url, owner.email, owner.password);
        expect(blocked.status, blocked.text).toBe(429);
        const retryAfter = Number(blocked.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(4);
      }

      // The admin's session (opened before) clears it, through the other process.
      const unlocked = await adminAgent.post(`${web2.url}/api/users/${userId}/unlock`);
      expect(unlocked.status, unlocked.text).toBe(200);
      for (const server of servers) {
        const again = await signIn(new HttpAgent(publicUrl), server.url, owner.email, owner.password);
        expect(again.status, again.text).toBe(200);
      }
    });

    test('every process stops gracefully on SIGTERM', async () => {
      const stopped = await Promise.all([web1.stop(), web2.stop(), worker.stop()]);
      for (const s of stopped) expect(s).toMatchObject({ code: 0, signal: null });
      for (const s of [web1, worker]) expect(s.stderr).toContain('Candor is shutting down (SIGTERM)');
    });
  });
});
