// npm run bench:outbox [-- COUNT]
// Delivery throughput of the outbox (claim with SKIP LOCKED, decrypt, SMTP, mark sent) on the
// embedded database, against a baseline measured in the same run: the same messages sent
// straight through the same pooled nodemailer transport, no database at all.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config.js';
import { openEmbedded, withOrg } from '../src/platform/db.js';
import { createLogger } from '../src/platform/logger.js';
import { smtpMailer } from '../src/platform/mailer.js';
import { createMetrics } from '../src/platform/metrics.js';
import { migrate } from '../src/platform/migrations.js';
import { createOutbox } from '../src/platform/outbox.js';

const count = Number(process.argv[2] ?? 2000);
let received = 0;
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _s, done) {
    stream.resume();
    stream.on('end', () => {
      received++;
      done();
    });
  },
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const url = `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
const message = (i: number) => ({
  to: `person${i}@example.test`,
  subject: `Notice ${i}`,
  text: 'Body '.repeat(200),
});

// Baseline: the transport alone.
const mailer = smtpMailer(url);
let start = performance.now();
await Promise.all(
  Array.from({ length: count }, (_, i) =>
    mailer.send({ from: 'bench@example.test', messageId: `<${i}@bench>`, ...message(i) }),
  ),
);
const baselineMs = performance.now() - start;

// Candidate: the outbox on the embedded database.
const dataDir = mkdtempSync(path.join(tmpdir(), 'candor-bench-'));
const key = () => randomBytes(32).toString('base64');
const config = loadConfig({
  CANDOR_DATA_DIR: dataDir,
  CANDOR_SMTP_URL: url,
  CANDOR_SESSION_SECRET: key(),
  CANDOR_MASTER_KEY: key(),
  CANDOR_AUDIT_KEY: key(),
  CANDOR_METRICS_TOKEN: 'bench',
});
const db = await openEmbedded(path.join(dataDir, 'pgdata'));
await migrate(db);
const org = randomUUID();
const outbox = createOutbox({
  config,
  db,
  logger: createLogger({ level: 'silent' }),
  metrics: createMetrics(),
  mailer: () => mailer,
});
await withOrg(db, org, async (tx) => {
  await tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Bench')`, [org]);
  for (let i = 0; i < count; i++) {
    await outbox.enqueueEmail(tx, org, { purpose: 'bench', idempotencyKey: `b${i}`, message: message(i) });
  }
});
received = 0;
start = performance.now();
const attempted = await outbox.runOnce();
const outboxMs = performance.now() - start;

await mailer.close();
await db.close();
sink.close();
rmSync(dataDir, { recursive: true, force: true });

const rate = (ms: number) => Math.round((count / ms) * 1000);
console.log(`command: npm run bench:outbox -- ${count}`);
console.log(`messages: ${count} (outbox attempted ${attempted}, sink received ${received})`);
console.log(`baseline  nodemailer pool, no database: ${baselineMs.toFixed(0)} ms, ${rate(baselineMs)} msg/s`);
console.log(`outbox    embedded PostgreSQL (PGlite):  ${outboxMs.toFixed(0)} ms, ${rate(outboxMs)} msg/s`);
console.log(`outbox / baseline throughput: ${(rate(outboxMs) / rate(baselineMs)).toFixed(2)}`);
