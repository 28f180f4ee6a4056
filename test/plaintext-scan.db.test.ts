import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rotateKeys, runReencryption } from '../src/modules/keys/key-rotation.js';
import { moduleTimers } from '../src/modules/index.js';
import { startJobs } from '../src/platform/jobs.js';
import { createTestApp, testLogger } from './app.js';
import { createIncident, createOrganization, createUser, sessionFor } from './factories.js';
import { sensitive } from './secrets.js';

/**
 * After customers with known, distinctive values went through the real routes (import with
 * rejected rows, search, reveal with a note, marking affected), none of those values is found in
 * clear anywhere: no column of any table of any schema, no captured log line, no file of the
 * embedded database.
 */
const t = await createTestApp();
const org = await createOrganization(t);
const managerUser = await createUser(t, org, ['incident_manager'], { totp: false });
const manager = await sessionFor(t, managerUser);
const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));

const tag = Date.now().toString(36);
const people = [
  {
    id: 'p-1',
    name: 'Zebediah Quillfeather',
    email: `Zebediah.Quill${tag}@Example.ORG`,
    phone: '+1 (415) 555-0175',
    e164: '+14155550175',
  },
  {
    id: 'p-2',
    name: 'Křesomysl Žluťoučký',
    email: `kresomysl.zlutoucky${tag}@příklad.cz`,
    phone: '+420 777 123 456',
    e164: '+420777123456',
  },
  {
    id: 'p-3',
    name: 'زبيدة القرطاجنية',
    email: `zubaida.qartajani${tag}@example.sa`,
    phone: '+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧',
    e164: '+966501234567',
  },
  {
    id: 'p-4',
    name: 'Ottokar Wrzesniewski',
    email: `ottokar.w${tag}@example.pl`,
    phone: '+48 512 345 678',
    e164: '+48512345678',
  },
];
// Rejected rows: they go to the sealed error report, raw line included.
const rejected = [
  {
    id: 'r-1',
    name: 'Bedřiška Odmítnutá',
    email: `bedriska${tag}@@broken`,
    phone: '+420 606 111 222',
    e164: '+420606111222',
  },
  { id: 'r-2', name: 'نجيب المرفوض', email: `najib${tag}@example.eg`, phone: '12', e164: undefined },
];
// Business customers' own webhook endpoints (sealed in the personal record, flagged in clear).
const webhookOf = (id: string) => `https://notify-${id}-${tag}.quillfeather-hooks.example/candor/${id}`;
const note = 'Zebediah rang about the letter';
// A test recipient of notices: sealed like a customer.
const tester = {
  name: 'Hroznýš Zkušebníček',
  email: `hroznys.tester${tag}@example.cz`,
  phone: '+420733444555',
};

for (const p of [...people, ...rejected]) {
  sensitive(p.name);
  sensitive(p.email);
  sensitive(p.phone);
  sensitive(webhookOf(p.id));
}
sensitive(note);
sensitive(tester.name);
sensitive(tester.email);
sensitive(tester.phone);

/** Each value in the forms it could take when stored: as given, normalized, and the name's words. */
const needles = [
  ...[...people, ...rejected].flatMap((p) => [
    p.name,
    ...p.name.split(' '),
    p.email,
    p.email.toLowerCase(),
    p.email.split('@')[0]!.toLowerCase(),
    p.phone,
    ...(p.e164 ? [p.e164, p.e164.slice(1)] : []),
    webhookOf(p.id),
    new URL(webhookOf(p.id)).hostname,
  ]),
  note,
  tester.name,
  ...tester.name.split(' '),
  tester.email,
  tester.phone,
  tester.phone.slice(1),
].filter((v) => v.length >= 6);

let incidentId: string;

describe('no plaintext personal data at rest or in logs', () => {
  it('sends the customers through the real routes', async () => {
    const csv = [
      'id,name,email,phone,country,webhook_url',
      ...[...people, ...rejected].map(
        (p) => `${p.id},"${p.name}",${p.email},${p.phone},CZ,${webhookOf(p.id)}`,
      ),
      '',
    ].join('\r\n');
    const columns = {
      externalId: 'id',
      name: 'name',
      email: 'email',
      phone: 'phone',
      country: 'country',
      webhookUrl: 'webhook_url',
    };
    const imported = await manager.request(
      'POST',
      `/api/imports?defaultCountry=CZ&columns=${encodeURIComponent(JSON.stringify(columns))}`,
      Buffer.from(csv),
      { 'content-type': 'text/csv' },
    );
    expect(imported.statusCode, imported.body).toBe(201);
    const summary = imported.json<{ id: string; inserted: number; rejected: number }>();
    expect(summary).toMatchObject({ inserted: 4, rejected: 2 });
    const report = await legal.get(`/api/imports/${summary.id}/errors`);
    expect(report.statusCode, report.body).toBe(200);
    expect(report.body).toContain(rejected[0]!.email);

    const found = await manager.post('/api/customers/search', { email: people[1]!.email });
    expect(found.statusCode, found.body).toBe(200);
    const customerId = found.json<{ id: string }[] | { items: { id: string }[] }>() as
      { id: string }[] | { items: { id: string }[] };
    const id = Array.isArray(customerId) ? customerId[0]!.id : customerId.items[0]!.id;
    const revealed = await manager.post(`/api/customers/${id}/reveal`, { reason: 'customer_request', note });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.body).toContain(people[1]!.name);
    expect(revealed.json<{ personal: { webhookUrl: string } }>().personal.webhookUrl).toBe(
      webhookOf(people[1]!.id),
    );

    const incident = await createIncident(t, org, {}, managerUser);
    incidentId = incident.id;
    const marked = await manager.post(`/api/incidents/${incident.id}/affected-customers/by-list`, {
      rows: [
        { externalId: 'p-1', categories: ['contact_details'] },
        { email: people[2]!.email, categories: ['contact_details', 'payment_card'] },
        { email: `nobody.known${tag}@example.org`, categories: ['contact_details'] },
      ],
    });
    expect(marked.statusCode, marked.body).toBe(200);
    expect(marked.json()).toMatchObject({ added: 2 });
  });

  it('and through the job queue: "Was I affected?" look-ups and the re-encryption after a key rotation', async () => {
    // pg-boss's schema and its job rows are scanned too.
    // The workers' log lines join the captured logs that are scanned below.
    const logger = testLogger(t);
    const jobs = await startJobs({
      db: t.db,
      databaseUrl: t.databaseUrl,
      logger,
      timers: moduleTimers({ db: t.db, config: t.config, outbox: t.outbox, logger }),
    });
    try {
      const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
      const text = { happened: 'A breach happened.', done: 'We fixed it.', advice: 'Change your password.' };
      const edited = await writer.put(`/api/incidents/${incidentId}/guidance`, {
        en: text,
        cs: text,
        ar: text,
      });
      expect(edited.statusCode, edited.body).toBe(201);
      expect((await legal.post(`/api/incidents/${incidentId}/guidance/versions/1/approve`)).statusCode).toBe(
        200,
      );
      const page = await legal.post(`/api/incidents/${incidentId}/lookup-page/publish`, {});
      expect(page.statusCode, page.body).toBe(200);
      const publicId = page.json<{ page: { publicId: string } }>().page.publicId;
      const unknown = sensitive(`nobody.here${tag}@example.org`);
      for (const email of [people[2]!.email, unknown]) {
        const asked = await t.app.inject({
          method: 'POST',
          url: `/api/public/affected/${publicId}/lookup`,
          headers: { origin: t.config.publicUrl.origin },
          payload: { email, locale: 'en' },
        });
        expect(asked.statusCode, asked.body).toBeLessThan(300);
      }
      const deadline = Date.now() + 20_000;
      for (;;) {
        const states = await t.db.query<{ state: string }>(
          `SELECT state FROM pgboss.job WHERE name = 'affected-lookup'`,
        );
        if (states.length === 2 && states.every((r) => r.state === 'completed')) break;
        if (Date.now() > deadline)
          throw new Error(
            `look-up jobs: ${JSON.stringify(await t.db.query(`SELECT state, output FROM pgboss.job WHERE name = 'affected-lookup'`))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }

      // The affected customer gets the link by e-mail (through the outbox), after the queued job ran.
      await t.smtp.waitFor(people[2]!.email, 20_000);
      await rotateKeys({ db: t.db, secrets: t.config.secrets });
      const run = await runReencryption({ db: t.db, secrets: t.config.secrets }, { settleMs: 0 });
      expect(run.rows).toBeGreaterThanOrEqual(4);
      // Without the settle time (2 minutes, past the keyring's 60-second cache) the app's one
      // keyring must forget what it cached before the rotation, as time would have made it.
      t.app.deps.keyring.forget();
      await jobs.boss.send('keys-reencrypt', {});
    } finally {
      await jobs.stop();
    }
  });

  it('and through customer notices: a test recipient, a draft, a preview as an affected customer', async () => {
    const added = await manager.post('/api/notice-test-recipients', { ...tester, locale: 'cs' });
    expect(added.statusCode, added.body).toBe(201);
    const drafted = await manager.post(`/api/incidents/${incidentId}/notices`, { kind: 'mandatory' });
    expect(drafted.statusCode, drafted.body).toBe(201);
    const found = await manager.post('/api/customers/search', { email: people[2]!.email });
    const hits = found.json<{ id: string }[] | { items: { id: string }[] }>();
    const customerId = Array.isArray(hits) ? hits[0]!.id : hits.items[0]!.id;
    const preview = await manager.post(`/api/notices/${drafted.json<{ id: string }>().id}/preview`, {
      locale: 'ar',
      customerId,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.body).toContain(people[2]!.name);
  });

  it('finds none of the values in any column of any table of any schema', async () => {
    const tables = await t.db.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'm') ORDER BY 1, 2`,
    );
    const schemas = new Set(tables.map((x) => x.schema));
    expect([...schemas]).toEqual(expect.arrayContaining(['public', 'pg_catalog', 'pgboss']));
    // pgboss.job is partitioned by queue: its partitions are among the tables scanned.
    const queued = await t.db.query(`SELECT 1 FROM pgboss.job WHERE name = 'keys-reencrypt'`);
    expect(queued.length).toBeGreaterThan(0);
    // A control the scan must find: a value kept in clear in a bytea and in a jsonb column.
    const control = 'Kontrolní Hodnota Řeřicha';
    await t.db.exec('CREATE SCHEMA scan_control; CREATE TABLE scan_control.kept (b bytea, j jsonb)');
    await t.db.query('INSERT INTO scan_control.kept VALUES ($1, NULL), (NULL, $2)', [
      Buffer.from(control),
      JSON.stringify({ note: control }),
    ]);
    tables.push({ schema: 'scan_control', name: 'kept' });
    // Text as given and its UTF-8 bytes in hex (how a bytea column reads as text).
    const forms = [...needles, control].flatMap((v) => [v, Buffer.from(v).toString('hex')]);
    const where = forms.map((_, i) => `strpos(lower(t::text), lower($${i + 1})) > 0`).join(' OR ');
    const hits: string[] = [];
    let scanned = 0;
    for (const { schema, name } of tables) {
      const rows = await t.db.query<{ row: string }>(
        `SELECT t::text AS row FROM "${schema}"."${name}" t WHERE ${where}`,
        forms,
      );
      scanned++;
      for (const r of rows) {
        const value = forms.find((f) => r.row.toLowerCase().includes(f.toLowerCase()));
        hits.push(`${schema}.${name}: ${value}`);
      }
    }
    await t.db.exec('DROP SCHEMA scan_control CASCADE');
    expect(hits.filter((h) => h.startsWith('scan_control.'))).toEqual([
      `scan_control.kept: ${Buffer.from(control).toString('hex')}`,
      `scan_control.kept: ${control}`,
    ]);
    expect(scanned).toBeGreaterThan(50);
    // The scan does find what is there in clear: the incident's title, say.
    const title = (await t.db.query<{ title: string }>('SELECT title FROM incidents LIMIT 1'))[0]!.title;
    const titleRows = await t.db.query(`SELECT 1 FROM incidents t WHERE strpos(t::text, $1) > 0`, [title]);
    expect(titleRows).toHaveLength(1);
    expect(hits.filter((h) => !h.startsWith('scan_control.'))).toEqual([]);
  });

  it('finds none of the values in the captured logs', () => {
    const logs = t.logs.join('').toLowerCase();
    expect(logs.length).toBeGreaterThan(0);
    expect(needles.filter((v) => logs.includes(v.toLowerCase()))).toEqual([]);
  });

  it.runIf(t.db.kind === 'embedded')(
    'finds none of the values in the embedded database’s files',
    async () => {
      await t.db.query('CHECKPOINT');
      const dir = t.db.pglite!.dataDir!;
      const walk = (d: string): string[] =>
        readdirSync(d).flatMap((e) =>
          statSync(path.join(d, e)).isDirectory() ? walk(path.join(d, e)) : [path.join(d, e)],
        );
      const files = walk(dir);
      expect(files.length).toBeGreaterThan(100);
      const patterns = needles.flatMap((v) => [
        Buffer.from(v, 'utf8'),
        Buffer.from(v, 'utf16le'),
        Buffer.from(v, 'utf16le').swap16(),
      ]);
      const hits: string[] = [];
      for (const file of files) {
        const bytes = readFileSync(file);
        patterns.forEach((p, i) => {
          if (bytes.includes(p)) hits.push(`${path.relative(dir, file)}: ${needles[Math.floor(i / 3)]}`);
        });
      }
      // The scan reads real bytes: the organization's clear name is there.
      const orgName = (
        await t.db.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [org])
      )[0]!.name;
      await t.db.query('CHECKPOINT');
      expect(walk(dir).some((f) => readFileSync(f).includes(Buffer.from(orgName)))).toBe(true);
      expect(hits).toEqual([]);
    },
  );
});
