import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import {
  createApprovedNotice,
  createIncident,
  createOrganization,
  createUser,
  sessionFor,
} from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import type { ClaimedNotice, DeliveryOutcome } from '../../platform/outbox.js';
import { twilioSignature } from './channel-sms.js';
import type { SendProgress } from './delivery-control.js';
import { settleSends } from './send-completion.js';

const authToken = sensitive(randomBytes(16).toString('hex'));
const t = await createTestApp({
  // Nothing is sent to it: the outcomes below stand in for the channels; the reports come signed.
  CANDOR_SMS_URL: 'http://127.0.0.1:9',
  CANDOR_SMS_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
  CANDOR_SMS_AUTH_TOKEN: authToken,
  CANDOR_SMS_FROM: '+15005550006',
});
await t.app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

/**
 * What the channels answer, by the delivery id's last hex digit: 0–1 fail for good, 2–4 are
 * refused once then accepted (a retry), 5 is held back once by a rate limit (not an attempt), the
 * rest are accepted. Only a first attempt fails: the failed go through when sent again. SMS are
 * accepted with a provider sid.
 */
const seen = new Set<string>();
function outcome(row: ClaimedNotice): DeliveryOutcome {
  const digit = parseInt(row.id.slice(-1), 16);
  const first = !seen.has(row.id);
  seen.add(row.id);
  if (digit <= 1 && first) return { id: row.id, status: 'failed', error: 'refused', retryInSeconds: 0 };
  if (digit <= 4 && first) return { id: row.id, status: 'pending', error: 'later', retryInSeconds: 0.05 };
  if (digit === 5 && first) {
    return { id: row.id, status: 'pending', error: null, retryInSeconds: 0.05, notAnAttempt: true };
  }
  return {
    id: row.id,
    status: 'sent',
    error: null,
    retryInSeconds: 0,
    acceptedBy: row.channel === 'sms' ? `SM${row.id.replace(/-/g, '')}` : undefined,
  };
}
t.outbox.handleNotices({
  async send(rows) {
    // A little time per batch, so the event streams see the send move.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return rows.map(outcome);
  },
  async settled(organizationId, sendIds) {
    await settleSends(t.db, t.config.secrets.auditKey, organizationId, sendIds);
  },
});

const org = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
// Resending the failed needs each channel's settings: e-mail's are the organization's.
const emailSettings = await admin.put('/api/email-settings', {
  fromAddress: 'notices@shop.example',
  dkimSelector: 'candor',
});
expect(emailSettings.statusCode, emailSettings.body).toBe(200);
const { id: incidentId, manager } = await createIncident(t, org, { title: 'Progress' });
const legal = await createUser(t, org, ['legal'], { totp: false });
const versionId = await withOrg(
  t.db,
  org,
  (tx) =>
    createApprovedNotice(tx, { organizationId: org, incidentId, authorId: manager.id, approverId: legal.id }),
  { system: true },
);

/** A paused send with n deliveries written as its fan-out writes them (every fourth an SMS). */
async function pausedSend(n: number): Promise<string> {
  return withOrg(
    t.db,
    org,
    async (tx) => {
      const [send] = await tx.query<{ id: string }>(
        `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience, status)
         VALUES ($1, $2, $3, 'mandatory', '{email,sms}', 'customers', 'paused') RETURNING id`,
        [org, incidentId, versionId],
      );
      await tx.query(
        `INSERT INTO deliveries (organization_id, channel, purpose, idempotency_key, message_id, status,
                                 send_id, notice_version_id, locale, kind)
         SELECT $1, CASE WHEN g % 4 = 0 THEN 'sms' ELSE 'email' END, 'notice', $2::text || ':' || g,
                '<' || gen_random_uuid() || '@progress.test>', 'paused', $2::uuid, $3::uuid, 'en', 'mandatory'
         FROM generate_series(1, $4::int) g`,
        [org, send!.id, versionId, n],
      );
      // Fanned out: one chunk, done.
      await tx.query(
        `INSERT INTO notice_send_chunks (organization_id, send_id, chunk, first_id, last_id, recipients, deliveries, done_at)
         VALUES ($1, $2, 0, gen_random_uuid(), gen_random_uuid(), $3, $3, now())`,
        [org, send!.id, n],
      );
      return send!.id;
    },
    { system: true },
  );
}

interface Count {
  channel: string;
  status: string;
  count: number;
}

/**
 * The rows counted one by one and the counts the triggers kept, read in one statement (one
 * snapshot, while the outbox writes): they must agree. At rest, the progress API shows them too.
 */
async function expectCountsRight(sendId: string, atRest = true): Promise<Count[]> {
  const [{ rows, counts }] = (await withOrg(t.db, org, (tx) =>
    tx.query<{ rows: Count[] | null; counts: Count[] | null }>(
      `SELECT (SELECT json_agg(r ORDER BY r.channel, r.status) FROM (
                 SELECT channel, status, count(*)::int AS count FROM deliveries WHERE send_id = $1
                 GROUP BY channel, status) r) AS rows,
              (SELECT json_agg(c ORDER BY c.channel, c.status) FROM (
                 SELECT channel, status, sum(n)::int AS count FROM delivery_counts WHERE send_id = $1
                 GROUP BY channel, status HAVING sum(n) <> 0) c) AS counts`,
      [sendId],
    ),
  )) as [{ rows: Count[] | null; counts: Count[] | null }];
  expect(counts).toEqual(rows);
  if (atRest) {
    const shown = (await admin.get(`/api/notice-sends/${sendId}/progress`)).json<SendProgress>();
    expect(shown.byChannel).toEqual(rows);
  }
  return rows ?? [];
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A real HTTP client of the event stream, keeping every progress event it gets. */
function watch(sendId: string) {
  const events: SendProgress[] = [];
  const abort = new AbortController();
  const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const done = (async () => {
    const response = await fetch(`${base}/api/notice-sends/${sendId}/events`, {
      headers: { cookie, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: progress\ndata: (.*)$/s.exec(block);
          if (data) events.push(JSON.parse(data[1]!) as SendProgress);
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  })();
  return { events, done, close: () => abort.abort() };
}

const computations = async () =>
  (await t.app.deps.metrics.registry.getSingleMetricAsString('candor_send_progress_computations_total'))
    .split('\n')
    .filter((l) => l.startsWith('candor_send_progress_computations_total '))
    .map((l) => Number(l.split(' ')[1]))[0] ?? 0;
const watched = async () =>
  Number(
    /candor_send_progress_watched (\d+)/.exec(
      await t.app.deps.metrics.registry.getSingleMetricAsString('candor_send_progress_watched'),
    )?.[1],
  );

describe('send progress', () => {
  it('two viewers over HTTP share one computation per second, get the same totals, and it stops when both leave', async () => {
    const sendId = await pausedSend(120);
    const a = watch(sendId);
    const b = watch(sendId);
    await until('both streams', async () => a.events.length >= 2 && b.events.length >= 2);
    expect(await watched()).toBe(1);
    const before = await computations();
    const [fromA, fromB] = [a.events.length, b.events.length];
    await until(
      'three more events each',
      async () => a.events.length >= fromA + 3 && b.events.length >= fromB + 3,
    );
    // Three events each: three shared computations (one may be under way), not six.
    expect((await computations()) - before).toBeGreaterThanOrEqual(2);
    expect((await computations()) - before).toBeLessThanOrEqual(4);
    const rows = await expectCountsRight(sendId);
    expect(rows).toEqual([
      { channel: 'email', status: 'paused', count: 90 },
      { channel: 'sms', status: 'paused', count: 30 },
    ]);
    for (const e of [...a.events, ...b.events]) {
      expect(e.byChannel).toEqual(rows);
      expect(e.totals).toMatchObject({ paused: 120, pending: 0, sent: 0 });
      expect(e.etaSeconds).toBeNull();
    }

    // Resumed: both streams follow the same computations to the end.
    expect((await admin.post(`/api/notice-sends/${sendId}/resume`, {})).statusCode).toBe(200);
    await Promise.all([a.done, b.done]);
    const lastA = a.events.at(-1)!;
    expect(lastA.status).toBe('completed');
    expect(b.events.at(-1)).toEqual(lastA);
    const final = await expectCountsRight(sendId);
    expect(lastA.byChannel).toEqual(final);
    expect(lastA.totals.sent + lastA.totals.failed).toBe(120);
    expect(lastA.totals.failed).toBeGreaterThan(0);
    expect(lastA.etaSeconds).toBe(0);
    // Accepted within the last minute: the rate counts each accepted message once.
    expect(lastA.ratePerSecond).toBeGreaterThan(0);
    // The last events of the two are the same results of the same computations.
    expect(a.events.length).toBeGreaterThan(4);
    expect(b.events.slice(-3)).toEqual(a.events.slice(-3));

    // Both gone: the computation stops.
    await until('no watched send', async () => (await watched()) === 0);
    const stopped = await computations();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await computations()).toBe(stopped);
  }, 60_000);

  it('a viewer leaving does not stop the other; the last one leaving does', async () => {
    const sendId = await pausedSend(8);
    const a = watch(sendId);
    const b = watch(sendId);
    await until('both streams', async () => a.events.length >= 1 && b.events.length >= 1);
    a.close();
    await a.done;
    const seen = b.events.length;
    await until('b still fed', async () => b.events.length >= seen + 2);
    expect(await watched()).toBe(1);
    b.close();
    await b.done;
    await until('no watched send', async () => (await watched()) === 0);
  }, 30_000);

  it('counts stay right through retries, failures, pause, cancel, resend to the failed, and a failed SMS report', async () => {
    const sendId = await pausedSend(200);
    await expectCountsRight(sendId);
    expect((await admin.post(`/api/notice-sends/${sendId}/resume`, {})).statusCode).toBe(200);
    // Paused part-way: some sent or failed, the rest held.
    await until('some sent', async () => {
      const [row] = await withOrg(t.db, org, (tx) =>
        tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM deliveries WHERE send_id = $1 AND status = 'sent'`,
          [sendId],
        ),
      );
      return row!.n > 0;
    });
    const paused = await admin.post(`/api/notice-sends/${sendId}/pause`, {});
    expect(paused.statusCode, paused.body).toBe(200);
    await until('in-flight batches recorded', async () => {
      const rows = await expectCountsRight(sendId, false);
      return !rows.some((r) => r.status === 'sending') && rows;
    });
    expect((await admin.post(`/api/notice-sends/${sendId}/resume`, {})).statusCode).toBe(200);
    await until('completed', async () => {
      const p = (await admin.get(`/api/notice-sends/${sendId}/progress`)).json<SendProgress>();
      return p.status === 'completed';
    });
    let rows = await expectCountsRight(sendId);
    const failed = rows.filter((r) => r.status === 'failed').reduce((n, r) => n + r.count, 0);
    expect(failed).toBeGreaterThan(0);

    // Resend to the failed: now they go through (the channels fail only a first attempt).
    const resent = await admin.post(`/api/notice-sends/${sendId}/resend-failed`, {});
    expect(resent.json()).toMatchObject({ affected: failed });
    await until('completed again', async () => {
      const p = (await admin.get(`/api/notice-sends/${sendId}/progress`)).json<SendProgress>();
      return p.status === 'completed' && p.totals.failed === 0 && p;
    });
    rows = await expectCountsRight(sendId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);

    // The provider reports one SMS undelivered: the delivery fails, and the counts follow.
    const [sms] = await withOrg(t.db, org, (tx) =>
      tx.query<{ id: string; accepted_by: string }>(
        `SELECT id, accepted_by FROM deliveries WHERE send_id = $1 AND channel = 'sms' ORDER BY id LIMIT 1`,
        [sendId],
      ),
    );
    const reported = await report(sms!.id, {
      MessageSid: sms!.accepted_by,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
    });
    expect(reported.statusCode, reported.body).toBe(204);
    rows = await expectCountsRight(sendId);
    expect(rows).toContainEqual({ channel: 'sms', status: 'failed', count: 1 });

    // A second send cancelled while paused: its held deliveries are counted cancelled.
    const other = await pausedSend(30);
    expect((await admin.post(`/api/notice-sends/${other}/cancel`, {})).statusCode).toBe(200);
    expect(await expectCountsRight(other)).toEqual([
      { channel: 'email', status: 'cancelled', count: 23 },
      { channel: 'sms', status: 'cancelled', count: 7 },
    ]);

    // Folding old rows keeps the totals: the rows are dated back past the fold's horizon.
    await t.db.query(`UPDATE delivery_counts SET at = at - interval '10 minutes' WHERE send_id = $1`, [
      sendId,
    ]);
    rows = await expectCountsRight(sendId);
    const [{ n }] = (await withOrg(t.db, org, (tx) =>
      tx.query<{ n: number }>('SELECT count(*)::int AS n FROM delivery_counts WHERE send_id = $1', [sendId]),
    )) as [{ n: number }];
    expect(n).toBe(rows.length);
  }, 60_000);

  it('the per-recipient list shows an SMS the provider reported delivered, and when', async () => {
    const sendId = await pausedSend(8);
    expect((await admin.post(`/api/notice-sends/${sendId}/resume`, {})).statusCode).toBe(200);
    await until('completed', async () => {
      const p = (await admin.get(`/api/notice-sends/${sendId}/progress`)).json<SendProgress>();
      return p.status === 'completed';
    });
    const sent = await withOrg(t.db, org, (tx) =>
      tx.query<{ id: string; accepted_by: string }>(
        `SELECT id, accepted_by FROM deliveries WHERE send_id = $1 AND channel = 'sms' AND status = 'sent' ORDER BY id`,
        [sendId],
      ),
    );
    expect(sent.length).toBeGreaterThanOrEqual(1);
    const target = sent[0]!;
    for (const status of ['sent', 'delivered']) {
      const response = await report(target.id, { MessageSid: target.accepted_by, MessageStatus: status });
      expect(response.statusCode, response.body).toBe(204);
    }
    // A delivered report for another message (an earlier sid) proves nothing about this one.
    if (sent[1]) {
      const stale = await report(sent[1].id, {
        MessageSid: `SM${'0'.repeat(32)}`,
        MessageStatus: 'delivered',
      });
      expect(stale.statusCode).toBe(204);
    }
    const list = await admin.get(`/api/notice-sends/${sendId}/recipients?channel=sms`);
    expect(list.statusCode, list.body).toBe(200);
    const recipients = list.json<{
      recipients: { deliveryId: string; deliveredAt: string | null; sentAt: string }[];
    }>().recipients;
    const shown = recipients.find((r) => r.deliveryId === target.id)!;
    expect(shown.deliveredAt).toEqual(expect.any(String));
    expect(Date.parse(shown.deliveredAt!)).toBeGreaterThanOrEqual(Date.parse(shown.sentAt) - 1000);
    expect(Date.now() - Date.parse(shown.deliveredAt!)).toBeLessThan(60_000);
    for (const r of recipients.filter((r) => r.deliveryId !== target.id)) expect(r.deliveredAt).toBeNull();
    const emails = (await admin.get(`/api/notice-sends/${sendId}/recipients?channel=email`)).json<{
      recipients: { deliveredAt: string | null }[];
    }>().recipients;
    expect(emails.length).toBeGreaterThan(0);
    for (const r of emails) expect(r.deliveredAt).toBeNull();
  }, 30_000);
});

/** A delivery report as the provider posts it, signed with the auth token. */
function report(deliveryId: string, params: Record<string, string>) {
  const path = `/api/public/sms-status/${org}/${deliveryId}`;
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(authToken, `${t.config.publicUrl.origin}${path}`, params),
    },
    payload: new URLSearchParams(params).toString(),
  });
}
