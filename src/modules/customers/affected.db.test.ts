import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { runCommand } from '../../cli/commands.js';
import { withOrg } from '../../platform/db.js';
import { localMasterKey, organizationKeyring } from '../../platform/keys.js';
import type { ClockView } from '../deadlines/deadline-schemas.js';
import { upsertCustomer, type CustomerInput } from './customer-repo.js';

const t = await createTestApp();
const org = await createOrganization(t);
const managerUser = await createUser(t, org, ['incident_manager'], { totp: false });
const manager = await sessionFor(t, managerUser);
const keyring = organizationKeyring(localMasterKey(t.config.secrets.masterKey));

const profile = await (
  await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }))
).request('PUT', '/api/organization/deadline-profile', {
  leadAuthority: 'CZ',
  secRegistrant: false,
  hipaaCovered: false,
  nis2Entity: false,
  czRegulated: false,
});
expect(profile.statusCode, profile.body).toBe(200);

const people = {
  ann: { name: sensitive('Ann Whitfield'), email: sensitive('ann.whitfield@example.com') },
  bob: { name: sensitive('Bob Okafor'), email: sensitive('Bob.Okafor@Example.com') },
  eva: { name: sensitive('Eva Dvořáková'), email: sensitive('eva.dvorakova@example.cz') },
};

function input(externalId: string, fields: Partial<CustomerInput> & { name?: string; email?: string }) {
  return {
    externalId,
    personal: {
      name: fields.name ?? null,
      email: fields.email ?? null,
      phone: null,
      address: null,
      attributes: {},
    },
    language: fields.language ?? null,
    timeZone: null,
    country: fields.country ?? null,
    region: fields.region ?? null,
    tags: fields.tags ?? [],
    attributes: {},
    consent: { email: true, sms: false, webhook: false },
  } satisfies CustomerInput;
}

const ids = await withOrg(t.db, org, async (tx) => {
  const keys = await keyring.get(tx, org);
  const add = async (i: CustomerInput) => (await upsertCustomer(tx, keys, org, i)).customer.id;
  return {
    ann: await add(
      input('a-1', { ...people.ann, email: 'ann.whitfield@example.com', country: 'US', region: 'US-CA' }),
    ),
    bob: await add(
      input('a-2', { ...people.bob, email: 'bob.okafor@example.com', country: 'US', region: 'US-CA' }),
    ),
    eva: await add(
      input('a-3', {
        ...people.eva,
        country: 'CZ',
        region: 'CZ-10',
        language: 'cs-CZ',
        tags: ['eshop', 'loyalty'],
      }),
    ),
    sk: await add(input('a-4', { country: 'SK', language: 'sk', tags: ['eshop'] })),
    none: await add(input('a-5', {})),
  };
});

interface Counts {
  total: number;
  byCountry: { country: string | null; count: number }[];
  byRegion: { region: string; count: number }[];
  byCategory: { category: string; count: number }[];
  byJurisdiction: { code: string; count: number }[];
}

async function jurisdictionsOf(incidentId: string) {
  const r = await manager.get(`/api/incidents/${incidentId}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{
    jurisdictions: { code: string; estimatedAffected: number | null; countedAffected: number | null }[];
  }>().jurisdictions;
}

async function clock(incidentId: string, ruleId: string) {
  const r = await manager.get(`/api/incidents/${incidentId}/clocks`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{ clocks: ClockView[] }>().clocks.find((c) => c.ruleId === ruleId);
}

describe('affected customers of an incident', () => {
  it('marks by a list of external ids and e-mails, reporting every row that matches nothing', async () => {
    const incident = await createIncident(
      t,
      org,
      { dataCategories: ['contact_details'], jurisdictions: [{ code: 'CZ', estimatedAffected: 1200 }] },
      managerUser,
    );
    const url = `/api/incidents/${incident.id}/affected-customers`;
    const unknownEmail = sensitive('nobody.known@example.com');
    const marked = await manager.post(`${url}/by-list`, {
      rows: [
        { externalId: 'a-1', categories: ['contact_details'] },
        { email: people.bob.email, categories: ['payment_card'] },
        { externalId: 'missing-9', categories: ['contact_details'] },
        { email: 'not an address', categories: ['contact_details'] },
        { email: unknownEmail, categories: ['contact_details'] },
        { categories: ['contact_details'] },
        { externalId: 'a-1', categories: ['credentials'] },
      ],
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const result = marked.json<{ added: number; updated: number; unmatched: unknown[]; counts: Counts }>();
    expect(result.added).toBe(2);
    expect(result.unmatched).toEqual([
      { position: 3, reason: 'not_found' },
      { position: 4, reason: 'invalid_email' },
      { position: 5, reason: 'not_found' },
      { position: 6, reason: 'no_identifier' },
    ]);
    expect(result.counts).toEqual({
      total: 2,
      byCountry: [{ country: 'US', count: 2 }],
      byRegion: [{ region: 'US-CA', count: 2 }],
      byCategory: [
        { category: 'contact_details', count: 1 },
        { category: 'credentials', count: 1 },
        { category: 'payment_card', count: 1 },
      ],
      byJurisdiction: [{ code: 'US-CA', count: 2 }],
    });
    // The counts replace the estimates; the missing jurisdiction is added.
    expect(await jurisdictionsOf(incident.id)).toEqual([
      { code: 'CZ', estimatedAffected: 1200, countedAffected: 0 },
      { code: 'US-CA', estimatedAffected: null, countedAffected: 2 },
    ]);

    const list = await manager.get(url);
    expect(list.statusCode, list.body).toBe(200);
    const rows = list.json<{ customer: { id: string }; dataCategories: string[]; source: string }[]>();
    expect(rows.map((r) => [r.customer.id, r.dataCategories, r.source])).toEqual([
      [ids.ann, ['contact_details', 'credentials'], 'file'],
      [ids.bob, ['payment_card'], 'file'],
    ]);
    for (const value of [...Object.values(people.ann), ...Object.values(people.bob)])
      expect(list.body).not.toContain(value);
    const found = await manager.post(`${url}/search`, { email: 'ANN.whitfield@example.com' });
    expect(found.json<{ customer: { id: string } }[]>().map((r) => r.customer.id)).toEqual([ids.ann]);
    expect((await manager.post(`${url}/search`, { email: people.eva.email })).json()).toEqual([]);
    const byCategory = await manager.get(`${url}?category=payment_card`);
    expect(byCategory.json<{ customer: { id: string } }[]>().map((r) => r.customer.id)).toEqual([ids.bob]);

    // The timeline and the audit log hold counts only.
    const events = await t.db.query<{ data: unknown }>(
      "SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'affected_customers_marked'",
      [incident.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ source: 'file', added: 2, unmatched: 4, total: 2 });
    const raw =
      JSON.stringify(await t.db.query('SELECT data FROM audit_events WHERE organization_id = $1', [org])) +
      JSON.stringify(events);
    for (const value of [...Object.values(people.ann), ...Object.values(people.bob), unknownEmail])
      expect(raw).not.toContain(value);
  });

  it('marks by a segment of clear fields and all customers, counting per country, region and category', async () => {
    const incident = await createIncident(t, org, { dataCategories: ['contact_details'] }, managerUser);
    const url = `/api/incidents/${incident.id}/affected-customers`;
    expect((await manager.post(`${url}/by-segment`, { segment: {}, categories: ['other'] })).statusCode).toBe(
      400,
    );
    const segment = await manager.post(`${url}/by-segment`, {
      segment: { tags: ['eshop'] },
      categories: ['payment_card'],
    });
    expect(segment.statusCode, segment.body).toBe(200);
    expect(segment.json<{ added: number }>().added).toBe(2);
    const czech = await manager.post(`${url}/by-segment`, {
      segment: { language: 'cs', country: 'CZ' },
      categories: ['location'],
    });
    expect(czech.json()).toMatchObject({ added: 0, updated: 1 });
    const all = await manager.post(`${url}/all`, { categories: ['contact_details'] });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toMatchObject({ added: 3, updated: 2, unmatched: [] });
    const counts = (await manager.get(`${url}/counts`)).json<Counts>();
    expect(counts).toEqual({
      total: 5,
      byCountry: [
        { country: 'CZ', count: 1 },
        { country: 'SK', count: 1 },
        { country: 'US', count: 2 },
        { country: null, count: 1 },
      ],
      byRegion: [
        { region: 'CZ-10', count: 1 },
        { region: 'US-CA', count: 2 },
      ],
      byCategory: [
        { category: 'contact_details', count: 5 },
        { category: 'location', count: 1 },
        { category: 'payment_card', count: 2 },
      ],
      byJurisdiction: [
        { code: 'CZ-10', count: 1 },
        { code: 'SK', count: 1 },
        { code: 'US-CA', count: 2 },
      ],
    });
    const sources = (await manager.get(url)).json<{ customer: { externalId: string }; source: string }[]>();
    expect(sources.map((r) => [r.customer.externalId, r.source])).toEqual([
      ['a-1', 'all'],
      ['a-2', 'all'],
      ['a-3', 'segment'],
      ['a-4', 'segment'],
      ['a-5', 'all'],
    ]);
    // An exercise incident may mark customers too: nothing is sent from here.
    const drill = await createIncident(t, org, { isExercise: true, dataCategories: ['other'] }, managerUser);
    const drilled = await manager.post(`/api/incidents/${drill.id}/affected-customers/all`, {
      categories: ['other'],
    });
    expect(drilled.json()).toMatchObject({ added: 5 });
  });

  it('counted numbers replace the estimate, and the California over-500 clock follows them', async () => {
    const incident = await createIncident(
      t,
      org,
      {
        dataCategories: ['contact_details'],
        moments: { aware: new Date().toISOString() },
        jurisdictions: [{ code: 'US-CA', estimatedAffected: 600 }],
      },
      managerUser,
    );
    const url = `/api/incidents/${incident.id}/affected-customers`;
    expect((await clock(incident.id, 'ca_attorney_general'))!.state).not.toBe('not_applicable');

    await manager.post(`${url}/by-list`, {
      rows: [
        { externalId: 'a-1', categories: ['contact_details'] },
        { externalId: 'a-2', categories: ['contact_details'] },
      ],
    });
    expect(await jurisdictionsOf(incident.id)).toEqual([
      { code: 'US-CA', estimatedAffected: 600, countedAffected: 2 },
    ]);
    expect(await clock(incident.id, 'ca_attorney_general')).toMatchObject({
      state: 'not_applicable',
      reasonKey: 'deadline.reason.threshold_not_met',
    });

    // 500 more Californians: 502 counted, over the threshold.
    await withOrg(t.db, org, (tx) =>
      tx.query(
        `INSERT INTO customers (id, organization_id, external_id, personal, key_version, country, region)
         SELECT gen_random_uuid(), $1, 'ca-' || n, $2, 1, 'US', 'US-CA' FROM generate_series(1, 500) AS n`,
        [org, randomBytes(40)],
      ),
    );
    const bulk = await manager.post(`${url}/by-segment`, {
      segment: { region: 'US-CA' },
      categories: ['contact_details'],
    });
    expect(bulk.json()).toMatchObject({ added: 500, updated: 2 });
    expect((await jurisdictionsOf(incident.id))[0]!.countedAffected).toBe(502);
    expect((await clock(incident.id, 'ca_attorney_general'))!.state).not.toBe('not_applicable');

    // Two removed: 500 is not over 500.
    const removed = await manager.post(`${url}/remove`, { customerIds: [ids.ann, ids.bob, randomUUID()] });
    expect(removed.json()).toMatchObject({ removed: 2, counts: { total: 500 } });
    expect(await clock(incident.id, 'ca_attorney_general')).toMatchObject({
      state: 'not_applicable',
      reasonKey: 'deadline.reason.threshold_not_met',
    });
    await withOrg(t.db, org, (tx) => tx.query("DELETE FROM customers WHERE external_id LIKE 'ca-%'"));
    // Nobody left affected: the estimate applies again.
    await manager.post(`${url}/remove`, { customerIds: [ids.eva] });
    expect(await jurisdictionsOf(incident.id)).toEqual([
      { code: 'US-CA', estimatedAffected: 600, countedAffected: null },
    ]);
    expect((await clock(incident.id, 'ca_attorney_general'))!.state).not.toBe('not_applicable');
  });

  it("the categories the affected customers had exposed reach the incident's facts and start the clocks they concern", async () => {
    const incident = await createIncident(
      t,
      org,
      { dataCategories: ['contact_details'], moments: { detected: new Date().toISOString() } },
      managerUser,
    );
    const url = `/api/incidents/${incident.id}/affected-customers`;
    expect(await clock(incident.id, 'pci_visa')).toMatchObject({ state: 'not_applicable' });

    // Bob's card number was exposed: marked by a list, as a file import would.
    const marked = await manager.post(`${url}/by-list`, {
      rows: [
        { externalId: 'a-1', categories: ['contact_details'] },
        { externalId: 'a-2', categories: ['contact_details', 'payment_card'] },
      ],
    });
    expect(marked.statusCode, marked.body).toBe(200);
    const facts = (await manager.get(`/api/incidents/${incident.id}`)).json<{ dataCategories: string[] }>();
    expect(facts.dataCategories).toEqual(['contact_details', 'payment_card']);
    expect((await clock(incident.id, 'pci_visa'))!.state).not.toBe('not_applicable');
    const timeline = (await manager.get(`/api/incidents/${incident.id}/timeline`)).json<
      { kind: string; data: Record<string, unknown> }[]
    >();
    expect(timeline.find((e) => e.kind === 'affected_customers_marked')?.data).toMatchObject({
      dataCategoriesAdded: ['payment_card'],
    });

    // Removing Bob does not un-expose the card numbers: the fact and its clock stay.
    await manager.post(`${url}/remove`, { customerIds: [ids.bob] });
    expect(
      (await manager.get(`/api/incidents/${incident.id}`)).json<{ dataCategories: string[] }>()
        .dataCategories,
    ).toEqual(['contact_details', 'payment_card']);
    expect((await clock(incident.id, 'pci_visa'))!.state).not.toBe('not_applicable');
  });

  it("hides a restricted incident's affected customers from non-members", async () => {
    const incident = await createIncident(t, org, { restricted: true }, managerUser);
    const url = `/api/incidents/${incident.id}/affected-customers`;
    expect((await manager.post(`${url}/all`, { categories: ['other'] })).statusCode).toBe(200);
    expect((await manager.get(url)).json()).toHaveLength(5);
    const outsider = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
    expect((await outsider.get(url)).statusCode).toBe(404);
    expect((await outsider.get(`${url}/counts`)).statusCode).toBe(404);
    expect((await outsider.post(`${url}/all`, { categories: ['other'] })).statusCode).toBe(404);
    expect((await outsider.post(`${url}/search`, { externalId: 'a-1' })).statusCode).toBe(404);
    // The customer's export from an outsider does not name the incident either.
    const exported = await outsider.get(`/api/customers/${ids.ann}/export?reason=data_subject_request`);
    expect(
      exported.json<{ incidents: { incidentId: string }[] }>().incidents.map((i) => i.incidentId),
    ).not.toContain(incident.id);
  });

  it('refuses marking and listing to roles without customer permissions', async () => {
    const incident = await createIncident(t, org, {}, managerUser);
    const url = `/api/incidents/${incident.id}/affected-customers`;
    for (const role of ['viewer', 'support', 'communications'] as const) {
      const agent = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      expect((await agent.get(url)).statusCode, role).toBe(403);
      expect((await agent.post(`${url}/all`, { categories: ['other'] })).statusCode, role).toBe(403);
    }
    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    expect((await legal.get(url)).statusCode).toBe(200);
    expect((await legal.post(`${url}/all`, { categories: ['other'] })).statusCode).toBe(403);
  });
});

describe('export of one customer', () => {
  it('returns everything held about them with a reason, audited; viewer and support are refused', async () => {
    const legalUser = await createUser(t, org, ['legal'], { totp: false });
    const legal = await sessionFor(t, legalUser);
    expect((await legal.get(`/api/customers/${ids.ann}/export`)).statusCode).toBe(400);
    const response = await legal.get(`/api/customers/${ids.ann}/export?reason=data_subject_request`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json<{
      customer: { id: string; externalId: string; region: string; consent: { email: boolean } };
      personal: { name: string; email: string };
      incidents: { incidentId: string; dataCategories: string[] }[];
      revealNotes: { count: number };
    }>();
    expect(body.customer).toMatchObject({
      id: ids.ann,
      externalId: 'a-1',
      region: 'US-CA',
      consent: { email: true },
    });
    expect(body.personal).toMatchObject({ name: people.ann.name, email: people.ann.email });
    expect(body.incidents.length).toBeGreaterThanOrEqual(2);
    expect(body.incidents[0]!.dataCategories).toEqual(['contact_details', 'credentials']);
    expect(body.revealNotes).toEqual({ count: 0 });
    const audit = await t.db.query<{ actor_type: string; actor_id: string; data: Record<string, unknown> }>(
      "SELECT actor_type, actor_id, data FROM audit_events WHERE organization_id = $1 AND action = 'customer.exported' AND target_id = $2",
      [org, ids.ann],
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor_type: 'user',
        actor_id: legalUser.id,
        data: expect.objectContaining({ reason: 'data_subject_request', via: 'app' }),
      }),
    );
    for (const role of ['viewer', 'support', 'communications'] as const) {
      const agent = await sessionFor(t, await createUser(t, org, [role], { totp: false }));
      expect(
        (await agent.get(`/api/customers/${ids.ann}/export?reason=data_subject_request`)).statusCode,
        role,
      ).toBe(403);
    }
  });

  it('candor customers export writes the JSON by external id or id, audited as the system', async () => {
    const ctx = { config: t.config, db: t.db };
    const byExternal = await runCommand(ctx, ['customers', 'export', 'a-3', '--org', org]);
    expect(byExternal.exitCode, byExternal.output).toBe(0);
    const exported = JSON.parse(byExternal.output) as {
      customer: { id: string };
      personal: { name: string };
    };
    expect(exported.customer.id).toBe(ids.eva);
    expect(exported.personal.name).toBe(people.eva.name);
    const byId = await runCommand(ctx, ['customers', 'export', ids.eva, '--org', org]);
    expect(byId.exitCode).toBe(0);
    expect((await runCommand(ctx, ['customers', 'export', 'nobody', '--org', org])).exitCode).toBe(1);
    expect((await runCommand(ctx, ['customers', 'export', 'a-3'])).exitCode).toBe(1);
    const audit = await t.db.query<{ actor_type: string; data: Record<string, unknown> }>(
      "SELECT actor_type, data FROM audit_events WHERE organization_id = $1 AND action = 'customer.exported' AND target_id = $2",
      [org, ids.eva],
    );
    expect(audit.map((a) => [a.actor_type, a.data.via])).toEqual([
      ['system', 'cli'],
      ['system', 'cli'],
    ]);
  });
});
