import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { localMasterKey, organizationKeyring } from '../../platform/keys.js';
import { systemActor } from '../audit/audit-service.js';
import { openErrorReport, runImport, type ImportOptions, type ImportSummary } from './customer-import.js';
import { openPersonal } from './customer-repo.js';

const t = await createTestApp();
const keyring = organizationKeyring(localMasterKey(t.config.secrets.masterKey));
const deps = { db: t.db, keyring, auditKey: t.config.secrets.auditKey };

const run = (org: string, file: Buffer | string, options: Partial<ImportOptions> = {}) =>
  runImport(deps, org, systemActor(), Readable.from([Buffer.from(file)]), { format: 'csv', ...options });

const identity = (s: {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}) => expect(s.read).toBe(s.inserted + s.updated + s.unchanged + s.rejected);

async function personalOf(org: string, externalId: string) {
  return withOrg(t.db, org, async (tx) => {
    const id = (
      await tx.query<{ id: string }>('SELECT id FROM customers WHERE external_id = $1', [externalId])
    )[0]!.id;
    return openPersonal(tx, await keyring.get(tx, org), id);
  });
}

const czech = {
  name: sensitive('Jiří Šťastný'),
  email: sensitive('jiri.stastny@příklad.cz'),
  phone: sensitive('601 234 567'),
  street: sensitive('Vinohradská 1789/12'),
  name2: sensitive('Žofie Dvořáková'),
};
const arabic = {
  name: sensitive('محمد العتيبي'),
  email: sensitive('mohammed.otaibi@example.sa'),
  phone: sensitive('050 123 4567'),
  indicPhone: sensitive('+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧'),
};

describe('customer import', () => {
  it('imports a Czech Excel file: Windows-1250, semicolons, CRLF, a quoted newline', async () => {
    const org = await createOrganization(t);
    const csv = [
      'Číslo;Jméno;E-mail;Telefon;Ulice;Země;Kraj;Jazyk;Časové pásmo',
      `c-1;${czech.name};${czech.email};${czech.phone};"${czech.street}\r\n2. patro";cz;CZ-10;cs;Europe/Prague`,
      `c-2;${czech.name2};;;;CZ;;cs-CZ;europe/prague`,
      '',
    ].join('\r\n');
    const summary = await run(org, iconv.encode(csv, 'windows-1250'), {
      encoding: 'windows-1250',
      defaultCountry: 'CZ',
      mapping: {
        externalId: 'Číslo',
        name: 'Jméno',
        email: 'E-mail',
        phone: 'Telefon',
        street: 'Ulice',
        country: 'Země',
        region: 'Kraj',
        language: 'Jazyk',
        timeZone: 'Časové pásmo',
      },
    });
    expect(summary).toMatchObject({
      status: 'completed',
      delimiter: ';',
      encoding: 'windows-1250',
      read: 2,
      inserted: 2,
      rejected: 0,
    });
    const c1 = (await personalOf(org, 'c-1'))!;
    expect(c1.personal.name).toBe(czech.name);
    expect(c1.personal.email).toMatch(/^jiri\.stastny@xn--/);
    expect(c1.personal.phone).toBe('+420601234567');
    expect(c1.personal.address?.lines).toEqual([czech.street, '2. patro']);
    expect(c1.customer).toMatchObject({
      country: 'CZ',
      region: 'CZ-10',
      language: 'cs',
      timeZone: 'Europe/Prague',
    });
    expect((await personalOf(org, 'c-2'))!.customer).toMatchObject({
      language: 'cs-CZ',
      timeZone: 'Europe/Prague',
    });
  });

  it('imports an Arabic Excel file in Windows-1256 (phone read with the row country)', async () => {
    const org = await createOrganization(t);
    const csv = `externalId,name,email,phone,country,language,timeZone\r\na-1,${arabic.name},${arabic.email},${arabic.phone},SA,ar,Asia/Riyadh\r\n`;
    const summary = await run(org, iconv.encode(csv, 'windows-1256'), { encoding: 'windows-1256' });
    expect(summary).toMatchObject({ status: 'completed', delimiter: ',', read: 1, inserted: 1 });
    const a1 = (await personalOf(org, 'a-1'))!;
    expect(a1.personal.name).toBe(arabic.name);
    expect(a1.personal.phone).toBe('+966501234567');
  });

  it('reads UTF-8 with a BOM, UTF-16 with a BOM, tabs, and JSON Lines', async () => {
    const org = await createOrganization(t);
    const rows = `externalId\tname\tcountry\nu-1\t${czech.name}\tCZ\nu-2\t${arabic.name}\tSA\n`;
    const bom = await run(org, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows)]));
    expect(bom).toMatchObject({ encoding: 'utf-8', delimiter: '\t', read: 2, inserted: 2 });
    const utf16 = await run(org, Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rows, 'utf-16le')]));
    expect(utf16).toMatchObject({ encoding: 'utf-16le', read: 2, unchanged: 2 });
    expect((await personalOf(org, 'u-2'))!.personal.name).toBe(arabic.name);
    const jsonl = `{"externalId":"u-1","name":"${czech.name}","country":"CZ"}\n\n{"externalId":"j-1","phone":"${arabic.indicPhone}","tags":["vip","a\\"b, c"]}\n`;
    const json = await run(org, jsonl, { format: 'jsonl' });
    expect(json).toMatchObject({ read: 2, unchanged: 1, inserted: 1 });
    expect((await personalOf(org, 'j-1'))!.personal.phone).toBe('+966501234567');
    expect((await personalOf(org, 'j-1'))!.customer.tags).toEqual(['vip', 'a"b', 'c']);
    // Without a BOM and not chosen, a file that no code page reads as words is refused whole.
    const garbled = Buffer.concat([
      Buffer.from('externalId,name\nx,Dvo'),
      Buffer.from([0x81, 0x90]),
      Buffer.from('k\n'),
    ]);
    const refused = await run(org, garbled);
    expect(refused).toMatchObject({ status: 'failed', failure: 'unknown_encoding', read: 0 });
    const binary = await run(org, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01]));
    expect(binary).toMatchObject({ status: 'failed', failure: 'not_text' });
  });

  it('reads Excel files without a chosen encoding as the detector tells, every letter intact', async () => {
    const org = await createOrganization(t);
    const people = {
      arabic: [
        { id: 'd-1', name: arabic.name, street: sensitive('شارع الملك فهد 12'), city: 'الرياض' },
        {
          id: 'd-2',
          name: sensitive('فاطمة الزهراء'),
          street: sensitive('طريق المدينة المنورة'),
          city: 'جدة',
        },
        {
          id: 'd-3',
          name: sensitive('عبد الله القحطاني'),
          // Every letter Windows-1256 has for Arabic, in words of four.
          street: 'ءآأؤ إئاب ةتثج حخدذ رزسش صضطظ عغفق كلمن هوىي',
          city: 'مكة المكرمة',
        },
      ],
      czech: [
        {
          id: 'd-4',
          name: sensitive('Šťastná Žaneta'),
          street: sensitive('Příliš žluťoučký kůň 7'),
          city: 'Ústí nad Labem',
        },
        { id: 'd-5', name: czech.name2, street: czech.street, city: 'České Budějovice' },
        // Every Czech letter, small and capital.
        {
          id: 'd-6',
          name: sensitive('Ďábelský Ťoupal'),
          street: 'áčďéěíňóřšťúůýž ÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ',
          city: 'Plzeň',
        },
      ],
    };
    const csv = (rows: readonly { id: string; name: string; street: string; city: string }[], d: string) =>
      [
        `externalId${d}name${d}street${d}locality`,
        ...rows.map((r) => [r.id, r.name, r.street, r.city].join(d)),
        '',
      ].join('\r\n');
    const files = [
      {
        rows: people.arabic,
        bytes: iconv.encode(csv(people.arabic, ','), 'windows-1256'),
        encoding: 'windows-1256',
      },
      {
        rows: people.czech,
        bytes: iconv.encode(csv(people.czech, ';'), 'windows-1250'),
        encoding: 'windows-1250',
      },
      {
        rows: people.czech,
        bytes: iconv.encode(csv(people.czech, ';'), 'iso-8859-2'),
        encoding: 'iso-8859-2',
      },
      { rows: people.arabic, bytes: iconv.encode(csv(people.arabic, ','), 'utf-16le'), encoding: 'utf-16le' },
    ];
    for (const file of files) {
      const summary = await run(org, file.bytes);
      expect(summary, file.encoding).toMatchObject({
        status: 'completed',
        encoding: file.encoding,
        read: 3,
        rejected: 0,
      });
      for (const row of file.rows) {
        const { personal } = (await personalOf(org, row.id))!;
        expect(personal.name).toBe(row.name);
        expect(personal.address).toMatchObject({ lines: [row.street], locality: row.city });
      }
    }
    // Chosen, the encoding is used as it is: the file read as Windows-1250 keeps none of its Arabic.
    const forced = await run(org, files[0]!.bytes, { encoding: 'windows-1250' });
    expect(forced).toMatchObject({ status: 'completed', encoding: 'windows-1250', updated: 3 });
    expect((await personalOf(org, 'd-1'))!.personal.name).toBe('ăÍăĎ ÇáÚĘíČí');
  });

  it('reports bad rows with line, column and reason while good rows import', async () => {
    const org = await createOrganization(t);
    const bad = sensitive('not-an-address');
    const csv = [
      'externalId,email,phone,country,region,language,timeZone',
      `b-1,${arabic.email},,SA,,,`,
      `b-2,${bad},,,,,`,
      'b-3,,12,,,,',
      'b-4,,,XX,,,',
      'b-5,,,CZ,SK-BL,,',
      'b-6,,,,,,Mars/Olympus',
      'b-7,,,,,1,',
      ',,,,,,',
      'b-9,too,few',
      `b-10,"${arabic.email}\nstill quoted",,,,,`,
      'b-11,,,CZ,,cs,',
    ].join('\n');
    const summary = await run(org, csv);
    expect(summary).toMatchObject({ read: 11, inserted: 2, rejected: 9 });
    identity(summary);
    const report = await withOrg(t.db, org, async (tx) =>
      openErrorReport(tx, await keyring.get(tx, org), summary.id),
    );
    expect(report.map((e) => [e.line, e.column, e.reason])).toEqual([
      [3, 'email', 'invalid_email'],
      [4, 'phone', 'invalid_phone'],
      [5, 'country', 'invalid_country'],
      [6, 'region', 'region_not_in_country'],
      [7, 'timeZone', 'invalid_time_zone'],
      [8, 'language', 'invalid_language'],
      [9, 'externalId', 'required'],
      [10, null, 'too_few_columns'],
      [11, 'email', 'invalid_email'],
    ]);
    expect(report[0]!.raw).toBe(`b-2,${bad},,,,,`);
    // Stored sealed: the raw line is not in the database in clear.
    const stored = await t.db.query<{ report: Uint8Array }>(
      'SELECT report FROM import_errors WHERE import_id = $1',
      [summary.id],
    );
    expect(Buffer.concat(stored.map((r) => Buffer.from(r.report))).includes(bad)).toBe(false);
  });

  it('re-importing the same file gives all unchanged; an edited row is updated', async () => {
    const org = await createOrganization(t);
    const csv = `externalId,name,country\nr-1,${czech.name},CZ\nr-2,${czech.name2},CZ\n`;
    expect(await run(org, csv)).toMatchObject({ read: 2, inserted: 2 });
    expect(await run(org, csv)).toMatchObject({ read: 2, unchanged: 2, inserted: 0, updated: 0 });
    const edited = csv.replace('r-2,', 'r-2,x').replace(`rx`, 'r');
    expect(await run(org, edited.replace(czech.name2, czech.name))).toMatchObject({
      read: 2,
      unchanged: 1,
      updated: 1,
    });
  });

  it('an import stopped after its first batch re-runs to exact counts without duplicates', async () => {
    const org = await createOrganization(t);
    const lines = Array.from({ length: 25 }, (_, i) => `k-${i},CZ,cs`);
    const csv = `externalId,country,language\n${lines.join('\n')}\n`;
    const stopped = await run(org, csv, { batchSize: 10, stopAfterBatches: 1 });
    expect(stopped).toMatchObject({ status: 'running', read: 10, inserted: 10, batches: 1 });
    const half = `externalId,country,language\n${lines.slice(0, 12).join('\n')}\n`;
    expect(await run(org, half, { batchSize: 10 })).toMatchObject({ read: 12, unchanged: 10, inserted: 2 });
    const whole = await run(org, csv, { batchSize: 10 });
    expect(whole).toMatchObject({ status: 'completed', read: 25, unchanged: 12, inserted: 13, batches: 3 });
    identity(whole);
    const counted = await withOrg(t.db, org, (tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM customers'),
    );
    expect(counted[0]?.n).toBe(25);
    // Audited once per batch, never per customer.
    const audits = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE organization_id = $1 AND action = 'customers.import_batch'`,
      [org],
    );
    expect(audits[0]!.n).toBe(1 + 2 + 3);
  });

  it('resumes a stopped import into the same summary a clean run gives, reporting every batch', async () => {
    const org = await createOrganization(t);
    const lines = Array.from({ length: 25 }, (_, i) => (i === 13 ? `s-${i},XX,cs` : `s-${i},CZ,cs`));
    const csv = `externalId,country,language\n${lines.join('\n')}\n`;
    const progress: ImportSummary[] = [];
    const stopped = await run(org, csv, {
      batchSize: 10,
      stopAfterBatches: 1,
      onBatch: (p) => void progress.push(p),
    });
    expect(stopped).toMatchObject({ status: 'running', read: 10, inserted: 10, batches: 1 });
    expect(progress.map((p) => [p.id, p.status, p.read, p.batches])).toEqual([
      [stopped.id, 'running', 10, 1],
    ]);
    // Another format than the import's is refused; a failed import is resumed like a running one.
    await expect(
      run(org, csv, { format: 'jsonl', importId: stopped.id, resume: true }),
    ).rejects.toMatchObject({ code: 'conflict', details: { import: stopped.id, format: 'csv' } });
    await t.db.query(
      `UPDATE imports SET status = 'failed', failure = 'failed', finished_at = now() WHERE id = $1`,
      [stopped.id],
    );
    const resumed = await run(org, csv, {
      batchSize: 10,
      importId: stopped.id,
      resume: true,
      onBatch: (p) => void progress.push(p),
    });
    const clean = await run(await createOrganization(t), csv, { batchSize: 10 });
    expect(clean).toMatchObject({ read: 25, inserted: 24, rejected: 1, batches: 3 });
    const counts = (s: ImportSummary) => [
      s.status,
      s.read,
      s.inserted,
      s.updated,
      s.unchanged,
      s.rejected,
      s.batches,
    ];
    expect(counts(resumed)).toEqual(counts(clean));
    expect(resumed).toMatchObject({ failure: null, finishedAt: expect.any(Date) });
    expect(resumed.id).toBe(stopped.id);
    identity(resumed);
    expect(progress.map((p) => [p.read, p.inserted, p.rejected, p.batches])).toEqual([
      [10, 10, 0, 1],
      [20, 19, 1, 2],
      [25, 24, 1, 3],
    ]);
    const counted = await withOrg(t.db, org, (tx) =>
      tx.query<{ n: number; ids: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS ids FROM customers',
      ),
    );
    expect(counted[0]).toEqual({ n: 24, ids: 24 });
    const report = await withOrg(t.db, org, async (tx) =>
      openErrorReport(tx, await keyring.get(tx, org), resumed.id),
    );
    expect(report.map((e) => [e.line, e.column, e.reason, e.raw])).toEqual([
      [15, 'country', 'invalid_country', 's-13,XX,cs'],
    ]);

    // A completed import is not resumed; another organization's is not found.
    await expect(run(org, csv, { importId: stopped.id, resume: true })).rejects.toMatchObject({
      code: 'conflict',
      details: { import: stopped.id, status: 'completed' },
    });
    const other = await run(await createOrganization(t), csv, { batchSize: 10, stopAfterBatches: 1 });
    await expect(run(org, csv, { importId: other.id, resume: true })).rejects.toMatchObject({
      code: 'not_found',
      details: { import: other.id },
    });
    await expect(run(org, csv, { resume: true })).rejects.toMatchObject({
      code: 'validation_failed',
      details: { field: 'importId' },
    });
  });

  it('rejects a later row with an external id this import already brought, across batches and a resume', async () => {
    const csv = [
      'Id,country',
      'd-1,CZ',
      'd-2,CZ',
      'd-1,SA',
      'd-3,XX',
      'd-3,CZ',
      'd-2,SA',
      'd-4,CZ',
      'd-5,CZ',
      'd-4,CZ',
      'd-1,CZ',
      '',
    ].join('\n');
    const options = { batchSize: 4, mapping: { externalId: 'Id' } };
    const expected = [
      [4, 'Id', 'duplicate_external_id', 2, 'd-1,SA'],
      [5, 'country', 'invalid_country', undefined, 'd-3,XX'],
      [7, 'Id', 'duplicate_external_id', 3, 'd-2,SA'],
      [10, 'Id', 'duplicate_external_id', 8, 'd-4,CZ'],
      [11, 'Id', 'duplicate_external_id', 2, 'd-1,CZ'],
    ];
    const reportOf = (org: string, importId: string) =>
      withOrg(t.db, org, async (tx) => openErrorReport(tx, await keyring.get(tx, org), importId)).then((r) =>
        r.map((e) => [e.line, e.column, e.reason, e.firstLine, e.raw]),
      );
    const countriesOf = (org: string) =>
      withOrg(t.db, org, (tx) =>
        tx.query<{ external_id: string; country: string }>(
          'SELECT external_id, country FROM customers ORDER BY external_id',
        ),
      ).then((rows) => rows.map((r) => `${r.external_id}:${r.country}`));
    const firsts = ['d-1:CZ', 'd-2:CZ', 'd-3:CZ', 'd-4:CZ', 'd-5:CZ'];

    const org = await createOrganization(t);
    const clean = await run(org, csv, options);
    expect(clean).toMatchObject({ status: 'completed', read: 10, inserted: 5, rejected: 5, batches: 3 });
    identity(clean);
    expect(await reportOf(org, clean.id)).toEqual(expected);
    expect(await countriesOf(org)).toEqual(firsts);

    // The same file again: the first rows are unchanged, the later ones still duplicates.
    const again = await run(org, csv, options);
    expect(again).toMatchObject({ read: 10, unchanged: 5, inserted: 0, updated: 0, rejected: 5 });
    expect(await reportOf(org, again.id)).toEqual(expected);
    expect(await countriesOf(org)).toEqual(firsts);

    // Killed after its first batch and resumed: the ids of the committed batch still count as seen.
    const other = await createOrganization(t);
    const stopped = await run(other, csv, { ...options, stopAfterBatches: 1 });
    expect(stopped).toMatchObject({ read: 4, inserted: 2, rejected: 2 });
    const resumed = await run(other, csv, { ...options, importId: stopped.id, resume: true });
    expect(resumed).toMatchObject({ status: 'completed', read: 10, inserted: 5, rejected: 5, batches: 3 });
    expect(await reportOf(other, resumed.id)).toEqual(expected);
    expect(await countriesOf(other)).toEqual(firsts);
  });

  it('streams a generated 20 000-row file', async () => {
    const org = await createOrganization(t);
    const rows = 20_000;
    async function* file() {
      yield Buffer.from('externalId;country;language;tags\r\n');
      for (let i = 0; i < rows; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++)
          chunk += `g-${j};${j % 2 ? 'CZ' : 'SA'};${j % 2 ? 'cs' : 'ar'};bulk\r\n`;
        yield iconv.encode(chunk, 'windows-1250');
      }
    }
    const summary = await runImport(deps, org, systemActor(), file(), {
      format: 'csv',
      encoding: 'windows-1250',
      batchSize: 1000,
    });
    expect(summary).toMatchObject({
      status: 'completed',
      read: rows,
      inserted: rows,
      rejected: 0,
      batches: 20,
    });
    identity(summary);
  });
});
