import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSecretsEnv } from '../test/app.js';
import { cloneTestDatabase, testDbKind, type TestDatabase } from '../test/db.js';
import { startTestSmtp, type TestSmtp } from '../test/smtp.js';
import { loadConfig } from './config.js';
import { startCandor } from './server.js';
import { openServer, withOrg, type Database } from './platform/db.js';
import { connectionRole, roleEscapes } from './platform/db-roles.js';
import { Writable } from 'node:stream';
import { createLogger } from './platform/logger.js';
import { sendJob, TIMERS } from './platform/jobs.js';
import { open, seal } from './platform/crypto.js';
import { addDataKeyVersion, masterKeyFrom, organizationKeyring } from './platform/keys.js';
import { deleteOrganization } from './modules/keys/index.js';
import { runReencryption } from './modules/keys/key-rotation.js';

// Least privilege at the database (issue 14, item 5): the processes log in as a role that is a
// member of candor_app and candor_jobs, never the owner. Only a PostgreSQL server has roles to log
// in as; the embedded engine keeps SET LOCAL ROLE on its single connection (tenancy.db.test.ts).

const onServer = testDbKind === 'server';

describe.runIf(onServer)('the processes log in as a role that cannot step out of row-level security', () => {
  let t: TestDatabase;
  let login: Database;
  let loginUrl: string;
  let ownerName: string;
  const role = `candor_test_login_${randomBytes(4).toString('hex')}`;
  const a = randomUUID();
  const b = randomUUID();

  beforeAll(async () => {
    t = await cloneTestDatabase();
    // As docs/OPERATIONS.md tells an operator: a login role in candor_app (and candor_jobs).
    await t.db.exec(
      `CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE IN ROLE candor_app, candor_jobs`,
    );
    ownerName = (
      await t.db.query<{ owner: string }>(
        `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'organizations'`,
      )
    )[0]!.owner;
    const url = new URL(t.url!);
    url.username = role;
    url.password = '';
    loginUrl = url.toString();
    login = openServer(loginUrl, { max: 3 });
    for (const [id, name] of [
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      await withOrg(t.db, id, async (tx) => {
        await tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [id, name]);
        await tx.query(
          `INSERT INTO users (organization_id, email, display_name, password_hash, roles)
           VALUES ($1, $2, 'x', 'x', '{viewer}')`,
          [id, `someone@${name.toLowerCase()}.test`],
        );
      });
    }
  });

  afterAll(async () => {
    await login?.close();
    await t?.drop();
    const admin = openServer(process.env.TEST_DATABASE_URL!, { max: 1 });
    await admin.exec(`DROP ROLE IF EXISTS ${role}`);
    await admin.close();
  });

  it('the login role is judged safe, the owner is not', async () => {
    expect(roleEscapes(await connectionRole(login))).toBeUndefined();
    expect(roleEscapes(await connectionRole(t.db))).toMatch(/superuser|owner/);
  });

  it('RESET ROLE inside an organization leaves it the login role, still confined by row-level security', async () => {
    const seen = await withOrg(login, a, async (tx) => {
      await tx.exec('RESET ROLE');
      const who = await tx.query<{ u: string }>('SELECT current_user AS u');
      const users = await tx.query<{ organization_id: string }>('SELECT organization_id FROM users');
      return { who: who[0]!.u, orgs: [...new Set(users.map((u) => u.organization_id))] };
    });
    expect(seen).toEqual({ who: role, orgs: [a] });
    // With no organization set, nothing at all.
    await login.transaction(async (tx) => {
      await tx.exec('RESET ROLE');
      expect(await tx.query('SELECT id FROM users')).toEqual([]);
      expect(await tx.query('SELECT id FROM organizations')).toEqual([]);
    });
    // A write into another organization is refused by the policy's check.
    await expect(
      withOrg(login, a, async (tx) => {
        await tx.exec('RESET ROLE');
        await tx.query(`UPDATE organizations SET name = 'taken' WHERE id = $1`, [b]);
        return tx.query('SELECT name FROM organizations WHERE id = $1', [b]);
      }),
    ).resolves.toEqual([]);
  });

  it('SET ROLE to the owner, SET SESSION AUTHORIZATION and turning row-level security off are refused', async () => {
    for (const statement of [
      `SET ROLE "${ownerName}"`,
      'SET ROLE postgres',
      `SET SESSION AUTHORIZATION "${ownerName}"`,
      'ALTER TABLE users DISABLE ROW LEVEL SECURITY',
      'ALTER TABLE users NO FORCE ROW LEVEL SECURITY',
      'DROP POLICY tenant_isolation ON users',
      'GRANT candor_app TO CURRENT_USER',
    ]) {
      await expect(
        withOrg(login, a, async (tx) => {
          await tx.exec('RESET ROLE');
          await tx.exec(statement);
        }),
        statement,
      ).rejects.toThrow(/permission denied|must be (owner|superuser)|must have admin option/);
    }
  });

  describe('key work as the login role', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'candor-roles-keys-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
    const secrets = () =>
      loadConfig({
        NODE_ENV: 'test',
        CANDOR_DATA_DIR: dataDir,
        DATABASE_URL: loginUrl,
        LOG_LEVEL: 'silent',
        ...testSecretsEnv(),
      }).secrets;
    const fingerprint = 'f'.repeat(43);

    /** As the login role: the organization's keys, a customer, a reveal note and an import's errors. */
    async function sealedRows(org: string, master: ReturnType<typeof masterKeyFrom>) {
      const keyring = organizationKeyring(master, 0);
      const customer = randomUUID();
      const importId = randomUUID();
      await withOrg(login, org, async (tx) => {
        const keys = await keyring.get(tx, org);
        const v = keys.dataVersion;
        await tx.query(
          `INSERT INTO customers (id, organization_id, external_id, personal, key_version, import_fingerprint)
           VALUES ($1, $2, 'r-1', $3, $4, $5)`,
          [customer, org, seal(keys.data(v), '{"name":"Rotace"}', `customer:${customer}`), v, fingerprint],
        );
        await tx.query(
          `INSERT INTO customer_reveal_notes (organization_id, customer_id, audit_seq, note, key_version)
           VALUES ($1, $2, 1, $3, $4)`,
          [org, customer, seal(keys.data(v), 'asked by phone', `customer-reveal-note:${org}:1`), v],
        );
        await tx.query(
          `INSERT INTO imports (id, organization_id, status, format) VALUES ($1, $2, 'completed', 'csv')`,
          [importId, org],
        );
        await tx.query(
          `INSERT INTO import_errors (organization_id, import_id, batch, report, key_version) VALUES ($1, $2, 0, $3, $4)`,
          [org, importId, seal(keys.data(v), '[]', `import-errors:${importId}:0`), v],
        );
      });
      return { customer, importId };
    }

    it('rotates an organization’s data key and re-encrypts its data, destroying the old version', async () => {
      const s = secrets();
      const master = masterKeyFrom(s);
      const { customer, importId } = await sealedRows(a, master);
      const added = await withOrg(login, a, (tx) => addDataKeyVersion(tx, master, a));
      expect(added).toBe(2);

      const run = await runReencryption({ db: login, secrets: s }, { settleMs: 0 });
      expect(run.rows).toBeGreaterThanOrEqual(3);
      expect(run.destroyed).toContainEqual({ organizationId: a, versions: [1] });

      const versions = await t.db.query<{ version: number }>(
        `SELECT version FROM organization_keys WHERE organization_id = $1 AND purpose = 'data'`,
        [a],
      );
      expect(versions.map((v) => v.version)).toEqual([2]);
      for (const table of ['customers', 'customer_reveal_notes', 'import_errors']) {
        const rows = await t.db.query<{ key_version: number }>(
          `SELECT key_version FROM ${table} WHERE organization_id = $1`,
          [a],
        );
        expect(
          rows.map((r) => r.key_version),
          table,
        ).toEqual([2]);
      }
      // The trigger saw candor.reencrypting under the login role: the import fingerprint stays.
      const row = (
        await t.db.query<{ personal: Uint8Array; import_fingerprint: string | null }>(
          'SELECT personal, import_fingerprint FROM customers WHERE id = $1',
          [customer],
        )
      )[0]!;
      expect(row.import_fingerprint).toBe(fingerprint);
      const keys = await withOrg(login, a, (tx) => organizationKeyring(master, 0).get(tx, a));
      expect(open(keys.data(2), Buffer.from(row.personal), `customer:${customer}`).toString()).toBe(
        '{"name":"Rotace"}',
      );
      const report = (
        await t.db.query<{ report: Uint8Array }>('SELECT report FROM import_errors WHERE import_id = $1', [
          importId,
        ])
      )[0]!;
      expect(open(keys.data(2), Buffer.from(report.report), `import-errors:${importId}:0`).toString()).toBe(
        '[]',
      );
      // Nothing is left to do, and the function refuses another organization's keys.
      expect((await runReencryption({ db: login, secrets: s }, { settleMs: 0 })).destroyed).toEqual([]);
      await expect(
        withOrg(login, b, (tx) => tx.query('SELECT * FROM candor_destroy_data_key_versions($1, 2)', [a])),
      ).rejects.toThrow(/not the current organization/);
    });

    it('deletes an organization with its keys and data (crypto-shredding)', async () => {
      const master = masterKeyFrom(secrets());
      await sealedRows(b, master);
      // Only the organization the transaction is in.
      await expect(
        withOrg(login, a, (tx) => tx.query('SELECT candor_delete_organization($1)', [b])),
      ).rejects.toThrow(/not the current organization/);

      const receipt = await deleteOrganization(login, b, 'B');
      expect(receipt).toMatchObject({ organizationId: b, keysDestroyed: 2 });
      expect(receipt.rows).toMatchObject({
        organization_keys: 2,
        users: 1,
        customers: 1,
        customer_reveal_notes: 1,
        import_errors: 1,
      });
      for (const table of [
        'organization_keys',
        'customers',
        'customer_reveal_notes',
        'import_errors',
        'users',
      ]) {
        expect(await t.db.query(`SELECT 1 FROM ${table} WHERE organization_id = $1`, [b]), table).toEqual([]);
      }
      expect(await t.db.query('SELECT 1 FROM organizations WHERE id = $1', [b])).toEqual([]);
      expect(await t.db.query('SELECT 1 FROM organizations WHERE id = $1', [a])).toHaveLength(1);
    });
  });

  describe('Candor started with the login role and the owner for migrations', () => {
    let smtp: TestSmtp;
    let dataDir: string;
    const env = () => ({
      NODE_ENV: 'test',
      CANDOR_DATA_DIR: dataDir,
      CANDOR_SMTP_URL: smtp.url,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...testSecretsEnv(),
    });

    beforeAll(async () => {
      smtp = await startTestSmtp();
      dataDir = mkdtempSync(path.join(tmpdir(), 'candor-roles-'));
    });
    afterAll(async () => {
      await smtp?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses to start when DATABASE_URL is the owner and a migration URL is set', async () => {
      const config = loadConfig({ ...env(), DATABASE_URL: t.url!, CANDOR_MIGRATION_DATABASE_URL: t.url! });
      await expect(startCandor(config, { announce: () => undefined })).rejects.toThrow(
        /step out of row-level security/,
      );
    });

    it('serves requests and works a pg-boss job as the login role', async () => {
      const config = loadConfig({ ...env(), DATABASE_URL: loginUrl, CANDOR_MIGRATION_DATABASE_URL: t.url! });
      const logs: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _enc, done) {
          logs.push(chunk.toString());
          done();
        },
      });
      const running = await startCandor(config, {
        announce: () => undefined,
        logger: createLogger({ level: 'info', destination }),
      });
      try {
        const ready = await fetch(`${running.url}/readyz`);
        expect(ready.status).toBe(200);
        // A request that reads and writes (user look-up, throttle): refused sign-in, not a 500.
        const signIn = await fetch(`${running.url}/api/auth/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: running.config.publicUrl.origin },
          body: JSON.stringify({ email: 'nobody@example.test', password: 'not-the-password' }),
        });
        expect(signIn.status, await signIn.clone().text()).toBe(401);
        // The queues' gauges: the delivery backlog and pg-boss's queue sizes, read as the login role.
        const metrics = await fetch(`${running.url}/metrics`, {
          headers: { authorization: `Bearer ${config.secrets.metricsToken}` },
        });
        expect(metrics.status).toBe(200);

        // Jobs queued by a request-like transaction, worked by this process's pg-boss: each timer's
        // cross-organization function, run as the login role.
        for (const name of Object.keys(TIMERS)) {
          const jobId = await withOrg(running.db, a, (tx) =>
            sendJob(tx, { name, schema: Type.Object({}) }, {}),
          );
          const deadline = Date.now() + 30_000;
          let state: string | undefined;
          while (Date.now() < deadline) {
            state = (
              await t.db.query<{ state: string }>(
                `SELECT state FROM pgboss.job WHERE id = $1 UNION ALL SELECT state FROM pgboss.archive WHERE id = $1`,
                [jobId],
              )
            )[0]?.state;
            if (state === 'completed' || state === 'failed') break;
            await new Promise((r) => setTimeout(r, 250));
          }
          expect(state, name).toBe('completed');
        }

        // The process's connections (the pool and pg-boss's) are the login role's; the test's own
        // and the owner's are the superuser's, left out.
        const users = await t.db.query<{ usename: string }>(
          `SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
             AND usename <> current_user`,
        );
        expect(users.map((u) => u.usename)).toEqual([role]);
      } finally {
        await running.stop();
      }
      // Nothing the process did in the background (outbox claims, job maintenance) was refused.
      const errors = logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
      expect(errors).toEqual([]);
      expect(logs.join('')).toContain('Candor started');
    });
  });
});
