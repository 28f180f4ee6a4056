import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.js';
import { createOrganization } from '../../test/factories.js';
import { sensitive } from '../../test/secrets.js';
import { asApp, withOrg } from './db.js';
import { retryDelayMs } from './outbox.js';

const t = await createTestApp();
await t.outbox.stop(); // these tests drive the worker by hand

async function enqueue(org: string, to: string, key: string) {
  await withOrg(t.db, org, (tx) =>
    t.outbox.enqueueEmail(tx, org, {
      purpose: 'test',
      idempotencyKey: key,
      message: { to, subject: 'Subject', text: 'Body', html: '<p>Body</p>' },
    }),
  );
}

const delivery = async (org: string, key: string) =>
  (
    await withOrg(t.db, org, (tx) =>
      tx.query<{
        status: string;
        attempts: number;
        last_error: string | null;
        message_id: string;
        payload: Buffer;
        next_attempt_at: Date;
      }>('SELECT * FROM deliveries WHERE idempotency_key = $1', [key]),
    )
  )[0]!;

describe('outbox', () => {
  it('sends once per idempotency key, with a stable Message-ID, and keeps the payload encrypted', async () => {
    const org = await createOrganization(t);
    const to = sensitive('once@example.test');
    await enqueue(org, to, 'k1');
    await enqueue(org, to, 'k1');
    expect(await t.outbox.runOnce()).toBe(1);
    const mails = t.smtp.received.filter((m) => m.to.includes(to));
    expect(mails).toHaveLength(1);
    const row = await delivery(org, 'k1');
    expect(row.status).toBe('sent');
    expect(mails[0]!.parsed.messageId).toBe(row.message_id);
    expect(Buffer.from(row.payload).toString('latin1')).not.toContain(to);
  });

  it('retries a temporary SMTP failure (4xx) with backoff, and does not retry a permanent one (5xx)', async () => {
    const org = await createOrganization(t);
    const to = sensitive('retry@example.test');
    t.smtp.reject(451, 1);
    await enqueue(org, to, 'temp');
    await t.outbox.runOnce();
    let row = await delivery(org, 'temp');
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/451/);
    expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 4000);
    // Not due yet: nothing is claimed.
    expect(await t.outbox.runOnce()).toBe(0);
    await withOrg(t.db, org, (tx) =>
      tx.query(`UPDATE deliveries SET next_attempt_at = now() WHERE idempotency_key = 'temp'`),
    );
    await t.outbox.runOnce();
    row = await delivery(org, 'temp');
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });

    t.smtp.reject(550, 1);
    await enqueue(org, sensitive('gone@example.test'), 'perm');
    await t.outbox.runOnce();
    expect(await delivery(org, 'perm')).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('a delivery claimed by a worker that died is claimed again after its lease, with the same Message-ID', async () => {
    const org = await createOrganization(t);
    const to = sensitive('crash@example.test');
    await enqueue(org, to, 'crash');
    // A worker claimed it and died before finishing: the row stays 'sending' with a lease.
    await withOrg(t.db, org, (tx) =>
      tx.query(
        `UPDATE deliveries SET status = 'sending', attempts = 1, locked_until = now() + interval '1 hour' WHERE idempotency_key = 'crash'`,
      ),
    );
    expect(await t.outbox.runOnce()).toBe(0);
    await withOrg(t.db, org, (tx) =>
      tx.query(
        `UPDATE deliveries SET locked_until = now() - interval '1 second' WHERE idempotency_key = 'crash'`,
      ),
    );
    expect(await t.outbox.runOnce()).toBe(1);
    const row = await delivery(org, 'crash');
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(t.smtp.received.find((m) => m.to.includes(to))!.parsed.messageId).toBe(row.message_id);
  });

  it('platform mail is claimed before notices that have waited longer, and a claim takes each row once', async () => {
    const org = await createOrganization(t);
    // 250 notice deliveries due for an hour, as in the middle of a bulk send.
    await withOrg(t.db, org, (tx) =>
      tx.query(
        `INSERT INTO deliveries (organization_id, channel, purpose, idempotency_key, message_id, send_id,
                                 notice_version_id, locale, kind, next_attempt_at)
         SELECT $1, 'email', 'notice', 'n' || g, '<n' || g || '@test>', gen_random_uuid(), gen_random_uuid(),
                'en', 'mandatory', now() - interval '1 hour'
         FROM generate_series(1, 250) g`,
        [org],
      ),
    );
    await enqueue(org, sensitive('urgent@example.test'), 'urgent');
    const claim = (limit: number, notices: boolean) =>
      asApp(t.db, (tx) =>
        tx.query<{ id: string; send_id: string | null; organization_id: string }>(
          'SELECT id, send_id, organization_id FROM candor_claim_deliveries($1, 120, $2)',
          [limit, notices],
        ),
      );
    const first = (await claim(100, true)).filter((d) => d.organization_id === org);
    // The one platform mail first, then 99 notices.
    expect(first).toHaveLength(100);
    expect(first.filter((d) => d.send_id === null)).toHaveLength(1);
    const rest = [
      ...(await claim(100, true)),
      ...(await claim(100, true)),
      ...(await claim(100, true)),
    ].filter((d) => d.organization_id === org);
    expect(rest).toHaveLength(151);
    expect(new Set([...first, ...rest].map((d) => d.id)).size).toBe(251);
    // A worker without the notice engine claims no notice.
    await withOrg(t.db, org, (tx) =>
      tx.query(`UPDATE deliveries SET status = 'pending', locked_until = NULL WHERE send_id IS NOT NULL`),
    );
    expect((await claim(100, false)).filter((d) => d.organization_id === org)).toEqual([]);
    await withOrg(t.db, org, (tx) =>
      tx.query(`UPDATE deliveries SET status = 'cancelled' WHERE send_id IS NOT NULL`),
    );
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(retryDelayMs(1, 1)).toBe(10_000);
    expect(retryDelayMs(2, 1)).toBe(20_000);
    expect(retryDelayMs(1, 0)).toBe(5_000);
    expect(retryDelayMs(30, 1)).toBe(3_600_000);
  });
});
