import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, testLogger } from '../../../test/app.js';
import { testDbKind } from '../../../test/db.js';
import { noticeSends, unique, type SendSetup } from '../../../test/notice-sends.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { smtpMailer } from '../../platform/mailer.js';
import { createMetrics } from '../../platform/metrics.js';
import { createOutbox } from '../../platform/outbox.js';
import { createNoticeWorker } from './delivery-worker.js';
import { SEND_COMPLETION_QUEUE } from './send-completion.js';

// Sends finish, every time (issue 11): a send is completed by a check after each batch commits,
// in a transaction of its own, and by a sweeper for what a crash right after the last commit left.

const t = await createTestApp();
const logger = testLogger(t);
const sends = noticeSends(t);
const mailer = smtpMailer(t.smtp.url);
// A worker's outbox with claim loops of two rows: a send of four e-mails goes out as two batches,
// one per loop when the two loops run side by side (as the outbox's tick runs them with
// noticeLoops: 2), and both batches are the send's last. Never started: the tests run the loops.
const outbox = createOutbox({
  config: t.config,
  db: t.db,
  logger,
  metrics: createMetrics(),
  mailer: () => mailer,
  noticeBatch: 2,
  noticeLoops: 2,
});
const runLoops = () => Promise.all([outbox.runOnce(), outbox.runOnce()]);
// The real engine and e-mail channel (to the test SMTP server); the fan-out's chunk jobs are run
// by the tests in turn instead of by pg-boss, so nothing else (no timer) touches the sends.
const chunkJobs: unknown[] = [];
const worker = createNoticeWorker({
  db: t.db,
  config: t.config,
  logger,
  outbox,
  smtpUrl: t.smtp.url,
  overrides: {
    sendJob: async (_tx, _job, data) => {
      chunkJobs.push(data);
      return 'held-by-the-test';
    },
  },
});
afterAll(async () => {
  await outbox.stop();
  await worker.close();
  await mailer.close();
});

/** n parties meet: each arrive() resolves once all n have arrived. */
function barrier(n: number) {
  let arrived = 0;
  let release = () => {};
  const all = new Promise<void>((resolve) => (release = resolve));
  return {
    async arrive() {
      arrived += 1;
      if (arrived === n) release();
      await all;
    },
  };
}

/** An organization with e-mail settings, an incident and n affected customers. */
async function setUp(n: number): Promise<SendSetup> {
  const s = await sends.setUp();
  const tag = unique();
  if (n > 0) {
    await sends.addCustomers(
      s,
      Array.from({ length: n }, (_, i) => ({
        externalId: `c-${tag}-${i}`,
        email: sensitive(`c${i}-${tag}@example.test`),
        categories: ['contact_details' as const],
      })),
    );
  }
  return s;
}

/**
 * A new approved notice sent by e-mail to every affected customer, fanned out: its deliveries
 * wait to be claimed.
 */
async function fannedOutSend(s: SendSetup): Promise<string> {
  const { versionId } = await sends.addNotice(s, 'mandatory');
  const sendId = await withOrg(
    t.db,
    s.org,
    async (tx) => {
      const [send] = await tx.query<{ id: string }>(
        `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
         VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers') RETURNING id`,
        [s.org, s.incidentId, versionId],
      );
      return send!.id;
    },
    { system: true },
  );
  await worker.runSend({ organizationId: s.org, sendId });
  for (const job of chunkJobs.splice(0)) await worker.runChunk(job);
  return sendId;
}

async function statusOf(org: string, sendId: string): Promise<string> {
  const [row] = await withOrg(t.db, org, (tx) =>
    tx.query<{ status: string }>('SELECT status FROM notice_sends WHERE id = $1', [sendId]),
  );
  return row!.status;
}

async function completions(org: string, sendId: string) {
  return withOrg(t.db, org, (tx) =>
    tx.query<{ actor_type: string; data: Record<string, number> }>(
      `SELECT actor_type, data FROM audit_events
       WHERE action = 'notice_send.completed' AND target_type = 'notice_send' AND target_id = $1`,
      [sendId],
    ),
  );
}

describe('a send finishes', () => {
  it('its two last batches commit at the same moment: the send is completed, and audited once', async () => {
    const s = await setUp(4);
    const sendId = await fannedOutSend(s);
    expect(await statusOf(s.org, sendId)).toBe('sending');

    const sent = barrier(2);
    const committing = barrier(2);
    const batches: number[] = [];
    outbox.handleNotices({
      ...worker.handler,
      // Both loops hold their sent batch until the other's is sent too: each has claimed its rows
      // before either records, so each batch's check runs while the other's rows are in flight.
      async send(rows) {
        batches.push(rows.length);
        const outcomes = await worker.handler.send(rows);
        await sent.arrive();
        return outcomes;
      },
      // On a server, both record transactions wait here, their outcomes written, and commit
      // together (the engine's own in-transaction hook, if it has one, runs after). The embedded
      // engine has one connection and runs transactions one at a time: a barrier inside two of
      // them would wait for ever, so there the barrier above, where both batches finish sending,
      // is the race (a check inside the second transaction would already see the first commit).
      async recorded(tx, organizationId, sendIds) {
        if (testDbKind === 'server') await committing.arrive();
        await worker.handler.recorded?.(tx, organizationId, sendIds);
      },
    });
    await runLoops();

    expect(batches).toEqual([2, 2]);
    expect(await statusOf(s.org, sendId)).toBe('completed');
    // Both batches' checks ran after their commits; only the one that flipped the status audited.
    expect(await completions(s.org, sendId)).toEqual([{ actor_type: 'system', data: { sent: 4 } }]);
  });

  it('the sweeper completes sends whose work is done but that were left sending, in every organization, once', async () => {
    // A process that died right after committing a send's last batch: its check never ran.
    outbox.handleNotices({ ...worker.handler, settled: undefined });
    const a = await setUp(3);
    const b = await setUp(1);
    const doneA = await fannedOutSend(a);
    const doneB = await fannedOutSend(b);
    await runLoops();
    expect(await statusOf(a.org, doneA)).toBe('sending');
    expect(await statusOf(b.org, doneB)).toBe('sending');
    // A send with work left: fanned out, its messages not yet claimed.
    const waiting = await fannedOutSend(a);

    const sweeper = worker.timers.find((timer) => timer.name === SEND_COMPLETION_QUEUE)!;
    expect(sweeper.cron).toBe('* * * * *');
    // Two sweeps at once (a slow one still running when the next minute's starts): each send is
    // completed by one of them.
    const counts = await Promise.all([sweeper.run(), sweeper.run()]);
    expect(counts[0]! + counts[1]!).toBe(2);
    expect(await statusOf(a.org, doneA)).toBe('completed');
    expect(await statusOf(b.org, doneB)).toBe('completed');
    expect(await statusOf(a.org, waiting)).toBe('sending');
    expect(await sweeper.run()).toBe(0);
    expect(await completions(a.org, doneA)).toEqual([{ actor_type: 'system', data: { sent: 3 } }]);
    expect(await completions(b.org, doneB)).toEqual([{ actor_type: 'system', data: { sent: 1 } }]);

    // The one with work left is completed by the check after its last batch, as ever.
    outbox.handleNotices(worker.handler);
    await runLoops();
    expect(await statusOf(a.org, waiting)).toBe('completed');
    expect(await completions(a.org, waiting)).toEqual([{ actor_type: 'system', data: { sent: 3 } }]);
  });

  it('a send with no one to send to is completed by its fan-out', async () => {
    const s = await setUp(0);
    const sendId = await fannedOutSend(s);
    expect(await statusOf(s.org, sendId)).toBe('completed');
    expect(await completions(s.org, sendId)).toEqual([{ actor_type: 'system', data: {} }]);
  });
});
