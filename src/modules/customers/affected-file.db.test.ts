import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { localMasterKey, organizationKeyring } from '../../platform/keys.js';
import { upsertCustomer, type CustomerInput } from './customer-repo.js';

const t = await createTestApp();
const org = await createOrganization(t);
const managerUser = await createUser(t, org, ['incident_manager'], { totp: false });
const manager = await sessionFor(t, managerUser);
const keyring = organizationKeyring(localMasterKey(t.config.secrets.masterKey));

const people = {
  jana: { name: sensitive('Jana Nováková'), email: sensitive('jana.novakova@example.cz') },
  karel: { name: sensitive('Karel Dvořák'), email: sensitive('karel.dvorak@example.cz') },
  unknown: sensitive('nikdo@example.cz'),
};

const customer = (externalId: string, name: string | null, email: string | null, region: string) =>
  ({
    externalId,
    personal: { name, email, phone: null, address: null, attributes: {} },
    language: 'cs',
    timeZone: null,
    country: region.slice(0, 2),
    region,
    tags: [],
    attributes: {},
    consent: { email: true, sms: false, webhook: false },
  }) satisfies CustomerInput;

const ids = await withOrg(t.db, org, async (tx) => {
  const keys = await keyring.get(tx, org);
  const add = async (i: CustomerInput) => (await upsertCustomer(tx, keys, org, i)).customer.id;
  return {
    jana: await add(customer('k-1', people.jana.name, people.jana.email, 'CZ-10')),
    karel: await add(customer('k-2', people.karel.name, people.karel.email, 'CZ-20')),
    petr: await add(customer('k-3', null, null, 'CZ-20')),
  };
});

const send = (agent: typeof manager, incidentId: string, body: string | Buffer, q = '') =>
  agent.request(
    'POST',
    `/api/incidents/${incidentId}/affected-customers/by-file${q}`,
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    { 'content-type': 'text/csv' },
  );

interface FileResult {
  read: number;
  matched: number;
  rejected: number;
  unmatched: number;
  added: number;
  updated: number;
  problems: { line: number; column: string | null; reason: string }[];
  counts: {
    total: number;
    byRegion: { region: string; count: number }[];
    byCategory: { category: string; count: number }[];
  };
}

describe('marking affected customers by an uploaded file', () => {
  it('reads a CSV with a header, marks by external id and e-mail, and accounts for every row by line', async () => {
    const incident = await createIncident(t, org, { dataCategories: ['contact_details'] }, managerUser);
    const file = [
      'Customer ID;E-mail;Categories',
      'k-1;;contact_details|payment_card',
      `;${people.karel.email.toUpperCase()};credentials`,
      'k-404;;contact_details',
      `;${people.unknown};`,
      ';;contact_details',
      'k-3;;passwords',
      ';not-an-address@;contact_details',
      'k-3;;contact_details;extra',
      '',
      'k-1;;credentials',
      '',
    ].join('\r\n');
    const response = await send(manager, incident.id, `\uFEFF${file}`, '?categories=location');
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json<FileResult>();
    expect(result).toMatchObject({ read: 9, matched: 3, rejected: 4, unmatched: 2, added: 2 });
    expect(result.read).toBe(result.matched + result.rejected + result.unmatched);
    expect(result.problems).toEqual([
      { line: 4, column: null, reason: 'not_found' },
      { line: 5, column: null, reason: 'not_found' },
      { line: 6, column: null, reason: 'no_identifier' },
      { line: 7, column: 'Categories', reason: 'invalid_category' },
      { line: 8, column: null, reason: 'invalid_email' },
      { line: 9, column: null, reason: 'too_many_columns' },
    ]);
    expect(result.counts.total).toBe(2);
    expect(result.counts.byRegion).toEqual([
      { region: 'CZ-10', count: 1 },
      { region: 'CZ-20', count: 1 },
    ]);
    expect(result.counts.byCategory).toEqual([
      { category: 'contact_details', count: 1 },
      { category: 'credentials', count: 2 },
      { category: 'payment_card', count: 1 },
    ]);
    const list = await manager.get(`/api/incidents/${incident.id}/affected-customers`);
    const rows = list.json<{ customer: { id: string }; dataCategories: string[]; source: string }[]>();
    expect(rows.map((r) => [r.customer.id, r.dataCategories, r.source])).toEqual([
      [ids.jana, ['contact_details', 'credentials', 'payment_card'], 'file'],
      [ids.karel, ['credentials'], 'file'],
    ]);
    // No e-mail address or name reached the timeline, the audit log or the server's log.
    const stored =
      JSON.stringify(await t.db.query('SELECT data FROM audit_events WHERE organization_id = $1', [org])) +
      JSON.stringify(
        await t.db.query('SELECT data FROM incident_events WHERE incident_id = $1', [incident.id]),
      );
    for (const value of [
      people.jana.email,
      people.karel.email,
      people.unknown,
      people.karel.email.toUpperCase(),
    ])
      expect(stored).not.toContain(value);
    const events = await t.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'affected_customers_marked'",
      [incident.id],
    );
    expect(events[0]!.data).toMatchObject({ source: 'file', added: 2, unmatched: 2, rejected: 4, total: 2 });
  });

  it('reads a plain list, one identifier per line, with the categories given for the upload', async () => {
    const incident = await createIncident(t, org, {}, managerUser);
    const response = await send(
      manager,
      incident.id,
      `k-3\n${people.jana.email}\n"k-2",payment_card\nk-999\n`,
      '?categories=contact_details,location',
    );
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json<FileResult>();
    expect(result).toMatchObject({ read: 4, matched: 3, rejected: 0, unmatched: 1, added: 3 });
    expect(result.problems).toEqual([{ line: 4, column: null, reason: 'not_found' }]);
    expect(result.counts.byCategory).toEqual([
      { category: 'contact_details', count: 2 },
      { category: 'location', count: 2 },
      { category: 'payment_card', count: 1 },
    ]);
  });

  it('a row without categories and no categories for the upload is rejected, not guessed', async () => {
    const incident = await createIncident(t, org, {}, managerUser);
    const result = (await send(manager, incident.id, 'k-1\nk-2,other\n')).json<FileResult>();
    expect(result).toMatchObject({ read: 2, matched: 1, rejected: 1 });
    expect(result.problems).toEqual([{ line: 1, column: null, reason: 'no_categories' }]);
  });

  it('refuses a binary file, a non-UTF-8 file, an empty file and bad categories for the upload, by name', async () => {
    const incident = await createIncident(t, org, {}, managerUser);
    const binary = await send(manager, incident.id, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0x14, 0]));
    expect(binary.statusCode).toBe(400);
    expect(binary.body).toContain('not text');
    const latin = await send(manager, incident.id, Buffer.from('k-1;Jiří\n', 'latin1'));
    expect(latin.statusCode).toBe(400);
    expect(latin.body).toContain('UTF-8');
    const empty = await send(manager, incident.id, '\n\n');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('empty');
    const categories = await send(manager, incident.id, 'k-1\n', '?categories=contact_details,secrets');
    expect(categories.statusCode).toBe(400);
    expect(categories.body).toContain('categories');
    const json = await manager.post(`/api/incidents/${incident.id}/affected-customers/by-file`, { rows: [] });
    expect(json.statusCode).toBe(400);
    const counts = await manager.get(`/api/incidents/${incident.id}/affected-customers/counts`);
    expect(counts.json<{ total: number }>().total).toBe(0);
  });

  it('is for those who may mark affected customers, on incidents they can see', async () => {
    const incident = await createIncident(t, org, {}, managerUser);
    for (const role of ['legal', 'viewer', 'communications'] as const) {
      const agent = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      expect((await send(agent, incident.id, 'k-1\n', '?categories=other')).statusCode, role).toBe(403);
    }
    const missing = await send(manager, '00000000-0000-4000-8000-000000000000', 'k-1\n', '?categories=other');
    expect(missing.statusCode).toBe(404);
  });
});

describe('erasing a customer marked affected', () => {
  it('counts the incident again without them, on the jurisdictions and the timeline', async () => {
    const gone = await withOrg(t.db, org, async (tx) => {
      const keys = await keyring.get(tx, org);
      return (await upsertCustomer(tx, keys, org, customer('k-gone', null, null, 'CZ-10'))).customer.id;
    });
    const incident = await createIncident(t, org, {}, managerUser);
    const marked = await send(manager, incident.id, 'k-1\nk-gone\n', '?categories=contact_details');
    expect(marked.json<FileResult>().counts.total).toBe(2);

    expect((await manager.delete(`/api/customers/${gone}`)).statusCode).toBe(204);
    const counts = await manager.get(`/api/incidents/${incident.id}/affected-customers/counts`);
    expect(counts.json<FileResult['counts']>()).toMatchObject({
      total: 1,
      byRegion: [{ region: 'CZ-10', count: 1 }],
    });
    const view = await manager.get(`/api/incidents/${incident.id}`);
    expect(
      view.json<{ jurisdictions: { code: string; countedAffected: number | null }[] }>().jurisdictions,
    ).toEqual([expect.objectContaining({ code: 'CZ-10', countedAffected: 1 })]);
    const events = await t.db.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'affected_customers_removed'",
      [incident.id],
    );
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ removed: 1, total: 1 })]);
  });
});
