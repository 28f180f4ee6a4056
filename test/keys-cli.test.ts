import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { upsertCustomer } from '../src/modules/customers/customer-repo.js';
import { openEmbedded, withOrg } from '../src/platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import { migrate } from '../src/platform/migrations.js';
import {
  assertBuilt,
  candor,
  freePort,
  killAll,
  startCandor,
  tempDir,
  type CandorServer,
} from './process.js';
import { sensitive } from './secrets.js';

// `candor keys rotate|status` and `candor org delete` as an operator runs them: through the
// running server's control socket, and locally (with --new-master-key) while it is stopped.

let root: string;
let env: Record<string, string>;
let server: CandorServer;
let port: number;
const org = '5b0f3c6e-4a43-4f0a-9d55-0d7c1e2b8a11';
const orgName = 'Keys CLI Shop';
const name = sensitive('Radomila Klíčová');
const secretsFile = () => path.join(env.CANDOR_DATA_DIR!, 'secrets.json');
const readSecrets = () =>
  JSON.parse(readFileSync(secretsFile(), 'utf8')) as { masterKey: string; previousMasterKeys?: string[] };

beforeAll(async () => {
  assertBuilt();
  root = tempDir();
  env = { CANDOR_DATA_DIR: path.join(root, 'data') };
  port = await freePort();
  // A first start creates the data directory, its secrets and the schema.
  server = await startCandor(env, { port });
  await server.stop();
  // An organization with customers, written as the app writes them.
  const db = await openEmbedded(path.join(env.CANDOR_DATA_DIR!, 'pgdata'));
  await migrate(db);
  const stored = readSecrets();
  const keyring = organizationKeyring(masterKeyFrom({ masterKey: Buffer.from(stored.masterKey, 'base64') }));
  await withOrg(db, org, async (tx) => {
    await tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [org, orgName]);
    const keys = await keyring.get(tx, org);
    for (const [i, who] of [name, sensitive('Drahoslav Šifra')].entries()) {
      await upsertCustomer(tx, keys, org, {
        externalId: `cli-${i}`,
        personal: { name: who, email: null, phone: null, address: null, attributes: {} },
        language: null,
        timeZone: null,
        country: 'CZ',
        region: null,
        tags: [],
        attributes: {},
        consent: { email: false, sms: false, webhook: false },
      });
    }
  });
  await db.close();
  server = await startCandor(env, { port });
}, 120_000);

afterAll(() => {
  killAll();
  rmSync(root, { recursive: true, force: true });
});

describe('candor keys and candor org', () => {
  test('explain themselves with --help', async () => {
    const keys = await candor(['keys', '--help'], env);
    expect(keys.stdout).toMatch(/rotate/);
    expect(keys.stdout).toMatch(/status/);
    const rotate = await candor(['keys', 'rotate', '--help'], env);
    expect(rotate.stdout).toMatch(/--new-master-key/);
    const del = await candor(['org', 'delete', '--help'], env);
    expect(del.stdout).toMatch(/--confirm <name>/);
  });

  test('status and rotate run inside the running server', async () => {
    const before = await candor(['keys', 'status'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain(`${org}  data key version 1  rows to re-encrypt: 0`);
    const rotated = await candor(['keys', 'rotate'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(`${org}  version 2`);
    const after = await candor(['keys', 'status'], env);
    expect(after.stdout).toContain(
      `${org}  data key version 2 (older still held: 1)  rows to re-encrypt: 2 (customers 2)`,
    );
    const json = await candor(['keys', 'status', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      organizations: [
        {
          organizationId: org,
          currentVersion: 2,
          versions: [1, 2],
          remaining: expect.objectContaining({ customers: 2 }),
        },
      ],
    });
  });

  test('--new-master-key is refused while Candor runs', async () => {
    const refused = await candor(['keys', 'rotate', '--new-master-key'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is running .* Stop it before you replace the master key/);
  });

  test('with Candor stopped, --new-master-key replaces the master key and re-wraps every key', async () => {
    await server.stop();
    const old = readSecrets().masterKey;
    const replaced = await candor(['keys', 'rotate', '--new-master-key'], env);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain('New master key written to');
    expect(replaced.stdout).toContain('Re-wrapped 3 organization keys');
    const now = readSecrets();
    expect(now.masterKey).not.toBe(old);
    expect(now.previousMasterKeys).toEqual([old]);
    expect(replaced.stdout).not.toContain(old);
    expect(replaced.stdout).not.toContain(now.masterKey);
  });

  test('after a restart the data still opens, and the organization can be deleted', async () => {
    server = await startCandor(env, { port });
    const exported = await candor(['customers', 'export', 'cli-0', '--org', org], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(name);

    const wrong = await candor(['org', 'delete', org, '--confirm', 'Another Shop'], env);
    expect(wrong.code).toBe(1);
    // A refusal goes to standard error: standard output holds answers only.
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/does not match the organization's name/);
    const deleted = await candor(['org', 'delete', org, '--confirm', orgName], env);
    expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Deleted organization ${org}`);
    expect(deleted.stdout).toContain('customers: 2');
    expect(server.stderr).toContain(`"msg":"organization deleted"`);
    const gone = await candor(['customers', 'export', 'cli-0', '--org', org], env);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toBe(`No customer cli-0 in organization ${org}.\n`);
    const status = await candor(['keys', 'status'], env);
    expect(status.stdout).toBe('No organization holds keys yet.\n');
    expect(JSON.parse((await candor(['keys', 'status', '--json'], env)).stdout)).toEqual({
      organizations: [],
    });
    expect(await fetch(`${server.url}/readyz`).then((r) => r.status)).toBe(200);
  });
});
