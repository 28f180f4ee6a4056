import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { randomBytes } from 'node:crypto';
import { localMasterKey, organizationKeyring, rewrapOrganizationKeys } from '../../platform/keys.js';
import { normalizeEmail, normalizePhone } from './customer-repo.js';
import type { CustomerView } from './customer-schemas.js';

const t = await createTestApp();
const org = await createOrganization(t);
const managerUser = await createUser(t, org, ['incident_manager'], { totp: false });
const manager = await sessionFor(t, managerUser);

const jana = {
  name: sensitive('Jana Nováková'),
  email: sensitive('Jana.Novakova@Example.CZ'),
  phone: sensitive('+420 601 234 567'),
  street: sensitive('Vinohradská 1789/12'),
  passport: sensitive('CZ-PASS-99887766'),
};

async function upsert(body: Record<string, unknown>, agent = manager) {
  return agent.post('/api/customers', body);
}

const created = await upsert({
  externalId: 'cust-001',
  name: jana.name,
  email: jana.email,
  phone: jana.phone,
  address: { lines: [jana.street], locality: 'Praha', postalCode: '120 00', region: '', country: 'Czechia' },
  personalAttributes: { passport: jana.passport },
  language: 'cs',
  timeZone: 'Europe/Prague',
  country: 'CZ',
  region: 'CZ-10',
  tags: ['loyalty', 'eshop'],
  attributes: { plan: 'gold' },
  consent: { email: true, sms: false, webhook: false },
});
expect(created.statusCode, created.body).toBe(201);
const customer = created.json<CustomerView>();

const auditOf = (action: string) =>
  t.db.query<{ actor_type: string; actor_id: string; target_id: string; data: Record<string, unknown> }>(
    'SELECT actor_type, actor_id, target_id, data FROM audit_events WHERE organization_id = $1 AND action = $2 ORDER BY seq',
    [org, action],
  );

describe('customer vault', () => {
  it('normalizes e-mail addresses and phone numbers for the blind indexes', () => {
    expect(normalizeEmail(' Jana.Novakova@Example.CZ ')).toBe('jana.novakova@example.cz');
    expect(normalizeEmail('Petr@Příklad.CZ')).toMatch(/^petr@xn--[a-z0-9-]+\.cz$/);
    expect(normalizeEmail('no-at-sign')).toBeUndefined();
    expect(normalizePhone('+420 (601) 234-567')).toBe('+420601234567');
    expect(normalizePhone('+٩٦٦ ١١ ٢٣٤ ٥٦٧٨')).toBe('+966112345678');
    expect(normalizePhone('601 234 567')).toBeUndefined();
  });

  it('upserts by external id and lists clear fields only', async () => {
    expect(customer).toMatchObject({
      externalId: 'cust-001',
      country: 'CZ',
      region: 'CZ-10',
      language: 'cs',
    });
    expect(JSON.stringify(customer)).not.toContain('Nov');
    const again = await upsert({ externalId: 'cust-001', name: jana.name, email: jana.email, country: 'SK' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<CustomerView>()).toMatchObject({ id: customer.id, country: 'SK', tags: [] });
    // Back to the full record for the tests below.
    await upsert({
      externalId: 'cust-001',
      name: jana.name,
      email: jana.email,
      phone: jana.phone,
      personalAttributes: { passport: jana.passport },
      country: 'CZ',
      region: 'CZ-10',
    });
    const list = await manager.get('/api/customers');
    expect(list.statusCode).toBe(200);
    const body = list.body;
    for (const value of Object.values(jana)) expect(body).not.toContain(value);
    expect(list.json<CustomerView[]>().map((c) => c.id)).toEqual([customer.id]);
    // Paging and filters come as query-string text.
    const paged = await manager.get('/api/customers?limit=1&country=CZ');
    expect(paged.statusCode, paged.body).toBe(200);
    expect(paged.json<CustomerView[]>().map((c) => c.id)).toEqual([customer.id]);
    expect((await manager.get('/api/customers?limit=1&after=cust-001')).json()).toEqual([]);
    expect((await manager.get('/api/customers?limit=0')).statusCode).toBe(400);
    expect((await upsert({ externalId: 'bad', email: 'not an address' })).statusCode).toBe(400);
    expect((await upsert({ externalId: 'bad', phone: '12345' })).statusCode).toBe(400);
    expect((await upsert({ externalId: 'bad', country: 'CZ', region: 'SK-BL' })).statusCode).toBe(400);
    expect((await upsert({ externalId: 'bad', timeZone: 'Mars/Olympus' })).statusCode).toBe(400);
  });

  it('keeps personal fields and keys only as ciphertext in the database', async () => {
    const rows = await t.db.query<Record<string, unknown>>('SELECT * FROM customers WHERE id = $1', [
      customer.id,
    ]);
    const raw = JSON.stringify(rows[0], (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    for (const value of [...Object.values(jana), 'jana.novakova@example.cz', '+420601234567', 'Praha'])
      expect(raw).not.toContain(value);
    const keys = await t.db.query<{ wrapped_key: Uint8Array; purpose: string }>(
      'SELECT purpose, wrapped_key FROM organization_keys WHERE organization_id = $1 ORDER BY purpose',
      [org],
    );
    expect(keys.map((k) => k.purpose)).toEqual(['data', 'index']);
    // The wrapped key is not the key: the keyring's unwrapped key differs from what is stored.
    const keyring = organizationKeyring(localMasterKey(t.config.secrets.masterKey));
    const plain = await withOrg(t.db, org, (tx) => keyring.get(tx, org));
    const stored = Buffer.from(keys[0]!.wrapped_key);
    expect(stored.includes(plain.data(1))).toBe(false);
    expect(stored.includes(plain.index)).toBe(false);
  });

  it('re-wraps organization keys under a new master key without changing them', async () => {
    const old = t.config.secrets.masterKey;
    const before = await withOrg(t.db, org, (tx) => organizationKeyring(localMasterKey(old)).get(tx, org));
    const next = randomBytes(32);
    const rewrapped = await t.db.transaction((tx) => rewrapOrganizationKeys(tx, localMasterKey(next, [old])));
    expect(rewrapped).toBeGreaterThanOrEqual(2);
    const after = await withOrg(t.db, org, (tx) => organizationKeyring(localMasterKey(next)).get(tx, org));
    expect(after.data(1).equals(before.data(1))).toBe(true);
    expect(after.index.equals(before.index)).toBe(true);
    // The old master key alone no longer opens them; wrapping back restores the test install.
    await expect(
      withOrg(t.db, org, (tx) => organizationKeyring(localMasterKey(old)).get(tx, org)),
    ).rejects.toThrow(/not configured/);
    await t.db.transaction((tx) => rewrapOrganizationKeys(tx, localMasterKey(old, [next])));
  });

  it('finds a customer by exact e-mail or phone through the blind index', async () => {
    const byEmail = await manager.post('/api/customers/search', { email: 'jana.novakova@EXAMPLE.cz' });
    expect(byEmail.statusCode, byEmail.body).toBe(200);
    expect(byEmail.json<CustomerView[]>().map((c) => c.id)).toEqual([customer.id]);
    const byPhone = await manager.post('/api/customers/search', { phone: '+420601234567' });
    expect(byPhone.json<CustomerView[]>().map((c) => c.id)).toEqual([customer.id]);
    const none = await manager.post('/api/customers/search', { email: 'someone.else@example.cz' });
    expect(none.json()).toEqual([]);
    expect((await manager.post('/api/customers/search', {})).statusCode).toBe(400);
    // The index holds a keyed hash, not the normalized value.
    const idx = await t.db.query<{ email_index: string }>('SELECT email_index FROM customers WHERE id = $1', [
      customer.id,
    ]);
    expect(idx[0]!.email_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('reveals personal fields only with a reason, and audits who, which customer and why', async () => {
    const noReason = await manager.post(`/api/customers/${customer.id}/reveal`, {});
    expect(noReason.statusCode).toBe(400);
    const badReason = await manager.post(`/api/customers/${customer.id}/reveal`, { reason: 'curiosity' });
    expect(badReason.statusCode).toBe(400);
    expect(await auditOf('customer.revealed')).toEqual([]);

    const note = sensitive('Jana Nováková called about her order');
    const revealed = await manager.post(`/api/customers/${customer.id}/reveal`, {
      reason: 'customer_request',
      note,
    });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toMatchObject({
      customer: { id: customer.id },
      personal: {
        name: jana.name,
        email: 'jana.novakova@example.cz',
        phone: '+420601234567',
        attributes: { passport: jana.passport },
      },
    });
    expect(revealed.headers['cache-control']).toBe('no-store');
    const events = await auditOf('customer.revealed');
    expect(events).toEqual([
      {
        actor_type: 'user',
        actor_id: managerUser.id,
        target_id: customer.id,
        data: { reason: 'customer_request', noteLength: note.length },
      },
    ]);
    const notes = await t.db.query<{ note: Uint8Array }>('SELECT note FROM customer_reveal_notes');
    expect(notes).toHaveLength(1);
    expect(Buffer.from(notes[0]!.note).toString('latin1')).not.toContain('called');
    const auditRaw = JSON.stringify(
      await t.db.query('SELECT data FROM audit_events WHERE organization_id = $1', [org]),
    );
    for (const value of [...Object.values(jana), note]) expect(auditRaw).not.toContain(value);

    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    expect(
      (await legal.post(`/api/customers/${customer.id}/reveal`, { reason: 'data_subject_request' }))
        .statusCode,
    ).toBe(200);
  });

  it('refuses reveals and changes to viewer, support and communications', async () => {
    for (const role of ['viewer', 'support', 'communications'] as const) {
      const agent = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      const response = await agent.post(`/api/customers/${customer.id}/reveal`, {
        reason: 'customer_request',
      });
      expect(response.statusCode, role).toBe(403);
      expect((await agent.get('/api/customers')).statusCode, role).toBe(403);
      expect((await agent.post('/api/customers', { externalId: 'x' })).statusCode, role).toBe(403);
    }
    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    expect((await legal.post('/api/customers', { externalId: 'x' })).statusCode).toBe(403);
    expect((await legal.delete(`/api/customers/${customer.id}`)).statusCode).toBe(403);
  });

  it("never shows another organization's customers", async () => {
    const other = await createOrganization(t);
    const foreign = await sessionFor(t, await createUser(t, other, ['admin'], { totp: false }));
    expect((await foreign.get('/api/customers')).json()).toEqual([]);
    expect((await foreign.get(`/api/customers/${customer.id}`)).statusCode).toBe(404);
    expect(
      (await foreign.post(`/api/customers/${customer.id}/reveal`, { reason: 'customer_request' })).statusCode,
    ).toBe(404);
    expect((await foreign.post('/api/customers/search', { email: jana.email })).json()).toEqual([]);
    expect((await foreign.delete(`/api/customers/${customer.id}`)).statusCode).toBe(404);
    // The same external id in another organization is another customer, under another key.
    const theirs = await upsert({ externalId: 'cust-001', email: jana.email }, foreign);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json<CustomerView>().id).not.toBe(customer.id);
    const indexes = await t.db.query<{ email_index: string }>(
      "SELECT email_index FROM customers WHERE external_id = 'cust-001' ORDER BY organization_id",
    );
    expect(new Set(indexes.map((r) => r.email_index)).size).toBe(2);
  });

  it('erases a customer on delete, with their sealed reveal notes', async () => {
    const response = await manager.delete(`/api/customers/${customer.id}`);
    expect(response.statusCode).toBe(204);
    expect(await t.db.query('SELECT id FROM customers WHERE id = $1', [customer.id])).toEqual([]);
    expect(
      await t.db.query('SELECT audit_seq FROM customer_reveal_notes WHERE customer_id = $1', [customer.id]),
    ).toEqual([]);
    expect((await manager.get(`/api/customers/${customer.id}`)).statusCode).toBe(404);
    expect((await manager.delete(`/api/customers/${customer.id}`)).statusCode).toBe(404);
    expect((await auditOf('customer.deleted')).map((e) => e.target_id)).toEqual([customer.id]);
  });
});
