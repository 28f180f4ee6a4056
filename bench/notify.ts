// npm run bench:notify [-- N] [--million] [--customers N] [--baseline N] [--bounces N] [--loops N] [--rounds R]
//                        [--timeout-minutes M]
//
// The notification engine end to end on PostgreSQL: N affected customers (100,000 unless given;
// 1,000,000 with --million) in en, cs and ar, from the approved notice's send request to the last
// message accepted by Debian's smtp-sink on 127.0.0.1, every message composed and DKIM-signed by
// Candor with the organization's key and sent through nodemailer's SMTP pool (mail-transport.ts).
// The engine runs R times (--rounds, 1 unless given), each a send of its own notice to the same
// customers. For each: notices/s, time to first and last message, and the CPU time of this process
// per notice (process.cpuUsage: the engine's worker, pg-boss and the signing threads run in it;
// PostgreSQL and smtp-sink do not).
//
// Baseline in the same run: plain nodemailer with its own DKIM, pool: true, maxConnections: 8,
// unlimited maxMessages, sending the same rendered content to the same sink (a sample of
// --baseline messages, 5,000 by default: its rate is what matters); and Candor's e-mail channel
// alone (no database per message), the same sample. Then --bounces (2,000) RFC 3464 reports for
// the last send's deliveries: parsed alone (postal-mime, bounce-parse.ts) and end to end through
// the inbound handler.
//
// One file over 400 lines on purpose: it reads top to bottom as the run it makes (set-up,
// baseline, channel, engine, bounces), each phase using what the one before it left.
//
// Needs: PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres;
// a scratch database is created and dropped) and /usr/sbin/smtp-sink (apt-get install postfix:
// only that binary is run, never the postfix daemon).
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { emailIndex } from '../src/modules/customers/customer-repo.js';
import { DATA_CATEGORIES } from '../src/modules/incidents/incident-model.js';
import { parseBounce } from '../src/modules/notices/bounce-parse.js';
import { handleInbound } from '../src/modules/notices/bounce-smtp.js';
import { createEmailChannel } from '../src/modules/notices/channel-email.js';
import { createNoticeWorker } from '../src/modules/notices/delivery-worker.js';
import { noticeSendJob } from '../src/modules/notices/notice-sends.js';
import { loadSigningSettings, saveEmailSettings } from '../src/modules/notices/email-settings.js';
import type { NoticeLocale, RenderedNotice } from '../src/modules/notices/notice-contracts.js';
import { loadRenderer } from '../src/modules/notices/notice-render.js';
import { templateFor } from '../src/modules/notices/notice-templates.js';
import { verpAddress } from '../src/modules/notices/verp.js';
import { seal } from '../src/platform/crypto.js';
import { openServer, withOrg } from '../src/platform/db.js';
import { sendJob, startJobs } from '../src/platform/jobs.js';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import { createLogger } from '../src/platform/logger.js';
import { createMetrics } from '../src/platform/metrics.js';
import { migrate } from '../src/platform/migrations.js';
import { createOutbox } from '../src/platform/outbox.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
// The first argument that is neither an option nor an option's value: the number of customers.
const positional = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const customers = args.includes('--million')
  ? 1_000_000
  : Number(option('customers') ?? positional ?? 100_000);
const baselineCount = Number(option('baseline') ?? 5_000);
const rounds = Number(option('rounds') ?? 1);
const timeoutMs = Number(option('timeout-minutes') ?? 30) * 60_000;
if (!Number.isInteger(customers) || customers < 1)
  throw new Error('--customers must be a positive whole number');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SINK = '/usr/sbin/smtp-sink';

// Bounded runtime: whatever happens, the run ends.
const watchdog = setTimeout(() => {
  console.error(`bench:notify: gave up after ${timeoutMs / 60_000} minutes`);
  process.exit(2);
}, timeoutMs);
watchdog.unref();

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// smtp-sink: accepts every message and throws it away; -u drops root privileges.
const sinkPort = await freePort();
const sink = spawn(SINK, ['-u', 'nobody', `127.0.0.1:${sinkPort}`, '1024'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
sink.stderr.on('data', (d: Buffer) => process.stderr.write(`smtp-sink: ${d.toString()}`));
const sinkUrl = `smtp://127.0.0.1:${sinkPort}`;
await new Promise((r) => setTimeout(r, 300));
if (sink.exitCode !== null) throw new Error(`${SINK} did not start (is postfix installed?)`);

// A scratch database on the PostgreSQL server.
const dbName = `candor_bench_notify_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;
const key = () => randomBytes(32).toString('base64');
const config = loadConfig({
  NODE_ENV: 'development',
  DATABASE_URL: dbUrl.toString(),
  CANDOR_SMTP_URL: sinkUrl,
  CANDOR_PUBLIC_URL: 'https://candor.bench.test',
  CANDOR_SESSION_SECRET: key(),
  CANDOR_MASTER_KEY: key(),
  CANDOR_AUDIT_KEY: key(),
  CANDOR_METRICS_TOKEN: 'bench-metrics-token',
  LOG_LEVEL: 'warn',
});
const db = openServer(dbUrl.toString(), { max: 12 });
const logger = createLogger({ level: 'warn' });

async function cleanUp() {
  clearInterval(sampler);
  await db.close().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.end().catch(() => undefined);
  sink.kill('SIGTERM');
}

try {
  await migrate(db);
  const keyring = organizationKeyring(masterKeyFrom(config.secrets));
  const org = randomUUID();
  const locales: NoticeLocale[] = ['en', 'cs', 'ar'];

  // The organization, its e-mail settings (Candor's DKIM key), an incident with an approved notice.
  const setupStart = performance.now();
  const { incidentId, versionId, authorId, approverId } = await withOrg(
    db,
    org,
    async (tx) => {
      await tx.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Bench shop')`, [org]);
      const keys = await keyring.get(tx, org);
      await saveEmailSettings(tx, keys, org, {
        fromAddress: 'notices@shop.example',
        fromName: 'Bench shop',
        dkimSelector: 'bench',
      });
      const users = await tx.query<{ id: string }>(
        `INSERT INTO users (organization_id, email, display_name, password_hash, roles)
         VALUES ($1, 'author@shop.example', 'Author', 'x', '{communications}'),
                ($1, 'legal@shop.example', 'Legal', 'x', '{legal}') RETURNING id`,
        [org],
      );
      const [incident] = await tx.query<{ id: string }>(
        `INSERT INTO incidents (organization_id, number, title, type, severity, state, data_categories)
         VALUES ($1, 1, 'Card data exposed', 'data_breach', 'SEV1', 'contained', $2) RETURNING id`,
        [org, [...DATA_CATEGORIES]],
      );
      const [notice] = await tx.query<{ id: string }>(
        `INSERT INTO notices (organization_id, incident_id, kind, created_by) VALUES ($1, $2, 'mandatory', $3) RETURNING id`,
        [org, incident!.id, users[0]!.id],
      );
      const content = templateFor({ type: 'data_breach', hasSupportUrl: false, hasLookupUrl: false });
      const [version] = await tx.query<{ id: string }>(
        `INSERT INTO notice_versions (organization_id, incident_id, notice_id, version, content, author_id, approved_by, approved_at)
         VALUES ($1, $2, $3, 1, $4, $5, $6, now()) RETURNING id`,
        [org, incident!.id, notice!.id, JSON.stringify(content), users[0]!.id, users[1]!.id],
      );
      return {
        incidentId: incident!.id,
        versionId: version!.id,
        authorId: users[0]!.id,
        approverId: users[1]!.id,
      };
    },
    { system: true },
  );

  // The affected customers, in batches of 5,000 rows per statement: sealed personal record,
  // blind index, language rotating en / cs / ar.
  const BATCH = 5_000;
  for (let from = 0; from < customers; from += BATCH) {
    await withOrg(
      db,
      org,
      async (tx) => {
        const keys = await keyring.get(tx, org);
        const rows = [];
        for (let i = from; i < Math.min(customers, from + BATCH); i++) {
          const id = randomUUID();
          const email = `customer${i}@example${i % 50}.test`;
          const personal = seal(
            keys.data(keys.dataVersion),
            JSON.stringify({ name: `Customer ${i}`, email, phone: null, address: null, attributes: {} }),
            `customer:${id}`,
          );
          rows.push({
            id,
            external_id: `c${i}`,
            personal: `\\x${personal.toString('hex')}`,
            key_version: keys.dataVersion,
            email_index: emailIndex(keys, email),
            language: locales[i % 3],
            categories: DATA_CATEGORIES.filter((_, j) => j === i % DATA_CATEGORIES.length || j === 0),
          });
        }
        await tx.query(
          `INSERT INTO customers (id, organization_id, external_id, personal, key_version, email_index, language,
             time_zone, country, tags, attributes, consent_email, consent_sms, consent_webhook)
           SELECT r.id, $1, r.external_id, decode(substr(r.personal, 3), 'hex'), r.key_version, r.email_index, r.language,
             'Europe/Prague', 'CZ', '{}', '{}', true, false, false
           FROM json_to_recordset($2::json) AS r(id uuid, external_id text, personal text, key_version int,
             email_index text, language text)`,
          [org, JSON.stringify(rows)],
        );
        await tx.query(
          `INSERT INTO incident_affected_customers (organization_id, incident_id, customer_id, data_categories, source)
           SELECT $1, $2, r.id, r.categories, 'file' FROM json_to_recordset($3::json) AS r(id uuid, categories text[])`,
          [org, incidentId, JSON.stringify(rows.map((r) => ({ id: r.id, categories: r.categories })))],
        );
      },
      { system: true },
    );
  }
  await db.query('ANALYZE');
  const setupMs = performance.now() - setupStart;

  // Another approved notice of the incident, the same content: each engine run sends its own, as
  // deliveries are unique per notice version and customer.
  const approvedVersion = () =>
    withOrg(
      db,
      org,
      async (tx) => {
        const [notice] = await tx.query<{ id: string }>(
          `INSERT INTO notices (organization_id, incident_id, kind, created_by) VALUES ($1, $2, 'mandatory', $3) RETURNING id`,
          [org, incidentId, authorId],
        );
        const content = templateFor({ type: 'data_breach', hasSupportUrl: false, hasLookupUrl: false });
        const [version] = await tx.query<{ id: string }>(
          `INSERT INTO notice_versions (organization_id, incident_id, notice_id, version, content, author_id, approved_by, approved_at)
           VALUES ($1, $2, $3, 1, $4, $5, $6, now()) RETURNING id`,
          [org, incidentId, notice!.id, JSON.stringify(content), authorId, approverId],
        );
        return version!.id;
      },
      { system: true },
    );

  // Baseline: the same rendered content, plain nodemailer with its own DKIM, to the same sink.
  const sample = await withOrg(
    db,
    org,
    async (tx) => {
      const keys = await keyring.get(tx, org);
      const render = await loadRenderer(tx, org, versionId);
      const signing = (await loadSigningSettings(tx, keys, org))!;
      const rendered: RenderedNotice[] = locales.map((locale, i) =>
        render({
          customerId: randomUUID(),
          name: `Customer ${i}`,
          locale,
          timeZone: 'Europe/Prague',
          categories: ['contact_details', 'payment_card'],
          verificationCode: 'K7QF-2M9X-D4TA',
        }),
      );
      return { rendered, signing };
    },
    { system: true },
  );

  /** Wall time and this process's CPU time (user + system, all threads) of one phase. */
  async function measured<T>(work: () => Promise<T>) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await work();
    const used = process.cpuUsage(cpu);
    return { result, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
  }

  const baseline = await measured(async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sinkPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 8,
      maxMessages: Infinity,
      dkim: {
        domainName: sample.signing.domain,
        keySelector: sample.signing.dkimSelector,
        privateKey: sample.signing.privateKey,
      },
    });
    await Promise.all(
      Array.from({ length: baselineCount }, (_, i) => {
        const r = sample.rendered[i % 3]!;
        return transport.sendMail({
          from: { name: 'Bench shop', address: sample.signing.fromAddress },
          to: `customer${i}@example${i % 50}.test`,
          subject: r.subject,
          text: r.text,
          html: r.html,
          messageId: `<baseline-${i}@bench.test>`,
        });
      }),
    );
    transport.close();
  });

  // The channel alone (no database per message): what the engine's sending side can reach.
  const channel = createEmailChannel({
    db,
    keyring,
    smtpUrl: sinkUrl,
    email: config.email,
    publicUrl: config.publicUrl,
  });
  const alone = await measured(() =>
    Promise.all(
      Array.from({ length: baselineCount }, (_, i) =>
        channel.send({
          deliveryId: randomUUID(),
          organizationId: org,
          channel: 'email',
          kind: 'mandatory',
          to: `customer${i}@example${i % 50}.test`,
          messageId: `<channel-${i}@bench.test>`,
          rendered: sample.rendered[i % 3]!,
        }),
      ),
    ),
  );
  await channel.close();
  if (alone.result.some((r) => r.outcome !== 'accepted'))
    throw new Error('the channel alone did not send everything');

  /** One send through the engine: the outbox's workers with the notice handler, pg-boss for the fan-out jobs. */
  async function engine() {
    const noticeVersionId = await approvedVersion();
    const outbox = createOutbox({
      config,
      db,
      logger,
      metrics: createMetrics(),
      mailer: () => {
        throw new Error('no platform mail in this bench');
      },
      pollMs: 50,
      noticeLoops: Number(option('loops') ?? config.email.deliveryLoops),
    });
    const worker = createNoticeWorker({
      db,
      config,
      logger,
      outbox,
      smtpUrl: sinkUrl,
    });
    worker.attach();
    const jobs = await startJobs({ db, databaseUrl: dbUrl.toString(), logger, timers: worker.timers });
    outbox.start();

    // Approval done: the send request, "send now".
    const start = Date.now();
    const cpu = process.cpuUsage();
    const sendId = await withOrg(
      db,
      org,
      async (tx) =>
        (
          await tx.query<{ id: string }>(
            `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
             VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers') RETURNING id`,
            [org, incidentId, noticeVersionId],
          )
        )[0]!.id,
      { system: true },
    );
    await db.transaction((tx) => sendJob(tx, noticeSendJob, { organizationId: org, sendId }));

    // Polled cheaply: the send's status (completed when nothing waits or is in flight), not a count
    // over its rows, which at a million rows costs PostgreSQL more than a second each time.
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const [send] = await db.query<{ status: string }>('SELECT status FROM notice_sends WHERE id = $1', [
        sendId,
      ]);
      if (process.stdout.isTTY) {
        const [n] = await db.query<{ sent: number }>(
          `SELECT coalesce(sum(n), 0)::int AS sent FROM delivery_counts WHERE send_id = $1 AND status = 'sent'`,
          [sendId],
        );
        process.stdout.write(`\r${n!.sent} sent`);
      }
      if (send?.status === 'completed' || send?.status === 'cancelled') break;
    }
    const used = process.cpuUsage(cpu);
    const [last] = await db.query<{ sent: number; failed: number; first: Date; last: Date }>(
      `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              min(sent_at) AS first, max(sent_at) AS last
       FROM deliveries WHERE send_id = $1`,
      [sendId],
    );
    if (process.stdout.isTTY) process.stdout.write('\n');
    await outbox.stop();
    await jobs.stop();
    await worker.close();
    // The next send starts on a vacuumed table.
    await db.exec('VACUUM ANALYZE deliveries, delivery_counts');
    return {
      sendId,
      sent: last!.sent,
      failed: last!.failed,
      firstMs: last!.first.getTime() - start,
      lastMs: last!.last.getTime() - start,
      cpuMs: (used.user + used.system) / 1000,
    };
  }

  const runs: Awaited<ReturnType<typeof engine>>[] = [];
  for (let round = 0; round < rounds; round++) runs.push(await engine());

  // Bounces for the last send's first deliveries, as a receiving MTA writes them (RFC 3464, the
  // returned headers as text/rfc822-headers): parsed alone, then end to end through the inbound
  // listener's handler (parse, VERP check, the delivery and suppression updated).
  const lastSend = runs.at(-1)!.sendId;
  const bounced = await db.query<{ id: string; external_id: string }>(
    `SELECT d.id, c.external_id FROM deliveries d JOIN customers c ON c.id = d.customer_id
     WHERE d.send_id = $1 ORDER BY d.id LIMIT $2`,
    [lastSend, Number(option('bounces') ?? 2_000)],
  );
  const keys = await withOrg(db, org, (tx) => keyring.get(tx, org), { system: true });
  const reports = bounced.map((d) => {
    const i = Number(d.external_id.slice(1));
    const to = `customer${i}@example${i % 50}.test`;
    const verp = verpAddress(keys, 'bounce', d.id, config.email.bounceDomain);
    const raw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      `To: ${verp}`,
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
      '',
      '--BOUNDARY',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.example.net. Your message could not be delivered.',
      '',
      '--BOUNDARY',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      '',
      `Final-Recipient: rfc822; ${to}`,
      `Original-Recipient: rfc822;${to}`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
      '',
      '--BOUNDARY',
      'Content-Type: text/rfc822-headers',
      '',
      'From: "Bench shop" <notices@shop.example>',
      `To: ${to}`,
      'Subject: Notice',
      '',
      '--BOUNDARY--',
      '',
    ].join('\r\n');
    return { verp, raw: Buffer.from(raw) };
  });
  const parsed = await measured(async () => {
    for (const r of reports) if (!(await parseBounce(r.raw))) throw new Error('a report was not read');
  });
  const bounceDeps = { db, keyring, auditKey: config.secrets.auditKey };
  const inbound = await measured(async () => {
    const outcomes = [];
    for (const r of reports) outcomes.push(...(await handleInbound(bounceDeps, [r.verp], r.raw)));
    return outcomes;
  });
  if (inbound.result.some((o) => o !== 'applied')) throw new Error('a bounce was not applied');

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const perNotice = (cpuMs: number, n: number) => `${((cpuMs / n) * 1000).toFixed(0)} µs CPU/notice`;
  console.log(`command: npm run bench:notify -- ${args.join(' ')}`.trim());
  console.log(
    `customers: ${customers} affected (en/cs/ar), set up in ${(setupMs / 1000).toFixed(1)} s (not timed below); ` +
      `${rounds} send(s) of the same notice`,
  );
  console.log(
    'engine    Candor compose + DKIM, nodemailer pool (raw + envelope), via the outbox on PostgreSQL',
  );
  const rates: number[] = [];
  for (const r of runs) {
    rates.push(rate(r.sent, r.lastMs));
    console.log(
      `          sent ${r.sent}, failed ${r.failed}; first ${(r.firstMs / 1000).toFixed(2)} s, last ${(r.lastMs / 1000).toFixed(1)} s: ` +
        `${rate(r.sent, r.lastMs)} notices/s, ${perNotice(r.cpuMs, r.sent)}`,
    );
  }
  const engineRate = rates.reduce((a, b) => a + b, 0) / rates.length;
  const baselineRate = rate(baselineCount, baseline.ms);
  console.log(
    `baseline  plain nodemailer pool (8 connections) + its own DKIM, ${baselineCount} messages: ` +
      `${baselineRate} msg/s, ${perNotice(baseline.cpuMs, baselineCount)}`,
  );
  console.log(
    `channel   Candor's e-mail channel alone (${config.email.maxConnections} connections), ${baselineCount} messages: ` +
      `${rate(baselineCount, alone.ms)} msg/s, ${perNotice(alone.cpuMs, baselineCount)}`,
  );
  console.log(`engine / baseline: ${(engineRate / baselineRate).toFixed(2)} x`);
  const n = reports.length;
  const perReport = (cpuMs: number) => `${((cpuMs / n) * 1000).toFixed(0)} µs CPU/report`;
  console.log(`bounces   ${n} RFC 3464 reports for the last send's deliveries`);
  console.log(`          parsed alone (postal-mime, bounce-parse.ts): ${perReport(parsed.cpuMs)}`);
  console.log(
    `          end to end (handleInbound, one at a time): ${rate(n, inbound.ms)} reports/s, ${perReport(inbound.cpuMs)}`,
  );
  console.log(`peak RSS of the process: ${Math.round(peakRss / 1024 / 1024)} MiB`);
} finally {
  await cleanUp();
  clearTimeout(watchdog);
}
