import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';

const t = await createTestApp();
const org = await createOrganization(t);
const manager = await sessionFor(t, await createUser(t, org, ['incident_manager'], { totp: false }));
const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
const communications = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));

const people = {
  name: sensitive('Jiří Šťastný'),
  email: sensitive('jiri.stastny@příklad.cz'),
  phone: sensitive('601 234 567'),
  name2: sensitive('Žofie Dvořáková'),
  badEmail: sensitive('zofie.dvorakova@@nikde'),
};
const csv = iconv.encode(
  [
    'Číslo;Jméno;E-mail;Telefon;Země',
    `c-1;${people.name};${people.email};${people.phone};CZ`,
    `c-2;${people.name2};${people.badEmail};;CZ`,
    `c-3;${people.name2};;;CZ`,
    '',
  ].join('\r\n'),
  'windows-1250',
);
const columns = JSON.stringify({
  externalId: 'Číslo',
  name: 'Jméno',
  email: 'E-mail',
  phone: 'Telefon',
  country: 'Země',
});
const query = `encoding=windows-1250&delimiter=%3B&defaultCountry=CZ&saveMapping=excel&columns=${encodeURIComponent(columns)}`;
const upload = (agent: typeof manager, q: string, body: Buffer = csv) =>
  agent.request('POST', `/api/imports?${q}`, body, { 'content-type': 'text/csv' });

interface Summary {
  id: string;
  status: string;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

const auditOf = (action: string) =>
  t.db.query<{ actor_id: string; target_id: string; data: Record<string, unknown> }>(
    'SELECT actor_id, target_id, data FROM audit_events WHERE organization_id = $1 AND action = $2 ORDER BY seq',
    [org, action],
  );

describe('import routes', () => {
  let first: Summary;

  it('imports a Czech Excel CSV (Windows-1250, semicolons) uploaded as the body and answers the summary', async () => {
    const response = await upload(manager, query);
    expect(response.statusCode, response.body).toBe(201);
    first = response.json<Summary>();
    expect(first).toMatchObject({
      status: 'completed',
      read: 3,
      inserted: 2,
      updated: 0,
      unchanged: 0,
      rejected: 1,
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('re-uploading the same file with the saved mapping leaves every row unchanged', async () => {
    const response = await upload(manager, 'encoding=windows-1250&defaultCountry=CZ&mapping=excel');
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<Summary>()).toMatchObject({
      status: 'completed',
      read: 3,
      inserted: 0,
      updated: 0,
      unchanged: 2,
      rejected: 1,
    });
  });

  it('reads the columns the header names without a mapping (the page’s own guess), and not those chosen as none', async () => {
    const named = Buffer.from(
      `external_id,Full name,E-mail\r\nw-1,${sensitive('Eva Malá')},${sensitive('eva@example.test')}\r\nw-2,Ota,not-an-email\r\n`,
    );
    // external_id and E-mail found by their names: the bad address is read, so its row is rejected.
    const guessed = await upload(manager, '', named);
    expect(guessed.statusCode, guessed.body).toBe(201);
    expect(guessed.json<Summary>()).toMatchObject({ status: 'completed', read: 2, inserted: 1, rejected: 1 });
    // The page sends '' for a field set to "not imported": the e-mail column is then not read.
    const none = await upload(manager, `columns=${encodeURIComponent(JSON.stringify({ email: '' }))}`, named);
    expect(none.statusCode, none.body).toBe(201);
    expect(none.json<Summary>()).toMatchObject({ status: 'completed', read: 2, inserted: 1, rejected: 0 });
  });

  it('shows an import’s progress and summary', async () => {
    const response = await manager.get(`/api/imports/${first.id}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: first.id,
      status: 'completed',
      format: 'csv',
      encoding: 'windows-1250',
      delimiter: ';',
      read: 3,
      batches: 1,
    });
    expect((await manager.get('/api/imports/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('lists the rejected row in the error report, audited as a download', async () => {
    const response = await legal.get(`/api/imports/${first.id}/errors`);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<{
      errors: { line: number; column: string; reason: string; raw: string }[];
    }>();
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ line: 3, column: 'E-mail' });
    expect(report.errors[0]!.reason).toBeTruthy();
    expect(report.errors[0]!.raw).toContain(people.badEmail);
    const audits = await auditOf('customers.import_errors_downloaded');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ target_id: first.id, data: { rows: 1 } });
  });

  it('refuses the error report to a viewer and to communications', async () => {
    for (const agent of [viewer, communications]) {
      const response = await agent.get(`/api/imports/${first.id}/errors`);
      expect(response.statusCode).toBe(403);
    }
    expect(await auditOf('customers.import_errors_downloaded')).toHaveLength(1);
  });

  it('a viewer cannot import', async () => {
    const response = await upload(viewer, query);
    expect(response.statusCode).toBe(403);
    expect((await viewer.get(`/api/imports/${first.id}`)).statusCode).toBe(403);
  });

  it('names a bad option in the 400', async () => {
    for (const [q, field] of [
      ['format=xml', 'format'],
      ['delimiter=%7C', 'delimiter'],
      ['encoding=latin-9', 'encoding'],
      ['defaultCountry=CZE', 'defaultCountry'],
      ['columns=%7Bnope', 'columns'],
      ['mapping=unknown', 'mapping'],
    ] as const) {
      const response = await upload(manager, q);
      expect(response.statusCode, q).toBe(400);
      expect(JSON.stringify(response.json()), q).toContain(field);
    }
  });
});

describe('import progress by a chosen id, recent imports and saved mappings', () => {
  const small = iconv.encode(
    ['Číslo;Jméno;Země', 'p-1;Petr;CZ', 'p-2;Pavla;CZ', ''].join('\r\n'),
    'windows-1250',
  );
  const chosen = '3f0c2a9e-7b1d-4c5e-9a8f-1e2d3c4b5a69';

  it('takes the import id from the client, so progress can be read while the file uploads', async () => {
    expect((await manager.get(`/api/imports/${chosen}`)).statusCode).toBe(404);
    const response = await upload(manager, `${query}&id=${chosen}`, small);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<Summary>()).toMatchObject({ id: chosen, read: 2, inserted: 2, rejected: 0 });
    const progress = await manager.get(`/api/imports/${chosen}`);
    expect(progress.json<Summary>()).toMatchObject({ id: chosen, status: 'completed', read: 2 });
  });

  it('refuses an id already used with a conflict, and a malformed one by name', async () => {
    const again = await upload(manager, `${query}&id=${chosen}`, small);
    expect(again.statusCode, again.body).toBe(409);
    expect(JSON.stringify(again.json())).toContain('id');
    const bad = await upload(manager, `${query}&id=not-a-uuid`, small);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('id');
    // The refused uploads left the import as it was.
    expect((await manager.get(`/api/imports/${chosen}`)).json<Summary>()).toMatchObject({ read: 2 });
  });

  it('lists recent imports newest first, to those who import only', async () => {
    const response = await manager.get('/api/imports?limit=2');
    expect(response.statusCode, response.body).toBe(200);
    const list = response.json<Summary[]>();
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ id: chosen, status: 'completed', read: 2 });
    const all = (await manager.get('/api/imports')).json<Summary[]>();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const s of all) expect(s.read).toBe(s.inserted + s.updated + s.unchanged + s.rejected);
    expect((await viewer.get('/api/imports')).statusCode).toBe(403);
    expect((await legal.get('/api/imports')).statusCode).toBe(403);
  });

  it('lists the saved mappings by name with their columns', async () => {
    const response = await manager.get('/api/import-mappings');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual([
      expect.objectContaining({ name: 'excel', mapping: JSON.parse(columns) as Record<string, string> }),
    ]);
    expect((await viewer.get('/api/import-mappings')).statusCode).toBe(403);
  });
});

describe('duplicate external ids in one uploaded file', () => {
  it('rejects the later row and names the line that brought the id first', async () => {
    const file = Buffer.from(['externalId,country', 'd-1,CZ', 'd-2,SA', 'd-1,US', ''].join('\n'));
    const response = await upload(manager, 'format=csv', file);
    expect(response.statusCode, response.body).toBe(201);
    const summary = response.json<Summary>();
    expect(summary).toMatchObject({ read: 3, inserted: 2, rejected: 1 });
    const report = (await legal.get(`/api/imports/${summary.id}/errors`)).json<{
      errors: { line: number; column: string; reason: string; firstLine?: number }[];
    }>();
    expect(report.errors).toEqual([
      expect.objectContaining({
        line: 4,
        column: 'externalId',
        reason: 'duplicate_external_id',
        firstLine: 2,
      }),
    ]);
  });
});
