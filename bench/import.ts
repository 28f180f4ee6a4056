// npm run bench:import [-- ROWS] [--embedded-rows N] [--batch N]
// Customer import throughput: generated customers (English, Czech and Arabic names and addresses)
// imported by runImport into the PostgreSQL server and into the embedded database, against a
// baseline measured in the same run on the same file: PostgreSQL's own `\copy` into a plain,
// unindexed table of text columns on the same server (no parsing of values, no crypto, no upsert).
// The server is BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres; scratch
// databases are created and dropped.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { openEmbedded, openServer, withOrg, type Database } from '../src/platform/db.js';
import { localMasterKey, organizationKeyring } from '../src/platform/keys.js';
import { migrate } from '../src/platform/migrations.js';
import { systemActor } from '../src/modules/audit/audit-service.js';
import { runImport, type ImportSummary } from '../src/modules/customers/customer-import.js';
import { HEADER, writeCustomers } from './import-data.js';

function option(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} needs a positive whole number, got "${process.argv[i + 1] ?? ''}"`);
    process.exit(2);
  }
  return value;
}
const positional = process.argv
  .slice(2)
  .find((a, i, all) => /^\d+$/.test(a) && !all[i - 1]?.startsWith('--'));
const rows = positional ? Number(positional) : 1_000_000;
const embeddedRows = Math.min(option('--embedded-rows') ?? rows, rows);
const batchSize = option('--batch');
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/* ---------- measuring ---------- */

interface Result {
  label: string;
  rows: number;
  ms: number;
  peakRss: number;
  note: string;
  /** CPU time of this process and of the server's backends, microseconds. */
  cpu?: { node: number; server?: number };
}

/** CPU time (user + system, microseconds) of the server processes serving this database now. */
async function backendCpu(db: Database): Promise<Map<number, number>> {
  const pids = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const ticks = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime and stime, in clock ticks of 10 ms.
      ticks.set(pid, (Number(fields[11]) + Number(fields[12])) * 10_000);
    } catch {
      // Not on this machine (a remote server): no figure.
    }
  }
  return ticks;
}

/** Peak resident memory of this process, sampled every 20 ms while fn runs. */
async function measured(fn: () => Promise<string>): Promise<{ ms: number; peakRss: number; note: string }> {
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const note = await fn();
    return { ms: performance.now() - start, peakRss: Math.max(peakRss, process.memoryUsage().rss), note };
  } finally {
    clearInterval(timer);
  }
}

/** Runs a command; resolves with the child's peak RSS (VmHWM, read from /proc while it runs). */
function command(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak = 0;
    const timer = setInterval(() => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        if (kb) peak = Math.max(peak, Number(kb) * 1024);
      } catch {
        // Exited between two samples.
      }
    }, 20);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) resolve(peak);
      else reject(new Error(`${cmd} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

const scratch = (name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/* ---------- the runs ---------- */

const dir = mkdtempSync(path.join(tmpdir(), 'candor-bench-import-'));
const file = path.join(dir, 'customers.csv');
const embeddedFile = path.join(dir, 'customers-embedded.csv');
const database = `candor_bench_import_${process.pid}`;
const admin = openServer(serverUrl, { max: 1 });
const results: Result[] = [];
const keyring = organizationKeyring(localMasterKey(randomBytes(32)));
const auditKey = randomBytes(32);

async function importInto(db: Database, label: string, source: string, count: number) {
  const org = randomUUID();
  await withOrg(db, org, (tx) =>
    tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Bench')`, [org]),
  );
  let summary: ImportSummary | undefined;
  const server = db.kind === 'server';
  const before = server ? await backendCpu(db) : new Map<number, number>();
  const nodeBefore = process.cpuUsage();
  const m = await measured(async () => {
    summary = await runImport(
      { db, keyring, auditKey },
      org,
      systemActor(),
      createReadStream(source, { highWaterMark: 1 << 20 }),
      { format: 'csv', ...(batchSize ? { batchSize } : {}) },
    );
    return `${summary.status}: inserted ${summary.inserted}, rejected ${summary.rejected}, ${summary.batches} batches`;
  });
  const nodeCpu = process.cpuUsage(nodeBefore);
  let serverCpu: number | undefined;
  if (server) {
    const after = await backendCpu(db);
    serverCpu = [...after].reduce((sum, [pid, us]) => sum + us - (before.get(pid) ?? 0), 0) || undefined;
  }
  if (summary?.read !== count) throw new Error(`${label}: read ${summary?.read} rows of ${count}`);
  results.push({
    label,
    rows: count,
    ...m,
    cpu: { node: nodeCpu.user + nodeCpu.system, ...(serverCpu ? { server: serverCpu } : {}) },
  });
}

try {
  let start = performance.now();
  const bytes = await writeCustomers(file, rows);
  console.log(
    `generated ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB, in ${(performance.now() - start).toFixed(0)} ms`,
  );
  if (embeddedRows < rows) await writeCustomers(embeddedFile, embeddedRows);

  await admin.exec(`CREATE DATABASE ${database}`);
  const db = openServer(scratch(database), { max: 2 });
  try {
    // (a) Baseline: psql's \copy of the same file into a plain table of text columns.
    const columns = HEADER.split(',').map((c) => `"${c}" text`);
    await db.exec(`CREATE TABLE plain (${columns.join(', ')})`);
    let childRss = 0;
    const baseline = await measured(async () => {
      childRss = await command('psql', [
        scratch(database),
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy plain FROM '${file}' CSV HEADER`,
      ]);
      return 'psql \\copy into a plain unindexed table';
    });
    const copied = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM plain'))[0]!.n;
    if (copied !== rows) throw new Error(`\\copy loaded ${copied} rows of ${rows}`);
    results.push({ label: 'baseline psql \\copy', rows, ...baseline, peakRss: childRss });
    await db.exec('DROP TABLE plain');

    // (b) runImport into PostgreSQL.
    await migrate(db);
    await importInto(db, 'runImport PostgreSQL', file, rows);
  } finally {
    await db.close();
    await admin.exec(`DROP DATABASE IF EXISTS ${database}`);
  }

  // (c) runImport into the embedded database, in a fresh data directory.
  start = performance.now();
  const embedded = await openEmbedded(path.join(dir, 'pgdata'));
  try {
    await migrate(embedded);
    await importInto(embedded, 'runImport embedded', embeddedRows < rows ? embeddedFile : file, embeddedRows);
  } finally {
    await embedded.close();
  }
} finally {
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
}

const rate = (r: Result) => (r.rows / r.ms) * 1000;
const base = rate(results[0]!);
console.log(
  `command: npm run bench:import -- ${rows}${embeddedRows < rows ? ` --embedded-rows ${embeddedRows}` : ''}${batchSize ? ` --batch ${batchSize}` : ''}`,
);
if (embeddedRows < rows)
  console.log(`the embedded run imports the first ${embeddedRows} rows only (--embedded-rows)`);
for (const r of results) {
  console.log(
    `${r.label.padEnd(22)} ${String(r.rows).padStart(8)} rows  ${(r.ms / 1000).toFixed(1).padStart(7)} s  ` +
      `${Math.round(rate(r)).toString().padStart(7)} rows/s  peak RSS ${(r.peakRss / 2 ** 20).toFixed(0).padStart(5)} MiB  ` +
      `${(rate(r) / base).toFixed(3)} x baseline  ${r.note}`,
  );
}
for (const r of results) {
  if (!r.cpu) continue;
  const perRow = (us: number) => `${(us / r.rows).toFixed(1)} µs/row`;
  console.log(
    `${r.label.padEnd(22)} CPU: this process ${perRow(r.cpu.node)}` +
      (r.cpu.server ? `, PostgreSQL backends ${perRow(r.cpu.server)}` : ''),
  );
}
console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores`,
);
console.log(
  'peak RSS: of psql for the baseline; of this process (the embedded database included) for the imports',
);
