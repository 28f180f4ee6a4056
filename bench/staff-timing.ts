// npm run bench:staff-timing [-- REQUESTS]
// Whether a staff e-mail address's existence shows in response times: the app in-process on the
// embedded database, listening on 127.0.0.1, asked over real HTTP, interleaved in random order,
// a wrong password for a known address against one for an unknown address, and a forgot-password
// request for a known address against one for an unknown one. The throttles are cleared before
// each request (outside the timing) so that neither side is ever refused early. Each request's
// wall time and the process's CPU time (server and client share the process, the same on both
// sides) are reported: median, p90 and the known - unknown difference of the medians, with an
// unknown-vs-unknown split of the same run as the noise floor.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { hashPassword } from '../src/modules/accounts/password.js';
import { asApp, openEmbedded, withOrg } from '../src/platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import { createLogger } from '../src/platform/logger.js';
import { createMetrics } from '../src/platform/metrics.js';
import { migrate } from '../src/platform/migrations.js';
import { createOutbox } from '../src/platform/outbox.js';

const requests = Number(process.argv[2] ?? 200);

const dataDir = mkdtempSync(path.join(tmpdir(), 'candor-bench-'));
const key = () => randomBytes(32).toString('base64');
const config = loadConfig({
  CANDOR_DATA_DIR: dataDir,
  CANDOR_PUBLIC_URL: 'http://localhost:3000',
  // Nothing is delivered: what is measured is the response path, not the outbox.
  CANDOR_SMTP_URL: 'smtp://127.0.0.1:9',
  CANDOR_SESSION_SECRET: key(),
  CANDOR_MASTER_KEY: key(),
  CANDOR_AUDIT_KEY: key(),
  CANDOR_METRICS_TOKEN: 'bench',
  LOG_LEVEL: 'silent',
});
const db = await openEmbedded(path.join(dataDir, 'pgdata'));
await migrate(db);
const logger = createLogger({ level: 'silent' });
const metrics = createMetrics();
const outbox = createOutbox({
  config,
  db,
  logger,
  metrics,
  mailer: () => {
    throw new Error('the bench sends no mail');
  },
});
const keyring = organizationKeyring(masterKeyFrom(config.secrets));
const app = await buildApp({ config, db, logger, outbox, metrics, keyring });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;

const org = randomUUID();
const userId = randomUUID();
const knownEmail = 'staff.member@bench.test';
await withOrg(db, org, async (tx) => {
  await tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Bench')`, [org]);
  await tx.query(
    `INSERT INTO users (id, organization_id, email, display_name, password_hash, roles)
     VALUES ($1, $2, $3, 'Staff', $4, $5)`,
    [userId, org, knownEmail, await hashPassword('the right passphrase, not tried'), ['viewer']],
  );
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function post(url: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          origin: config.publicUrl.origin,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface Sample {
  ms: number;
  cpuUs: number;
}

async function timed(url: string, body: unknown, status: number): Promise<Sample> {
  // Every request starts from no failures recorded: no throttle answers early for either side.
  await asApp(db, (tx) => tx.query('DELETE FROM sign_in_throttle'));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const got = await post(url, body);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (got !== status) throw new Error(`${url} answered ${got}, expected ${status}`);
  return { ms, cpuUs: used.user + used.system };
}

const unknownEmail = (i: number) => `nobody-${i}@bench.test`;
const kinds = {
  'sign-in, known address': (i: number) =>
    timed('/api/auth/sign-in', { email: knownEmail, password: `wrong-guess-${i}` }, 401),
  'sign-in, unknown address': (i: number) =>
    timed('/api/auth/sign-in', { email: unknownEmail(i), password: `wrong-guess-${i}` }, 401),
  'forgot-password, known address': () => timed('/api/auth/password-reset', { email: knownEmail }, 202),
  'forgot-password, unknown address': (i: number) =>
    timed('/api/auth/password-reset', { email: unknownEmail(i) }, 202),
} as const;
type Kind = keyof typeof kinds;
const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, [] as Sample[]])) as Record<
  Kind,
  Sample[]
>;

// Warm-up (JIT, PGlite's caches, the first alert window), not counted.
for (let i = 0; i < 20; i++) for (const run of Object.values(kinds)) await run(10_000 + i);

const names = Object.keys(kinds) as Kind[];
for (let i = 0; i < requests; i++) {
  // Each round in a random order: drift over the run falls on every kind alike.
  const order = [...names].sort(() => Math.random() - 0.5);
  for (const kind of order) samples[kind].push(await kinds[kind](i));
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const median = (values: number[]) => quantile(values, 0.5);

console.log(`command: npm run bench:staff-timing -- ${requests}`);
console.log(`requests: ${requests} of each kind, interleaved, over HTTP on 127.0.0.1`);
console.log('kind                               median ms   p90 ms   median CPU ms');
for (const kind of names) {
  const s = samples[kind];
  console.log(
    `${kind.padEnd(34)} ${median(s.map((x) => x.ms))
      .toFixed(2)
      .padStart(9)} ${quantile(
      s.map((x) => x.ms),
      0.9,
    )
      .toFixed(2)
      .padStart(8)} ${(median(s.map((x) => x.cpuUs)) / 1000).toFixed(2).padStart(15)}`,
  );
}
function compare(label: string, known: Sample[], unknown: Sample[]) {
  const wall = median(known.map((x) => x.ms)) - median(unknown.map((x) => x.ms));
  const cpu = (median(known.map((x) => x.cpuUs)) - median(unknown.map((x) => x.cpuUs))) / 1000;
  console.log(
    `${label.padEnd(34)} ${wall.toFixed(2).padStart(9)} ms wall ${cpu.toFixed(2).padStart(8)} ms CPU`,
  );
}
// The noise floor: the unknown side split in two halves (odd and even rounds).
const halves = (s: Sample[]) => [s.filter((_, i) => i % 2 === 0), s.filter((_, i) => i % 2 === 1)] as const;
console.log('difference of medians (known - unknown):');
compare('sign-in', samples['sign-in, known address'], samples['sign-in, unknown address']);
compare(
  'forgot-password',
  samples['forgot-password, known address'],
  samples['forgot-password, unknown address'],
);
compare('noise: sign-in unknown, odd-even', ...halves(samples['sign-in, unknown address']));
compare('noise: forgot unknown, odd-even', ...halves(samples['forgot-password, unknown address']));

agent.destroy();
await app.close();
await db.close();
rmSync(dataDir, { recursive: true, force: true });
