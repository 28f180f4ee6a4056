// One file over 400 lines: the embedded and the PostgreSQL-server cases of one command share its
// file generators and process helpers, which no other test uses.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importProgress, PAUSE_HOOK, type ImportEvent } from '../src/cli/customers-import.js';
import type { ImportReading } from '../src/cli/import-progress.js';
import { openServer, withOrg, type Database } from '../src/platform/db.js';
import { projectRoot } from '../src/platform/paths.js';
import { testSecretsEnv } from './app.js';
import {
  assertBuilt,
  candor,
  CANDOR_BIN,
  cleanEnv,
  HttpAgent,
  killAll,
  newAdmin,
  serverLogs,
  setUp,
  startCandor,
  tempDir,
  type CandorServer,
} from './process.js';
import { leaksIn, sensitive } from './secrets.js';

// `candor customers import FILE` as its users run it: the compiled CLI in child processes.
// On the PostgreSQL server: an importer killed with SIGKILL at a known number of committed
// batches, then resumed. On the embedded database: the import running inside the server
// through the control socket, its progress streamed back to the CLI.

const onServer = process.env.CANDOR_TEST_DB === 'server';
const embedded = process.env.CANDOR_TEST_DB === 'embedded';

interface Row {
  externalId: string;
  name: string;
  email: string;
  phone: string;
  country: string;
}

function customerRow(i: number, variant = ''): Row {
  const names = ['Jana Nováková', 'Jiří Dvořák', 'علي الحسن', 'Emily Carter'];
  return {
    externalId: `cust-${String(i).padStart(5, '0')}`,
    name: `${names[i % names.length]} ${i}${variant}`,
    email: `zakaznik.${i}@example.test`,
    phone: `+420 601 ${String(100000 + i).slice(0, 3)} ${String(100000 + i).slice(3)}`,
    country: i % 3 === 2 ? 'SK' : 'CZ',
  };
}

const csvLine = (r: Row) => [r.externalId, r.name, r.email, r.phone, r.country].join(',');

function writeCsv(file: string, rows: (Row | string)[]): void {
  const lines = [
    'externalId,name,email,phone,country',
    ...rows.map((r) => (typeof r === 'string' ? r : csvLine(r))),
  ];
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
}

/** The five counts of a summary printed on standard output. */
function printedCounts(stdout: string) {
  const count = (label: string) => {
    const match = new RegExp(`^\\s+${label}\\s+([\\d,]+)$`, 'm').exec(stdout);
    return match ? Number(match[1]!.replace(/,/g, '')) : undefined;
  };
  return {
    read: count('read'),
    inserted: count('inserted'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
  };
}

describe.runIf(embedded)('the progress display', () => {
  const started: ImportEvent = {
    kind: 'import.started',
    importId: '00000000-0000-4000-8000-000000000001',
    fileBytes: 1000,
    format: 'csv',
    resumed: false,
    alreadyRead: 0,
  };
  const batch = (read: number, byteOffset: number): ImportEvent => ({
    kind: 'import.batch',
    counts: {
      read,
      inserted: read - 2,
      updated: 1,
      unchanged: 0,
      rejected: 1,
      batches: read / 100,
      byteOffset,
    },
  });

  test('on a terminal: a bar redrawn in place, with rows, rate, ETA from the bytes read, and counts', () => {
    let written = '';
    let clock = 0;
    const drawn = importProgress(
      { isTTY: true, columns: 200, write: (t: string) => (written += t) },
      () => clock,
    );
    drawn.event(started);
    expect(written).toBe(
      `Starting import ${started.importId} (csv, 1 kB). Interrupted, it continues with --resume ${started.importId}.\n`,
    );
    written = '';
    clock = 2000;
    drawn.event(batch(200, 250));
    // 200 rows in 2 s; a quarter of the bytes in 2 s leaves 6 s.
    expect(written).toBe(
      '\r\x1b[2K[######------------------]  25%  200 rows  100 rows/s  ETA 0:06  ' +
        'inserted 198, updated 1, unchanged 0, rejected 1',
    );
    written = '';
    clock = 4000;
    drawn.event(batch(400, 1000));
    expect(written).toBe(
      `\r\x1b[2K[${'#'.repeat(24)}] 100%  400 rows  100 rows/s  ETA 0:00  ` +
        'inserted 398, updated 1, unchanged 0, rejected 1',
    );
    drawn.finish();
    expect(written.endsWith('\n')).toBe(true);
  });

  test('elsewhere: plain lines, the first batch at once, then at most one a second, and the last at the end', () => {
    let written = '';
    let clock = 0;
    const drawn = importProgress({ write: (t: string) => (written += t) }, () => clock);
    drawn.event({ ...started, resumed: true, alreadyRead: 100 });
    clock = 1000;
    drawn.event(batch(200, 300));
    clock = 1500;
    drawn.event(batch(300, 500));
    clock = 1800;
    drawn.event(batch(400, 700));
    drawn.finish();
    const lines = written.trim().split('\n');
    expect(lines[0]).toMatch(`Resuming import ${started.importId} (csv, 1 kB). `);
    // On a resume the rate counts this run's rows only: 100 rows in 1 s.
    expect(lines[1]).toBe(
      'progress:  30%  200 rows  100 rows/s  ETA 0:02  inserted 198, updated 1, unchanged 0, rejected 1',
    );
    expect(lines[2]).toMatch(/^progress: {2}70% {2}400 rows {2}167 rows\/s /);
    expect(lines).toHaveLength(3);
  });

  test('the start names the encoding and what told it: the detector, a byte-order mark, or --encoding', () => {
    const startLine = (reading: ImportReading) => {
      let written = '';
      importProgress({ write: (t: string) => (written += t) }).event({ ...started, reading });
      return written;
    };
    expect(startLine({ encoding: 'windows-1256', by: 'detected' })).toBe(
      `Starting import ${started.importId} (csv, 1 kB, windows-1256 detected). ` +
        `Interrupted, it continues with --resume ${started.importId}.\n`,
    );
    expect(startLine({ encoding: 'utf-16le', by: 'bom' })).toContain(
      '(csv, 1 kB, utf-16le by its byte-order mark).',
    );
    expect(startLine({ encoding: 'windows-1250', by: 'option' })).toContain('(csv, 1 kB, windows-1250).');
  });
});

describe.runIf(onServer)(
  'candor customers import killed with SIGKILL and run again (PostgreSQL server)',
  () => {
    let root: string;
    let admin: Database;
    let db: Database;
    let dbName: string;
    let env: Record<string, string>;
    const spawned = new Set<ChildProcess>();
    const cliOutput: string[] = [];

    beforeAll(async () => {
      assertBuilt();
      root = tempDir('candor-import-');
      admin = openServer(process.env.TEST_DATABASE_URL!, { max: 1 });
      dbName = `candor_x_${randomBytes(6).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${dbName}`);
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${dbName}`;
      env = { DATABASE_URL: url.toString(), CANDOR_DATA_DIR: path.join(root, 'data'), ...testSecretsEnv() };
      const migrated = await candor(['migrate'], env);
      expect(migrated.code, migrated.stderr).toBe(0);
      db = openServer(url.toString(), { max: 1 });
    });

    afterAll(async () => {
      for (const child of spawned)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await db?.close();
      await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin?.close();
      rmSync(root, { recursive: true, force: true });
      expect(leaksIn(cliOutput.join('\n'))).toEqual([]);
    });

    async function newOrganization(): Promise<string> {
      const id = randomUUID();
      await withOrg(db, id, (tx) =>
        tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [id, `Import ${id.slice(0, 8)}`]),
      );
      return id;
    }

    const importRows = (org: string) =>
      db.query<{ id: string; status: string; batches: number; rows_read: number }>(
        'SELECT id, status, batches, rows_read FROM imports WHERE organization_id = $1 ORDER BY created_at',
        [org],
      );

    const customers = async (org: string) =>
      (
        await db.query<{ n: number; ids: number }>(
          `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS ids FROM customers WHERE organization_id = $1`,
          [org],
        )
      )[0]!;

    /**
     * Runs the importer with the test hook that stops it after `batches` committed batches; waits
     * until the database shows exactly those batches committed and the import still running, then
     * stops the process with the signal (SIGKILL unless told). Fails if the import finished first.
     */
    async function importKilledAfter(
      file: string,
      org: string,
      batches: number,
      batchSize: number,
      signal: NodeJS.Signals = 'SIGKILL',
    ) {
      const earlier = new Set((await importRows(org)).map((r) => r.id));
      const child = spawn(
        process.execPath,
        [CANDOR_BIN, 'customers', 'import', file, '--org', org, '--batch-size', String(batchSize)],
        {
          cwd: projectRoot,
          env: cleanEnv({ ...env, [PAUSE_HOOK]: String(batches) }),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      spawned.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('close', (code, signal) => resolve({ code, signal })),
      );
      let row: Awaited<ReturnType<typeof importRows>>[number] | undefined;
      for (let tries = 0; tries < 600; tries++) {
        row = (await importRows(org)).find((r) => !earlier.has(r.id));
        if (child.exitCode !== null || (row && (row.batches >= batches || row.status !== 'running'))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Still running, exactly the known batches committed: the kill lands mid-import.
      expect(child.exitCode, `the importer ended before the kill:\n${stderr}\n${stdout}`).toBeNull();
      expect(row).toMatchObject({ status: 'running', batches, rows_read: batches * batchSize });
      child.kill(signal);
      const end = await exited;
      if (signal === 'SIGKILL') expect(end.signal).toBe('SIGKILL');
      else expect(end.code).toBe(130);
      cliOutput.push(stdout, stderr);
      expect(stdout).toBe('');
      expect(stderr).toContain(`Starting import ${row!.id} (csv,`);
      expect(stderr).toMatch(
        new RegExp(`^progress: +\\d+% +${batchSize} rows +[\\d,]+ rows/s +ETA \\S+ +inserted `, 'm'),
      );
      return { id: row!.id, stderr };
    }

    test('a fresh organization: 3,000 rows, killed after 4 committed batches, resumed to exact counts', async () => {
      const org = await newOrganization();
      const file = path.join(root, 'fresh.csv');
      const rows = Array.from({ length: 3000 }, (_, i) => customerRow(i));
      for (const r of rows.slice(0, 5)) {
        sensitive(r.name);
        sensitive(r.email);
      }
      writeCsv(file, rows);

      const { id } = await importKilledAfter(file, org, 4, 100);
      // What the killed run committed, and nothing more.
      expect(await customers(org)).toEqual({ n: 400, ids: 400 });

      const resumed = await candor(
        ['customers', 'import', file, '--org', org, '--resume', id, '--batch-size', '100'],
        env,
        120_000,
      );
      cliOutput.push(resumed.stdout, resumed.stderr);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`Resuming import ${id} (csv,`);
      expect(resumed.stdout).toContain(`Import ${id} completed.`);
      expect(printedCounts(resumed.stdout)).toEqual({
        read: 3000,
        inserted: 3000,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });
      expect(resumed.stdout).not.toContain('rejected. The error report');

      const [summary] = await db.query<Record<string, unknown>>(
        'SELECT status, rows_read, inserted, updated, unchanged, rejected FROM imports WHERE id = $1',
        [id],
      );
      expect(summary).toEqual({
        status: 'completed',
        rows_read: 3000,
        inserted: 3000,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });
      expect(await importRows(org)).toHaveLength(1);
      expect(await customers(org)).toEqual({ n: 3000, ids: 3000 });
      const ids = await db.query<{ external_id: string }>(
        'SELECT external_id FROM customers WHERE organization_id = $1 ORDER BY external_id',
        [org],
      );
      expect(ids.map((r) => r.external_id)).toEqual(rows.map((r) => r.externalId));

      // A completed import is not resumed again.
      const again = await candor(['customers', 'import', file, '--org', org, '--resume', id], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`Import ${id} has already completed: there is nothing to resume.`);
      expect(await customers(org)).toEqual({ n: 3000, ids: 3000 });

      // Another organization does not see the import.
      const other = await newOrganization();
      const foreign = await candor(['customers', 'import', file, '--org', other, '--resume', id], env);
      expect(foreign.code).toBe(1);
      expect(foreign.stderr).toContain(`No import ${id} in organization ${other}.`);
      expect(await customers(other)).toEqual({ n: 0, ids: 0 });

      // Audited as the system: each run's start (via the CLI; not the refused ones), each of the 30 batches once.
      const audited = await db.query<{ action: string; actor_type: string; n: number }>(
        `SELECT action, actor_type, count(*)::int AS n FROM audit_events WHERE organization_id = $1 AND target_id = $2
         GROUP BY action, actor_type ORDER BY action`,
        [org, id],
      );
      expect(audited).toEqual([
        { action: 'customers.import_batch', actor_type: 'system', n: 30 },
        { action: 'customers.import_started', actor_type: 'system', n: 2 },
      ]);
      const starts = await db.query<{ data: unknown }>(
        `SELECT data FROM audit_events WHERE organization_id = $1 AND action = 'customers.import_started' ORDER BY seq`,
        [org],
      );
      expect(starts.map((r) => r.data)).toEqual([
        { via: 'cli', format: 'csv', resume: false },
        { via: 'cli', format: 'csv', resume: true },
      ]);
    });

    test('Ctrl-C (SIGINT) ends the display and names the way on; --resume then finishes the import', async () => {
      const org = await newOrganization();
      const file = path.join(root, 'interrupted.csv');
      writeCsv(
        file,
        Array.from({ length: 500 }, (_, i) => customerRow(10_000 + i)),
      );
      const { id, stderr } = await importKilledAfter(file, org, 2, 50, 'SIGINT');
      expect(stderr).toContain(
        `Interrupted with 100 rows committed: continue with --resume ${id} (the same file).`,
      );
      const resumed = await candor(['customers', 'import', file, '--org', org, '--resume', id], env, 120_000);
      cliOutput.push(resumed.stdout, resumed.stderr);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(printedCounts(resumed.stdout)).toEqual({
        read: 500,
        inserted: 500,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });
      expect(await customers(org)).toEqual({ n: 500, ids: 500 });
    });

    test('with customers already there: inserted, updated, unchanged and rejected exact across the kill', async () => {
      const org = await newOrganization();
      // 600 customers before: the file keeps 300 of them as they are and changes the other 300.
      const before = path.join(root, 'before.csv');
      writeCsv(
        before,
        Array.from({ length: 600 }, (_, i) => customerRow(i)),
      );
      const first = await candor(['customers', 'import', before, '--org', org], env, 120_000);
      cliOutput.push(first.stdout, first.stderr);
      expect(first.code, first.stderr).toBe(0);
      expect(printedCounts(first.stdout)).toEqual({
        read: 600,
        inserted: 600,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });

      const file = path.join(root, 'mixed.csv');
      const bad = new Set([650, 777, 1234, 2001, 2999]);
      const lines = Array.from({ length: 3000 }, (_, i) => {
        if (bad.has(i)) return csvLine({ ...customerRow(i), email: `not-an-email-${i}` });
        return customerRow(i, i >= 300 && i < 600 ? ' (moved)' : '');
      });
      writeCsv(file, lines);

      const { id } = await importKilledAfter(file, org, 7, 100);
      const wrongFormat = await candor(
        ['customers', 'import', file, '--org', org, '--resume', id, '--format', 'jsonl'],
        env,
      );
      expect(wrongFormat.code).toBe(1);
      expect(wrongFormat.stderr).toContain(
        `Import ${id} read a csv file: resume it with the same file and format.`,
      );
      const resumed = await candor(
        ['customers', 'import', file, '--org', org, '--resume', id, '--batch-size', '100'],
        env,
        120_000,
      );
      cliOutput.push(resumed.stdout, resumed.stderr);
      // Some rows rejected, the others imported: exit code 2.
      expect(resumed.code, resumed.stderr).toBe(2);
      expect(printedCounts(resumed.stdout)).toEqual({
        read: 3000,
        inserted: 2395,
        updated: 300,
        unchanged: 300,
        rejected: 5,
      });
      expect(resumed.stdout).toContain(`5 rows were rejected.`);
      expect(resumed.stdout).toContain(`candor customers import-errors ${id} --org ${org} --output FILE`);
      expect(await customers(org)).toEqual({ n: 2995, ids: 2995 });

      // The error report holds the rejected rows of both runs, by their line in the file (header = line 1).
      const reportFile = path.join(root, 'errors.jsonl');
      const report = await candor(
        ['customers', 'import-errors', id, '--org', org, '--output', reportFile],
        env,
      );
      expect(report.code, report.stderr).toBe(0);
      expect(report.stdout).toBe(`Wrote 5 rejected rows to ${reportFile}\n`);
      const errors = readFileSync(reportFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; column: string; reason: string; raw: string });
      expect(errors.map((e) => [e.line, e.column, e.reason])).toEqual(
        [...bad].map((i) => [i + 2, 'email', 'invalid_email']),
      );
      expect(errors[0]!.raw).toBe(lines[650]);
      const audited = await db.query<{ actor_type: string; data: { via: string } }>(
        `SELECT actor_type, data FROM audit_events WHERE organization_id = $1 AND action = $2`,
        [org, 'customers.import_errors_downloaded'],
      );
      expect(audited).toEqual([{ actor_type: 'system', data: { rows: 5, via: 'cli' } }]);
    });
  },
);

describe.runIf(embedded)('candor customers import through a running embedded server', () => {
  let root: string;
  let dataDir: string;
  let server: CandorServer;
  let org: string;
  const cliOutput: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    root = tempDir('candor-import-');
    dataDir = path.join(root, 'data');
    server = await startCandor({ CANDOR_DATA_DIR: dataDir });
    await setUp(
      new HttpAgent(`http://localhost:${server.port}`),
      server.url,
      server.setupLink()!,
      newAdmin(),
    );
    const verify = await candor(['audit', 'verify'], { CANDOR_DATA_DIR: dataDir });
    org = /organization ([0-9a-f-]{36})/.exec(verify.stdout)![1]!;
  });

  afterAll(async () => {
    if (server?.running) await server.stop();
    killAll();
    rmSync(root, { recursive: true, force: true });
    expect(leaksIn([...serverLogs, ...cliOutput].join('\n'))).toEqual([]);
  });

  test('the server runs the import and streams its progress to the CLI; the summary is printed', async () => {
    const file = path.join(root, 'customers.csv');
    const lines = Array.from({ length: 1200 }, (_, i) =>
      i === 99 ? csvLine({ ...customerRow(i), phone: 'call me' }) : customerRow(i),
    );
    for (const r of lines.slice(0, 4)) {
      if (typeof r === 'string') continue;
      sensitive(r.name);
      sensitive(r.email);
    }
    writeCsv(file, lines);
    const env = { CANDOR_DATA_DIR: dataDir };

    const run = await candor(
      ['customers', 'import', file, '--org', org, '--batch-size', '100'],
      env,
      120_000,
    );
    cliOutput.push(run.stdout, run.stderr);
    // One row rejected, the others imported: exit code 2.
    expect(run.code, run.stderr).toBe(2);
    // The embedded database is the server's (its lock): only the control socket reaches it.
    expect(server.running).toBe(true);
    const id = /Starting import ([0-9a-f-]{36})/.exec(run.stderr)?.[1];
    expect(id, run.stderr).toBeDefined();
    const progress = run.stderr.split('\n').filter((l) => l.startsWith('progress:'));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatch(
      /^progress: +\d+% +100 rows +[\d,]+ rows\/s +ETA \S+ +inserted 99, updated 0, unchanged 0, rejected 1$/,
    );
    expect(progress.at(-1)).toMatch(
      /^progress: 100% +1,200 rows .* inserted 1,199, updated 0, unchanged 0, rejected 1$/,
    );
    expect(run.stdout).toContain(`Import ${id} completed.`);
    expect(printedCounts(run.stdout)).toEqual({
      read: 1200,
      inserted: 1199,
      updated: 0,
      unchanged: 0,
      rejected: 1,
    });
    expect(run.stdout).toContain('1 row was rejected.');

    // The same file again, the summary as JSON: every valid row unchanged.
    const again = await candor(['customers', 'import', file, '--org', org, '--json'], env, 120_000);
    cliOutput.push(again.stdout, again.stderr);
    expect(again.code, again.stderr).toBe(2);
    expect(JSON.parse(again.stdout)).toEqual({
      id: /Starting import ([0-9a-f-]{36})/.exec(again.stderr)?.[1],
      organizationId: org,
      status: 'completed',
      format: 'csv',
      read: 1200,
      inserted: 0,
      updated: 0,
      unchanged: 1199,
      rejected: 1,
    });

    // The error report through the socket, to standard output.
    const report = await candor(['customers', 'import-errors', id!, '--org', org], env);
    expect(report.code, report.stderr).toBe(0);
    expect(
      report.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        line: 101,
        column: 'phone',
        reason: 'invalid_phone',
        raw: csvLine({ ...customerRow(99), phone: 'call me' }),
      },
    ]);
  });

  test('Czech Excel (Windows-1250, ";"): columns mapped with --map, saved, and reused with --mapping', async () => {
    const env = { CANDOR_DATA_DIR: dataDir };
    const cp1250 = (text: string) => iconv.encode(text, 'windows-1250');
    const header = 'Číslo zákazníka;Jméno;E-mail;Telefon\r\n';
    const first = path.join(root, 'export-1.csv');
    writeFileSync(
      first,
      cp1250(
        `${header}cz-1;Petr Dvořák;petr.dvorak@example.test;601 123 456\r\ncz-2;Jana Růžičková;;602 000 111\r\n`,
      ),
    );
    sensitive('Petr Dvořák');
    sensitive('petr.dvorak@example.test');
    const mapped = await candor(
      [
        'customers',
        'import',
        first,
        '--org',
        org,
        '--encoding',
        'windows-1250',
        '--default-country',
        'cz',
        '--map',
        'externalId=Číslo zákazníka',
        '--map',
        'name=Jméno',
        '--map',
        'email=E-mail',
        '--map',
        'phone=Telefon',
        '--save-mapping',
        'Czech Excel',
      ],
      env,
    );
    cliOutput.push(mapped.stdout, mapped.stderr);
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(mapped.stderr).toMatch(/^Starting import [0-9a-f-]{36} \(csv, 1 kB, windows-1250\)\./m);
    expect(printedCounts(mapped.stdout)).toEqual({
      read: 2,
      inserted: 2,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });

    const second = path.join(root, 'export-2.csv');
    writeFileSync(second, cp1250(`${header}cz-3;Jiří Čermák;;+421 905 123 456\r\n`));
    const reused = await candor(
      [
        'customers',
        'import',
        second,
        '--org',
        org,
        '--encoding',
        'cp1250',
        '--default-country',
        'CZ',
        '--mapping',
        'Czech Excel',
      ],
      env,
    );
    cliOutput.push(reused.stdout, reused.stderr);
    expect(reused.code, reused.stderr).toBe(0);
    expect(printedCounts(reused.stdout)).toEqual({
      read: 1,
      inserted: 1,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });

    // Decoded, mapped and normalized as asked: the data-subject export shows it.
    const exported = await candor(['customers', 'export', 'cz-1', '--org', org], env);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      customer: { externalId: 'cz-1' },
      personal: { name: 'Petr Dvořák', email: 'petr.dvorak@example.test', phone: '+420601123456' },
    });

    // Without --encoding the file's letters tell it: Arabic Excel's Windows-1256, every letter intact.
    const arabic = path.join(root, 'arabic-excel.csv');
    const arabicName = sensitive('محمد العتيبي');
    writeFileSync(
      arabic,
      iconv.encode(`externalId,name,country\r\nsa-1,${arabicName},SA\r\n`, 'windows-1256'),
    );
    const detected = await candor(['customers', 'import', arabic, '--org', org], env);
    cliOutput.push(detected.stdout, detected.stderr);
    expect(detected.code, detected.stderr).toBe(0);
    expect(detected.stderr).toMatch(/^Starting import [0-9a-f-]{36} \(csv, 1 kB, windows-1256 detected\)\./m);
    const exportedArabic = await candor(['customers', 'export', 'sa-1', '--org', org], env);
    expect(exportedArabic.code, exportedArabic.stdout + exportedArabic.stderr).toBe(0);
    expect(JSON.parse(exportedArabic.stdout)).toMatchObject({ personal: { name: arabicName } });

    // No --map: the columns are found by their names, as the import page finds them
    // (external_id, E-mail, Phone, Full name; Czech Excel's own header too).
    const named = path.join(root, 'named.csv');
    writeFileSync(
      named,
      `external_id,Full name,E-mail,Phone,country\r\nweb-1,${sensitive('Tereza Malá')},${sensitive('tereza@example.test')},601 222 333,CZ\r\n`,
    );
    const czechNamed = path.join(root, 'export-3.csv');
    writeFileSync(czechNamed, cp1250(`${header}cz-4;Hana Černá;hana@example.test;603 111 222\r\n`));
    for (const [file, externalId, name, phone, ...more] of [
      [named, 'web-1', 'Tereza Malá', '+420601222333'],
      [czechNamed, 'cz-4', 'Hana Černá', '+420603111222', '--encoding', 'windows-1250'],
    ] as const) {
      const auto = await candor(
        ['customers', 'import', file, '--org', org, '--default-country', 'CZ', ...more],
        env,
      );
      cliOutput.push(auto.stdout, auto.stderr);
      expect(auto.code, auto.stdout + auto.stderr).toBe(0);
      expect(printedCounts(auto.stdout)).toMatchObject({ read: 1, inserted: 1, rejected: 0 });
      const found = await candor(['customers', 'export', externalId, '--org', org], env);
      expect(JSON.parse(found.stdout)).toMatchObject({
        customer: { externalId },
        personal: { name, phone },
      });
    }

    const unknown = await candor(['customers', 'import', second, '--org', org, '--mapping', 'Nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`No saved column mapping "Nope" in organization ${org}.`);
  });

  test('a file refused whole, and bad options, exit 1 with a clear message on standard error', async () => {
    const env = { CANDOR_DATA_DIR: dataDir };
    const binary = path.join(root, 'photo.csv');
    writeFileSync(
      binary,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]),
    );
    const refused = await candor(['customers', 'import', binary, '--org', org], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `${binary} was refused whole. The file is not text. Choose a CSV or JSON Lines file.`,
    );
    expect(refused.stderr).toMatch(/Nothing was imported \(import [0-9a-f-]{36}, status failed\)/);
    // --json shapes the answer; a failure stays a sentence on standard error.
    const refusedJson = await candor(['customers', 'import', binary, '--org', org, '--json'], env);
    expect(refusedJson.code).toBe(1);
    expect(refusedJson.stdout).toBe('');
    expect(refusedJson.stderr).toContain(`${binary} was refused whole.`);

    // Every row rejected (no column for the external id): nothing imported, exit code 1, the summary printed.
    const keyless = path.join(root, 'keyless.csv');
    writeFileSync(keyless, 'reference,name\nr-1,A\nr-2,B\n');
    const rejected = await candor(['customers', 'import', keyless, '--org', org], env);
    expect(rejected.code, rejected.stderr).toBe(1);
    expect(printedCounts(rejected.stdout)).toEqual({
      read: 2,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: 2,
    });
    expect(rejected.stdout).toContain('Nothing was imported: every row was rejected.');
    expect(rejected.stdout).toContain('--map externalId=COLUMN');

    const empty = path.join(root, 'empty.csv');
    writeFileSync(empty, '');
    const nothing = await candor(['customers', 'import', empty, '--org', org], env);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain(`${empty} was refused whole. The file is empty.`);

    const latin = path.join(root, 'excel.csv');
    // Bytes unassigned in Windows-1250 and -1252, controls in ISO-8859-2, Urdu letters in -1256.
    writeFileSync(
      latin,
      Buffer.concat([
        Buffer.from('externalId;name\r\nx-1;Petr Dvo'),
        Buffer.from([0x81, 0x90]),
        Buffer.from('k\r\n'),
      ]),
    );
    const encoding = await candor(['customers', 'import', latin, '--org', org], env);
    expect(encoding.code).toBe(1);
    expect(encoding.stderr).toContain(
      'The file is not UTF-8, has no byte-order mark, and no code page reads it as words. ' +
        'Name its encoding with --encoding',
    );

    const unknownOrg = await candor(['customers', 'import', latin, '--org', randomUUID()], env);
    expect(unknownOrg.code).toBe(1);
    expect(unknownOrg.stderr).toMatch(/^No organization [0-9a-f-]{36}\.$/m);

    const noFile = await candor(['customers', 'import', path.join(root, 'missing.csv'), '--org', org], env);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(`Cannot read ${path.join(root, 'missing.csv')}`);

    const badOption = await candor(['customers', 'import', latin, '--org', org, '--delimiter', '|'], env);
    expect(badOption.code).toBe(1);
    expect(badOption.stderr).toContain('--delimiter must be "," or ";" or tab (got "|")');

    const help = await candor(['customers', 'import', '--help'], env);
    expect(help.code).toBe(0);
    for (const option of [
      '--org',
      '--format',
      '--delimiter',
      '--encoding',
      '--default-country',
      '--mapping',
      '--map',
      '--save-mapping',
      '--resume',
      '--batch-size',
      '--json',
    ])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toMatch(
      /Exit codes:\n +0 +every row was imported.*\n +2 +some rows .*\n +1 +nothing was imported/,
    );
  });

  test('with Candor stopped, the CLI opens the embedded database itself (JSON Lines by the extension)', async () => {
    expect((await server.stop()).code).toBe(0);
    const file = path.join(root, 'more.jsonl');
    const rows = [customerRow(5000), customerRow(5001)];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const run = await candor(
      ['customers', 'import', file, '--org', org],
      { CANDOR_DATA_DIR: dataDir },
      120_000,
    );
    cliOutput.push(run.stdout, run.stderr);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^Starting import [0-9a-f-]{36} \(jsonl, 1 kB, utf-8 detected\)\./m);
    expect(printedCounts(run.stdout)).toEqual({
      read: 2,
      inserted: 2,
      updated: 0,
      unchanged: 0,
      rejected: 0,
    });
  });
});
