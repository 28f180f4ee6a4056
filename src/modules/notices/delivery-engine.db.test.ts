import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createUser, sessionFor } from '../../../test/factories.js';
import { noticeSends, unique, until, type SendSetup } from '../../../test/notice-sends.js';
import { startTestNoticeWorker } from '../../../test/notice-worker.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { DATA_CATEGORIES, type DataCategory } from '../incidents/incident-model.js';
import { cancelSend, pauseSend, resendFailed, resumeSend } from './delivery-control.js';
import { VACUUM_QUEUE } from './delivery-worker.js';
import type { EmailDnsGuidance } from './email-settings.js';
import type { NoticeLocale } from './notice-contracts.js';
import { categoryList } from './notice-render.js';
import { addTestRecipient } from './notice-test-recipients.js';
import { isSuppressed } from './suppression.js';

const t = await createTestApp();
// Retries after 200–300 ms instead of 10 s and up: the backoff's shape is the outbox's own test.
const { worker } = await startTestNoticeWorker(t, {
  overrides: { chunkSize: 250, retryDelayMs: () => 200 + Math.random() * 100 },
});
const sends = noticeSends(t);
const { keyring, queueSendJob, setUp, requestSend, progress, completed } = sends;

interface Person {
  externalId: string;
  email: string;
  language: string;
  locale: NoticeLocale;
  categories: DataCategory[];
}

const LANGUAGES: [string, NoticeLocale][] = [
  ['en', 'en'],
  ['cs-CZ', 'cs'],
  ['ar', 'ar'],
  ['de', 'en'], // not a notice language: the organization's default
];

/** n customers in turn in each language, each with its own set of categories, marked affected. */
async function addCustomers(s: SendSetup, n: number): Promise<Person[]> {
  const tag = unique();
  const people: Person[] = Array.from({ length: n }, (_, i) => {
    const [language, locale] = LANGUAGES[i % LANGUAGES.length]!;
    const categories = DATA_CATEGORIES.filter(
      (_, j) => (i >> j) % 2 === 1 || j === i % DATA_CATEGORIES.length,
    ).sort();
    return {
      externalId: `c-${tag}-${i}`,
      email: sensitive(`c${i}-${tag}@example.test`),
      language,
      locale,
      categories,
    };
  });
  await sends.addCustomers(s, people);
  return people;
}

const mailTo = (address: string) => t.smtp.received.filter((m) => m.to.includes(address.toLowerCase()));

describe('notice delivery', () => {
  it('a notice to 1,000 customers in three languages: one message each, in their language, naming their own categories, DKIM-verified', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 1000);
    const sendId = await requestSend(s);
    const done = await completed(s.org, sendId);
    expect(done.totals).toMatchObject({ sent: 1000, failed: 0, pending: 0, sending: 0 });
    expect(done.chunks).toEqual({ total: 4, done: 4 });
    expect(done.recipients).toBe(1000);

    const shown = (await s.admin.get('/api/email-settings')).json<{ dns: EmailDnsGuidance }>();
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === shown.dns.dkim.name) return [shown.dns.dkim.strings];
      throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
    };
    const rows = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ external_id: string; message_id: string; locale: string }>(
        `SELECT c.external_id, d.message_id, d.locale FROM deliveries d JOIN customers c ON c.id = d.customer_id WHERE d.send_id = $1`,
        [sendId],
      ),
    );
    const byExternal = new Map(rows.map((r) => [r.external_id, r]));
    for (const p of people) {
      const mails = mailTo(p.email);
      expect(mails, p.externalId).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.parsed.headers.get('content-language')).toBe(p.locale);
      expect(byExternal.get(p.externalId)!.locale).toBe(p.locale);
      expect(mail.parsed.messageId).toBe(byExternal.get(p.externalId)!.message_id);
      // Their own categories, as the localised list: another customer's set would not match.
      expect(mail.parsed.text).toContain(categoryList(p.locale, p.categories));
      const others = DATA_CATEGORIES.filter((c) => !p.categories.includes(c));
      if (others.length)
        expect(mail.parsed.text).not.toContain(categoryList(p.locale, [...p.categories, others[0]!]));
      if (p.locale === 'ar') expect(mail.parsed.html).toMatch(/<html[^>]*dir="rtl"/);
      else expect(mail.parsed.html).toMatch(/<html[^>]*dir="ltr"/);
    }
    // Every signature verifies against the TXT record the admin app shows.
    const sample = people.map((p) => mailTo(p.email)[0]!);
    const outcomes = new Map<string, number>();
    for (const mail of sample) {
      const result = await dkimVerify(Buffer.from(mail.raw), { resolver });
      const status = result.results[0]?.status as { result: string; comment?: string } | undefined;
      const key = `${String(mail.parsed.headers.get('content-language'))}:${status?.result}:${status?.comment ?? ''}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    // Every one passes: a failure lists language, result and reason with its count.
    expect([...outcomes].filter(([k]) => !k.includes(':pass:'))).toEqual([]);
  }, 240_000);

  it('421 and then 451 for a while, then accepted: every message delivered after retries', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 4);
    t.smtp.reject(421, 3);
    const sendId = await requestSend(s);
    await until('a 421 recorded', async () =>
      withOrg(
        t.db,
        s.org,
        async (tx) =>
          (
            await tx.query(`SELECT 1 FROM deliveries WHERE send_id = $1 AND last_error LIKE '%421%'`, [
              sendId,
            ])
          ).length > 0,
      ),
    );
    t.smtp.reject(451, 4);
    const done = await completed(s.org, sendId);
    expect(done.totals).toMatchObject({ sent: 4, failed: 0 });
    const attempts = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ attempts: number }>('SELECT attempts FROM deliveries WHERE send_id = $1', [sendId]),
    );
    expect(attempts.reduce((n, r) => n + r.attempts, 0)).toBeGreaterThanOrEqual(4 + 7);
    for (const p of people) expect(mailTo(p.email)).toHaveLength(1);
  }, 120_000);

  it('550: recorded as permanent, never retried, the address suppressed; resend to the failed skips it', async () => {
    const s = await setUp();
    const [person] = await addCustomers(s, 1);
    t.smtp.reject(550, 1);
    const sendId = await requestSend(s);
    const done = await completed(s.org, sendId);
    expect(done.totals).toMatchObject({ failed: 1, sent: 0 });
    const [row] = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ status: string; attempts: number; last_error: string }>(
        'SELECT status, attempts, last_error FROM deliveries WHERE send_id = $1',
        [sendId],
      ),
    );
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.last_error).toMatch(/550/);
    expect(row!.last_error).not.toContain(person!.email);
    expect(
      await withOrg(t.db, s.org, async (tx) =>
        isSuppressed(tx, await keyring.get(tx, s.org), 'email', person!.email),
      ),
    ).toBe(true);
    // Not retried on its own:
    await new Promise((r) => setTimeout(r, 1000));
    expect(mailTo(person!.email)).toHaveLength(0);
    // Resend to the failed: the suppressed address is skipped, not mailed, and listed as suppressed.
    expect(await withOrg(t.db, s.org, (tx) => resendFailed(tx, sendId), { system: true })).toBe(1);
    const again = await completed(s.org, sendId);
    expect(again.totals).toMatchObject({ suppressed: 1, failed: 0, cancelled: 0 });
    expect(mailTo(person!.email)).toHaveLength(0);
  }, 60_000);

  it('resend to the failed only: a 554 (not a mailbox refusal) fails; resent, it arrives with the same Message-ID', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 3);
    t.smtp.reject(554, 1);
    const sendId = await requestSend(s);
    const done = await completed(s.org, sendId);
    expect(done.totals).toMatchObject({ failed: 1, sent: 2 });
    const before = t.smtp.received.length;
    const [failed] = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ message_id: string }>(
        `SELECT message_id FROM deliveries WHERE send_id = $1 AND status = 'failed'`,
        [sendId],
      ),
    );
    expect(await withOrg(t.db, s.org, (tx) => resendFailed(tx, sendId), { system: true })).toBe(1);
    const again = await completed(s.org, sendId);
    expect(again.totals).toMatchObject({ failed: 0, sent: 3 });
    expect(t.smtp.received.length - before).toBe(1);
    expect(t.smtp.received.at(-1)!.parsed.messageId).toBe(failed!.message_id);
    for (const p of people) expect(mailTo(p.email)).toHaveLength(1);
  }, 60_000);

  it('pause stops claiming, resume continues, cancel cancels what waits', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 300);
    const sendId = await requestSend(s);
    // Paused once some, not all, have gone out.
    await until('the first messages', async () => people.some((p) => mailTo(p.email).length > 0));
    expect(await withOrg(t.db, s.org, (tx) => pauseSend(tx, sendId), { system: true })).toBe('paused');
    // In-flight messages finish; then nothing more is claimed.
    await until('no message in flight', async () => {
      const p = await progress(s.org, sendId);
      return p.totals.sending === 0;
    });
    const atPause = people.filter((p) => mailTo(p.email).length > 0).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(people.filter((p) => mailTo(p.email).length > 0).length).toBe(atPause);
    const paused = await progress(s.org, sendId);
    expect(paused.status).toBe('paused');
    expect(atPause).toBeLessThan(300);

    await withOrg(t.db, s.org, (tx) => resumeSend(tx, sendId, t.config.secrets.auditKey), { system: true });
    await until(
      'more messages after resume',
      async () => people.filter((p) => mailTo(p.email).length > 0).length > atPause,
    );
    const cancelled = await withOrg(t.db, s.org, (tx) => cancelSend(tx, sendId), { system: true });
    await until(
      'no message in flight after cancel',
      async () => (await progress(s.org, sendId)).totals.sending === 0,
    );
    const final = await progress(s.org, sendId);
    expect(final.status).toBe('cancelled');
    expect(final.totals.pending + final.totals.paused).toBe(0);
    const sent = people.filter((p) => mailTo(p.email).length > 0).length;
    expect(final.totals.sent).toBe(sent);
    if (cancelled > 0) expect(sent).toBeLessThan(300);
    for (const p of people) expect(mailTo(p.email).length).toBeLessThanOrEqual(1);
  }, 120_000);

  it('an exercise incident with real customers and two test recipients: only the two receive mail', async () => {
    const s = await setUp({ exercise: true });
    const people = await addCustomers(s, 5);
    const testers = [
      sensitive(`tester-a-${unique()}@example.test`),
      sensitive(`tester-b-${unique()}@example.test`),
    ];
    await withOrg(t.db, s.org, async (tx) => {
      const keys = await keyring.get(tx, s.org);
      await addTestRecipient(tx, keys, s.org, {
        name: sensitive('Tester A'),
        locale: 'cs',
        email: testers[0]!,
      });
      await addTestRecipient(tx, keys, s.org, {
        name: sensitive('Tester B'),
        locale: 'ar',
        email: testers[1]!,
      });
    });
    const before = t.smtp.received.length;
    // Even a request that names the customers: an exercise reaches the test recipients only.
    const sendId = await requestSend(s, { audience: 'customers' });
    const done = await completed(s.org, sendId);
    expect(done.totals.sent).toBe(2);
    expect(
      t.smtp.received
        .slice(before)
        .flatMap((m) => m.to)
        .sort(),
    ).toEqual(testers.map((a) => a.toLowerCase()).sort());
    for (const p of people) expect(mailTo(p.email)).toHaveLength(0);
    expect(mailTo(testers[1]!)[0]!.parsed.html).toMatch(/<html[^>]*dir="rtl"/);
  }, 60_000);

  it('the send job and a chunk job run twice: no delivery is written twice', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 10);
    const sendId = await requestSend(s);
    await queueSendJob(s.org, sendId);
    await worker.runChunk({ organizationId: s.org, sendId, chunk: 0 });
    await completed(s.org, sendId);
    const [{ n }] = (await withOrg(t.db, s.org, (tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE send_id = $1', [sendId]),
    )) as [{ n: number }];
    expect(n).toBe(10);
    for (const p of people) expect(mailTo(p.email)).toHaveLength(1);
  }, 60_000);

  it('routes: totals, the per-recipient list (clear fields only), the event stream, and pause/resume/cancel audited', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 6);
    t.smtp.reject(554, 1);
    const sendId = await requestSend(s);
    await completed(s.org, sendId);
    const shown = await s.admin.get(`/api/notice-sends/${sendId}/progress`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({
      status: 'completed',
      recipients: 6,
      totals: { sent: 5, failed: 1 },
    });
    const list = await s.admin.get(`/api/notice-sends/${sendId}/recipients?status=failed`);
    expect(list.statusCode, list.body).toBe(200);
    const failed = list.json<{ recipients: { externalId: string; status: string; lastError: string }[] }>()
      .recipients;
    expect(failed).toHaveLength(1);
    expect(people.map((p) => p.externalId)).toContain(failed[0]!.externalId);
    for (const p of people) {
      expect(list.body).not.toContain(p.email);
      expect(list.body).not.toContain('Person');
    }
    // A finished send's stream says so and ends.
    const events = await s.admin.get(`/api/notice-sends/${sendId}/events`);
    expect(events.statusCode).toBe(200);
    expect(events.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(events.body).toMatch(/^event: progress\ndata: \{.*"status":"completed"/);

    // Control by HTTP: a completed send cannot be paused; resend the failed one; audited.
    expect((await s.admin.post(`/api/notice-sends/${sendId}/pause`, {})).statusCode).toBe(409);
    const resent = await s.admin.post(`/api/notice-sends/${sendId}/resend-failed`, {});
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toEqual({ affected: 1, status: 'sending' });
    await completed(s.org, sendId);
    const audit = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ action: string }>(`SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq`, [
        sendId,
      ]),
    );
    expect(audit.map((a) => a.action)).toEqual([
      'notice_send.fan_out_started',
      'notice_send.fanned_out',
      'notice_send.completed',
      'notice_send.resent_failed',
      'notice_send.completed',
    ]);
    // Someone without notices.send cannot control it; an unknown send is 404.
    const viewer = await sessionFor(t, await createUser(t, s.org, ['viewer'], { totp: false }));
    expect((await viewer.post(`/api/notice-sends/${sendId}/cancel`, {})).statusCode).toBe(403);
    expect((await viewer.get(`/api/notice-sends/${sendId}/progress`)).statusCode).toBe(200);
    expect(
      (await s.admin.get(`/api/notice-sends/00000000-0000-4000-8000-000000000000/progress`)).statusCode,
    ).toBe(404);
  }, 60_000);

  it('an optional update reaches only those who consented on the channel; an erased customer is not sent to and keeps no link', async () => {
    const s = await setUp();
    const people = await addCustomers(s, 4);
    // Customers 0 and 1 consented to e-mail; 2 and 3 did not.
    await withOrg(t.db, s.org, (tx) =>
      tx.query('UPDATE customers SET consent_email = true WHERE external_id = ANY($1)', [
        [people[0]!.externalId, people[1]!.externalId],
      ]),
    );
    const sendId = await requestSend(s, { kind: 'optional', paused: true });
    await until('the fan-out', async () => (await progress(s.org, sendId)).chunks.done === 1);
    expect(await progress(s.org, sendId)).toMatchObject({ status: 'paused', totals: { paused: 2 } });
    // Customer 1 is erased while the send is paused; then it is resumed.
    await withOrg(t.db, s.org, (tx) =>
      tx.query('DELETE FROM customers WHERE external_id = $1', [people[1]!.externalId]),
    );
    expect(
      await withOrg(t.db, s.org, (tx) => resumeSend(tx, sendId, t.config.secrets.auditKey), { system: true }),
    ).toBe('sending');
    const done = await completed(s.org, sendId);
    expect(done.recipients).toBe(4);
    expect(done.totals).toMatchObject({ sent: 1, cancelled: 1 });
    expect(mailTo(people[0]!.email)).toHaveLength(1);
    expect(mailTo(people[1]!.email)).toHaveLength(0);
    expect(mailTo(people[2]!.email)).toHaveLength(0);
    expect(mailTo(people[3]!.email)).toHaveLength(0);
    const rows = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ customer_id: string | null; status: string }>(
        'SELECT customer_id, status FROM deliveries WHERE send_id = $1 ORDER BY customer_id NULLS FIRST',
        [sendId],
      ),
    );
    expect(rows).toHaveLength(2);
    // The erased customer's row: kept without its link, not sent.
    expect(rows[0]).toEqual({ customer_id: null, status: 'cancelled' });
  }, 60_000);

  it('the event stream follows a live send from paused to completed, then ends', async () => {
    const s = await setUp();
    await addCustomers(s, 5);
    const sendId = await requestSend(s, { paused: true });
    await until('the fan-out', async () => (await progress(s.org, sendId)).chunks.done === 1);
    const stream = s.admin.get(`/api/notice-sends/${sendId}/events`);
    await new Promise((r) => setTimeout(r, 1500));
    const resumed = await s.admin.post(`/api/notice-sends/${sendId}/resume`, {});
    expect(resumed.json()).toEqual({ status: 'sending', affected: 0 });
    const events = (await stream).body
      .trim()
      .split('\n\n')
      .map((e) => JSON.parse(e.split('\ndata: ')[1]!) as { status: string; totals: { sent: number } });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({ status: 'paused', totals: { sent: 0 } });
    expect(events.at(-1)).toMatchObject({ status: 'completed', totals: { sent: 5 } });
  }, 60_000);

  it('the outbox tables are vacuumed every minute by a scheduled job, whatever autovacuum does', async () => {
    const timer = worker.timers.find((w) => w.name === VACUUM_QUEUE)!;
    expect(timer.cron).toBe('* * * * *');
    const vacuums = async () =>
      (
        await t.db.query<{ n: number }>(
          `SELECT coalesce(sum(vacuum_count + autovacuum_count), 0)::int AS n FROM pg_stat_user_tables
           WHERE relname IN ('deliveries', 'delivery_counts')`,
        )
      )[0]!.n;
    const before = await vacuums();
    await timer.run();
    // Statistics reach other sessions when the vacuum reports them; ask until they do.
    let after = before;
    for (let i = 0; i < 50 && after < before + 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await vacuums();
    }
    expect(after).toBe(before + 2);
  });
});
