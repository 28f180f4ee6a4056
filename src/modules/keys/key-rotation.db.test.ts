import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { runKeysCommand } from '../../cli/keys-commands.js';
import { deriveKey, open } from '../../platform/crypto.js';
import { withOrg } from '../../platform/db.js';
import { masterKeyFrom, masterKeyId, organizationKeyring } from '../../platform/keys.js';
import type { Secrets } from '../../platform/secrets.js';
import { openPersonal } from '../customers/customer-repo.js';
import { keyStatus, rotateKeys, runReencryption } from './key-rotation.js';

const t = await createTestApp();
const org = await createOrganization(t);
const other = await createOrganization(t);
const manager = await sessionFor(t, await createUser(t, org, ['incident_manager'], { totp: false }));
const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
const deps = { db: t.db, secrets: t.config.secrets };

const people = Array.from({ length: 5 }, (_, i) => ({
  externalId: `k-${i}`,
  name: sensitive(`Květoslava Rotační ${i}`),
  email: sensitive(`kvetoslava.rotacni${i}@example.cz`),
}));
for (const p of people) {
  const r = await manager.post('/api/customers', { ...p, country: 'CZ' });
  expect(r.statusCode, r.body).toBe(201);
}
const ids = (
  await t.db.query<{ id: string }>(
    'SELECT id FROM customers WHERE organization_id = $1 ORDER BY external_id',
    [org],
  )
).map((r) => r.id);
const note = sensitive('Květoslava asked by phone');
expect(
  (await manager.post(`/api/customers/${ids[0]}/reveal`, { reason: 'customer_request', note })).statusCode,
).toBe(200);

const badEmail = sensitive('broken@@address');
const csv = Buffer.from(
  ['id,name,email', 'c-1,Rotace Jedna,rotace.jedna@example.cz', `c-2,Rotace Dva,${badEmail}`, ''].join('\n'),
);
const importQuery = `defaultCountry=CZ&columns=${encodeURIComponent(JSON.stringify({ externalId: 'id', name: 'name', email: 'email' }))}`;
const imported = await manager.request('POST', `/api/imports?${importQuery}`, csv, {
  'content-type': 'text/csv',
});
expect(imported.statusCode, imported.body).toBe(201);
const importId = imported.json<{ id: string }>().id;

const versionsOf = async (organizationId: string) =>
  (
    await t.db.query<{ version: number }>(
      `SELECT version FROM organization_keys WHERE organization_id = $1 AND purpose = 'data' ORDER BY version`,
      [organizationId],
    )
  ).map((r) => r.version);
const wrappedKeys = async (organizationId: string) =>
  (
    await t.db.query<{ wrapped_key: Uint8Array }>(
      'SELECT wrapped_key FROM organization_keys WHERE organization_id = $1',
      [organizationId],
    )
  ).map((r) => Buffer.from(r.wrapped_key).toString('hex'));
const onVersion = async (table: string, version: number) =>
  (
    await t.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${table} WHERE organization_id = $1 AND key_version <> $2`,
      [org, version],
    )
  )[0]!.n;
const batchAudits = () =>
  t.db.query<{ data: Record<string, unknown> }>(
    `SELECT data FROM audit_events WHERE organization_id = $1 AND action = 'keys.reencrypted_batch' ORDER BY seq`,
    [org],
  );

let current: Secrets = t.config.secrets;

describe('key rotation', () => {
  const oldWrapped: string[] = [];

  it('adds a new data key version for every organization with keys, through the command', async () => {
    oldWrapped.push(...(await wrappedKeys(org)));
    expect(await versionsOf(org)).toEqual([1]);
    expect(await versionsOf(other)).toEqual([]);
    const result = await runKeysCommand({ config: t.config, db: t.db }, ['keys', 'rotate']);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`${org}  version 2`);
    expect(result.output).not.toContain(other);
    expect(await versionsOf(org)).toEqual([1, 2]);
    const status = await keyStatus(t.db);
    expect(status).toEqual([
      expect.objectContaining({
        organizationId: org,
        currentVersion: 2,
        versions: [1, 2],
        // Other sealed tables (notices: test recipients, verifications, webhook secrets, DKIM keys) hold no rows here.
        remaining: expect.objectContaining({ customers: 6, customer_reveal_notes: 1, import_errors: 1 }),
      }),
    ]);
    const shown = await runKeysCommand({ config: t.config, db: t.db }, ['keys', 'status']);
    expect(shown.output).toContain(`${org}  data key version 2 (older still held: 1)  rows to re-encrypt: 8`);
  });

  it('waits until every process knows the new version before it moves anything', async () => {
    expect(await runReencryption(deps)).toEqual({ rows: 0, batches: 0, destroyed: [] });
    expect(await onVersion('customers', 2)).toBe(6);
  });

  it('an interrupted job leaves whole batches done, audited once per batch with counts only', async () => {
    const run = await runReencryption(deps, { settleMs: 0, batchSize: 3, maxBatches: 1 });
    expect(run).toMatchObject({ rows: 3, batches: 1, destroyed: [] });
    expect(await onVersion('customers', 2)).toBe(3);
    expect(await batchAudits()).toEqual([{ data: { table: 'customers', rows: 3, dataKeyVersion: 2 } }]);
    expect(await versionsOf(org)).toEqual([1, 2]);
    // A write by a process whose keyring still caches only version 1 (the routes cache keys for 60 s).
    expect((await manager.post('/api/customers', { ...people[0], country: 'SK' })).statusCode).toBe(200);
  });

  it('a new run finishes the work, then destroys the old version: its wrapped key is gone', async () => {
    const run = await runReencryption(deps, { settleMs: 0, batchSize: 2 });
    expect(run.rows).toBeGreaterThanOrEqual(5);
    expect(run.destroyed).toEqual([{ organizationId: org, versions: [1] }]);
    for (const table of ['customers', 'customer_reveal_notes', 'import_errors'])
      expect(await onVersion(table, 2)).toBe(0);
    const audits = await batchAudits();
    expect(audits.reduce((n, a) => n + (a.data.rows as number), 0)).toBe(3 + run.rows);
    expect(JSON.stringify(audits)).not.toMatch(/Květoslava|example\.cz/);
    expect(await versionsOf(org)).toEqual([2]);
    const now = await wrappedKeys(org);
    expect(now).toHaveLength(2); // data v2 and the index key
    const dataV1 = oldWrapped.filter((w) => !now.includes(w));
    expect(dataV1).toHaveLength(1);
    const all = JSON.stringify(
      await t.db.query('SELECT encode(wrapped_key, $1) AS k FROM organization_keys', ['hex']),
    );
    expect(all).not.toContain(dataV1[0]);
    expect(await keyStatus(t.db)).toEqual([
      expect.objectContaining({
        versions: [2],
        remaining: expect.objectContaining({ customers: 0, customer_reveal_notes: 0, import_errors: 0 }),
      }),
    ]);
  });

  it('everything still opens with the keys that remain', async () => {
    // A fresh keyring (a new process) opens every customer with the keys that remain.
    const fresh = organizationKeyring(masterKeyFrom(t.config.secrets), 0);
    const names = await withOrg(t.db, org, async (tx) => {
      const keys = await fresh.get(tx, org);
      expect(keys.dataVersion).toBe(2);
      expect(() => keys.data(1)).toThrow(/No data key version 1/);
      const opened: string[] = [];
      for (const id of ids) opened.push((await openPersonal(tx, keys, id))!.personal.name!);
      return opened;
    });
    expect(names).toEqual(people.map((p) => p.name));
    // The routes' keyrings, a minute later, have let go of version 1 too.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const revealed = await manager.post(`/api/customers/${ids[1]}/reveal`, { reason: 'customer_request' });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toMatchObject({ personal: { name: people[1]!.name } });
    const errors = await legal.get(`/api/imports/${importId}/errors`);
    expect(errors.statusCode, errors.body).toBe(200);
    expect(errors.body).toContain(badEmail);
    // Nothing left to do: a run finds no work.
    vi.useRealTimers();
    expect(await runReencryption(deps, { settleMs: 0 })).toEqual({
      rows: 0,
      batches: 0,
      destroyed: [],
    });
  });

  it('keeps import fingerprints: the same file imported again is unchanged', async () => {
    const again = await manager.request('POST', `/api/imports?${importQuery}`, csv, {
      'content-type': 'text/csv',
    });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ read: 2, inserted: 0, updated: 0, unchanged: 1, rejected: 1 });
  });

  it('a replaced master key: rotate re-wraps every key and re-seals what the old one sealed', async () => {
    const totpUser = await createUser(t, other, ['viewer'], { totp: true });
    // What else the master key seals, written by the real routes: an intake webhook secret,
    // an out-of-band contact, an invitation e-mail in the outbox.
    const otherAdmin = await sessionFor(t, await createUser(t, other, ['admin'], { totp: false }));
    const intake = await otherAdmin.post('/api/organization/intake-secret');
    expect(intake.statusCode, intake.body).toBe(201);
    const intakeSecret = sensitive(intake.json<{ secret: string }>().secret);
    const contact = await otherAdmin.post('/api/contacts', {
      name: sensitive('Vlasta Záložní'),
      phone: '+420 800 100 200',
    });
    expect(contact.statusCode, contact.body).toBe(201);
    const invited = await otherAdmin.post('/api/invitations', {
      email: sensitive(`invitee-${Date.now()}@example.test`),
      roles: ['viewer'],
      locale: 'cs',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const replaced: Secrets = Object.freeze({
      ...t.config.secrets,
      masterKey: randomBytes(32),
      previousMasterKeys: [t.config.secrets.masterKey],
    });
    current = replaced;
    const report = await rotateKeys({ db: t.db, secrets: replaced });
    expect(report.rewrapped).toBe(2);
    expect(report.resealed).toMatchObject({
      'users.totp_secret': expect.any(Number),
      'organizations.intake_webhook_secret': 1,
      'oob_contacts.details': 1,
      'deliveries.payload': expect.any(Number),
    });
    expect(report.unreadable).toBe(0);
    const sealedSecret = (
      await t.db.query<{ s: Uint8Array }>(
        'SELECT intake_webhook_secret AS s FROM organizations WHERE id = $1',
        [other],
      )
    )[0]!.s;
    expect(
      open(
        deriveKey(replaced.masterKey, 'intake-webhook'),
        Buffer.from(sealedSecret),
        `intake:${other}`,
      ).toString(),
    ).toBe(intakeSecret);
    const wrappedBy = await t.db.query<{ master_key_id: string }>(
      'SELECT DISTINCT master_key_id FROM organization_keys',
    );
    expect(wrappedBy).toEqual([{ master_key_id: masterKeyId(replaced.masterKey) }]);

    // Only the new master key is needed now, for organization keys and master-derived seals alike.
    const onlyNew = organizationKeyring(masterKeyFrom({ masterKey: replaced.masterKey }), 0);
    const name = await withOrg(t.db, org, async (tx) => {
      const keys = await onlyNew.get(tx, org);
      expect(keys.dataVersion).toBe(3);
      return (await openPersonal(tx, keys, ids[2]!))!.personal.name;
    });
    expect(name).toBe(people[2]!.name);
    const sealed = (
      await t.db.query<{ totp_secret: Uint8Array }>('SELECT totp_secret FROM users WHERE id = $1', [
        totpUser.id,
      ])
    )[0]!.totp_secret;
    expect(
      open(deriveKey(replaced.masterKey, 'totp'), Buffer.from(sealed), `totp:${totpUser.id}`).toString(),
    ).toBe(totpUser.totpSecret);
    // Rotating again with the same keys re-wraps and re-seals nothing more.
    const again = await rotateKeys({ db: t.db, secrets: replaced });
    expect(again).toMatchObject({ rewrapped: 0, resealed: {}, unreadable: 0 });
  });
  it('a batch that fails midway leaves every row of it as it was', async () => {
    const run = () => runReencryption({ db: t.db, secrets: current }, { settleMs: 0, batchSize: 10 });
    const state = () =>
      t.db.query<{ external_id: string; key_version: number; personal: string }>(
        `SELECT external_id, key_version, encode(personal, 'hex') AS personal FROM customers
         WHERE organization_id = $1 ORDER BY external_id`,
        [org],
      );
    const before = await state();
    expect(new Set(before.map((r) => r.key_version))).toEqual(new Set([2]));
    const audits = (await batchAudits()).length;
    // A crash in the middle of the batch, after some rows were already re-sealed in it.
    await t.db.exec(`
      CREATE FUNCTION test_crash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.external_id = 'k-3' THEN RAISE EXCEPTION 'simulated crash'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_crash BEFORE UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION test_crash();`);
    await expect(run()).rejects.toThrow(/simulated crash/);
    expect(await state()).toEqual(before);
    expect(await batchAudits()).toHaveLength(audits);
    await t.db.exec('DROP TRIGGER test_crash ON customers; DROP FUNCTION test_crash()');
    const again = await run();
    // The second rotation above added version 4 too: both older ones go.
    expect(again.destroyed).toEqual([{ organizationId: org, versions: [2, 3] }]);
    expect(await onVersion('customers', 4)).toBe(0);
  });

  it('a row that opens under no key is left as it is, and its version kept', async () => {
    await rotateKeys({ db: t.db, secrets: current });
    const broken = ids[4]!;
    await t.db.query(`UPDATE customers SET personal = personal || '\\x00'::bytea WHERE id = $1`, [broken]);
    const run = await runReencryption({ db: t.db, secrets: current }, { settleMs: 0 });
    expect(run.rows).toBeGreaterThanOrEqual(7);
    expect(run.destroyed).toEqual([]);
    const left = await t.db.query<{ id: string; key_version: number }>(
      'SELECT id, key_version FROM customers WHERE organization_id = $1 AND key_version <> 5',
      [org],
    );
    expect(left).toEqual([{ id: broken, key_version: 4 }]);
    expect((await batchAudits()).some((a) => a.data.unreadable === 1)).toBe(true);
    expect(await keyStatus(t.db)).toEqual([
      expect.objectContaining({
        organizationId: org,
        versions: [4, 5],
        remaining: expect.objectContaining({ customers: 1 }),
      }),
    ]);
  });
});
