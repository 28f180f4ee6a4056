import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { runKeysCommand } from '../../cli/keys-commands.js';
import { open } from '../../platform/crypto.js';
import { withOrg, type Database } from '../../platform/db.js';
import { masterKeyFrom, organizationKeyring, wrapContext } from '../../platform/keys.js';

const t = await createTestApp();
const doomedName = `Doomed Shop ${Date.now().toString(36)}`;
const doomed = await createOrganization(t, { name: doomedName });
const kept = await createOrganization(t);
const doomedManager = await sessionFor(t, await createUser(t, doomed, ['incident_manager'], { totp: false }));
const keptManager = await sessionFor(t, await createUser(t, kept, ['incident_manager'], { totp: false }));

for (const [agent, prefix] of [
  [doomedManager, 'd'],
  [keptManager, 'k'],
] as const) {
  for (let i = 0; i < 3; i++) {
    const r = await agent.post('/api/customers', {
      externalId: `${prefix}-${i}`,
      name: sensitive(`Šárka Skartovaná ${prefix}${i}`),
      email: sensitive(`sarka.${prefix}${i}@example.cz`),
      country: 'CZ',
    });
    expect(r.statusCode, r.body).toBe(201);
  }
}
const importQuery = `defaultCountry=CZ&columns=${encodeURIComponent(JSON.stringify({ externalId: 'id', name: 'name', email: 'email' }))}`;
const csv = Buffer.from(`id,name,email\nd-9,${sensitive('Odmítnutá Osoba')},${sensitive('not@@valid')}\n`);
expect(
  (await doomedManager.request('POST', `/api/imports?${importQuery}`, csv, { 'content-type': 'text/csv' }))
    .statusCode,
).toBe(201);

/** Every ordinary table of every schema whose row, as text, contains one of the needles. */
async function scanTables(db: Database, needles: string[]): Promise<string[]> {
  const tables = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('information_schema') ORDER BY 1, 2`,
  );
  const found: string[] = [];
  for (const { schema, name } of tables) {
    const rows = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM "${schema}"."${name}" t WHERE strpos(t::text, ANY_NEEDLE) > 0`.replace(
        'strpos(t::text, ANY_NEEDLE) > 0',
        needles.map((_, i) => `strpos(t::text, $${i + 1}) > 0`).join(' OR '),
      ),
      needles,
    );
    if (rows[0]!.n > 0) found.push(`${schema}.${name}`);
  }
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('organization deletion (crypto-shredding)', () => {
  let wrapped: { purpose: 'data' | 'index'; version: number; bytes: Buffer }[] = [];
  let saved: { id: string; personal: Buffer; version: number };

  it('refuses without the organization’s exact name', async () => {
    wrapped = (
      await t.db.query<{ purpose: 'data' | 'index'; version: number; wrapped_key: Uint8Array }>(
        'SELECT purpose, version, wrapped_key FROM organization_keys WHERE organization_id = $1',
        [doomed],
      )
    ).map((r) => ({ purpose: r.purpose, version: r.version, bytes: Buffer.from(r.wrapped_key) }));
    expect(wrapped.map((w) => w.purpose).sort()).toEqual(['data', 'index']);
    const row = (
      await t.db.query<{ id: string; personal: Uint8Array; key_version: number }>(
        `SELECT id, personal, key_version FROM customers WHERE organization_id = $1 AND external_id = 'd-1'`,
        [doomed],
      )
    )[0]!;
    saved = { id: row.id, personal: Buffer.from(row.personal), version: row.key_version };

    const ctx = { config: t.config, db: t.db };
    const wrong = await runKeysCommand(ctx, ['org', 'delete', doomed, '--confirm', 'Some Other Shop']);
    expect(wrong).toMatchObject({ exitCode: 1 });
    expect(wrong.error).toMatch(/does not match the organization's name/);
    const usage = await runKeysCommand(ctx, ['org', 'delete', 'not-an-id', '--confirm', doomedName]);
    expect(usage.exitCode).toBe(1);
    expect(usage.error).toMatch(/^Usage: candor org delete/);
    expect(await t.db.query('SELECT 1 FROM organizations WHERE id = $1', [doomed])).toHaveLength(1);
  });

  it('destroys the keys, deletes the organization, and prints a receipt without names', async () => {
    const result = await runKeysCommand({ config: t.config, db: t.db }, [
      'org',
      'delete',
      doomed,
      '--confirm',
      doomedName,
    ]);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain(`Deleted organization ${doomed}`);
    expect(result.output).toContain('Destroyed 2 organization keys first');
    expect(result.output).toMatch(/customers: 3\n/);
    expect(result.output).not.toContain(doomedName);
    expect(result.output).not.toMatch(/Šárka/);
    for (const table of [
      'organizations',
      'organization_keys',
      'customers',
      'import_errors',
      'audit_events',
    ]) {
      const column = table === 'organizations' ? 'id' : 'organization_id';
      expect(await t.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [doomed])).toEqual([]);
    }
    // The other organization is untouched.
    const keptCustomers = await t.db.query('SELECT 1 FROM customers WHERE organization_id = $1', [kept]);
    expect(keptCustomers).toHaveLength(3);
    const other = (await keptManager.get('/api/customers')).json<
      { items?: { id: string }[] } | { id: string }[]
    >();
    const first = Array.isArray(other) ? other[0] : other.items?.[0];
    const revealed = await keptManager.post(`/api/customers/${first!.id}/reveal`, {
      reason: 'customer_request',
    });
    expect(revealed.statusCode, revealed.body).toBe(200);
  });

  it('leaves none of its wrapped keys in any table of any schema', async () => {
    const needles = wrapped.flatMap((w) => [w.bytes.toString('hex'), w.bytes.toString('base64')]);
    // The scan finds what is there: the other organization's keys are found the same way.
    const keptKey = (
      await t.db.query<{ wrapped_key: Uint8Array }>(
        'SELECT wrapped_key FROM organization_keys WHERE organization_id = $1',
        [kept],
      )
    )[0]!;
    expect(await scanTables(t.db, [Buffer.from(keptKey.wrapped_key).toString('hex')])).toContain(
      'public.organization_keys',
    );
    expect(await scanTables(t.db, needles)).toEqual([]);
  });

  it.runIf(t.db.kind === 'embedded')(
    'leaves none of its wrapped keys in the embedded database’s files',
    async () => {
      const dir = t.db.pglite!.dataDir!;
      const files = filesUnder(dir);
      expect(files.length).toBeGreaterThan(100);
      const hits = files.filter((file) => {
        const bytes = readFileSync(file);
        return wrapped.some((w) => bytes.includes(w.bytes));
      });
      expect(hits.map((f) => path.relative(dir, f))).toEqual([]);
    },
  );

  it('its leftover ciphertext opens with nothing the keyring can still produce', async () => {
    const keyring = organizationKeyring(masterKeyFrom(t.config.secrets), 0);
    // Its organization is gone: the keyring cannot even create a key for it.
    await expect(withOrg(t.db, doomed, (tx) => keyring.get(tx, doomed), { system: true })).rejects.toThrow();
    // Re-created under the same id, it gets fresh keys that do not open the old ciphertext.
    await withOrg(t.db, doomed, (tx) =>
      tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [doomed, 'Reborn Shop']),
    );
    const fresh = await withOrg(t.db, doomed, (tx) => keyring.get(tx, doomed), { system: true });
    expect(() => open(fresh.data(fresh.dataVersion), saved.personal, `customer:${saved.id}`)).toThrow();
    // No wrapped key left in the database unwraps as one of the old organization's keys.
    const master = masterKeyFrom(t.config.secrets);
    const remaining = await t.db.query<{ wrapped_key: Uint8Array; master_key_id: string }>(
      'SELECT wrapped_key, master_key_id FROM organization_keys',
    );
    for (const r of remaining) {
      for (const w of wrapped) {
        await expect(
          master
            .unwrap(Buffer.from(r.wrapped_key), r.master_key_id, wrapContext(doomed, w.purpose, w.version))
            .then((key) => open(key, saved.personal, `customer:${saved.id}`)),
        ).rejects.toThrow();
      }
    }
  });
});
