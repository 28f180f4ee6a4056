// One file over 400 lines: every case below shares the one app, send, bounce listener and channel
// set up at the top, and reads as one story of a report from parse to suppression.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { noticeSends } from '../../../test/notice-sends.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { createLogger } from '../../platform/logger.js';
import { bounceKind, parseBounce } from './bounce-parse.js';
import { startBounceListener } from './bounce-smtp.js';
import { createEmailChannel } from './channel-email.js';
import { addressIndex, isSuppressed } from './suppression.js';
import type { OutgoingNotice } from './notice-contracts.js';
import { parseVerp, verpAddress } from './verp.js';

const webhookSecret = 'relay-secret-0123456789-abcdef';
const t = await createTestApp({
  CANDOR_BOUNCE_DOMAIN: 'bounces.candor.test',
  CANDOR_BOUNCE_WEBHOOK_SECRET: webhookSecret,
});
const sends = noticeSends(t);
const { keyring } = sends;
const s = await sends.setUp();
const { org, admin } = s;
const deps = { db: t.db, keyring, auditKey: t.config.secrets.auditKey };
// A send request for the deliveries below to belong to (its job never runs: no worker here).
const sendId = await withOrg(
  t.db,
  org,
  async (tx) =>
    (
      await tx.query<{ id: string }>(
        `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
         VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers') RETURNING id`,
        [org, s.incidentId, s.versionId],
      )
    )[0]!.id,
  { system: true },
);

const listener = await startBounceListener({
  ...deps,
  logger: createLogger({ level: 'silent' }),
  host: '127.0.0.1',
  port: 0,
  bounceDomain: t.config.email.bounceDomain,
  reportsPerMinute: 1000,
});
const channel = createEmailChannel({
  db: t.db,
  keyring,
  smtpUrl: t.smtp.url,
  email: t.config.email,
  publicUrl: t.config.publicUrl,
});
const toListener = nodemailer.createTransport({
  host: '127.0.0.1',
  port: listener.port,
  secure: false,
  ignoreTLS: true,
});
afterAll(async () => {
  toListener.close();
  await channel.close();
  await listener.close();
});

const orgKeys = () => withOrg(t.db, org, (tx) => keyring.get(tx, org), { system: true });

/**
 * A notice delivery of the send as the engine leaves one after sending it to `to`: the blind index
 * of the address it went to recorded on the row.
 */
async function delivery(to: string, customerId: string | null = null): Promise<string> {
  const id = randomUUID();
  const index = addressIndex(await orgKeys(), 'email', to)!;
  await withOrg(
    t.db,
    org,
    (tx) =>
      tx.query(
        `INSERT INTO deliveries (id, organization_id, channel, purpose, idempotency_key, message_id, status, sent_at,
                                 send_id, notice_version_id, locale, kind, customer_id, recipient_index)
         VALUES ($1, $2, 'email', 'notice', $8, $3, 'sent', now(), $4, $5, 'en', 'mandatory', $6, $7)`,
        [id, org, `<${randomUUID()}@candor.test>`, sendId, s.versionId, customerId, index, `test:${id}`],
      ),
    { system: true },
  );
  return id;
}

/** Sends a notice through the real channel and returns its VERP envelope sender, as the relay saw it. */
async function sendNotice(to: string, deliveryId: string, kind: 'mandatory' | 'optional' = 'mandatory') {
  const message: OutgoingNotice = {
    deliveryId,
    organizationId: org,
    channel: 'email',
    kind,
    to,
    messageId: `<${randomUUID()}@candor.test>`,
    rendered: {
      locale: 'en',
      direction: 'ltr',
      subject: 'Notice',
      text: 'We are sorry.',
      html: '<p>Sorry</p>',
      sms: '',
      webhook: {},
    },
  };
  expect((await channel.send(message)).outcome).toBe('accepted');
  const mail = await t.smtp.waitFor(to);
  return { verp: mail.from, mail };
}

/** An RFC 3464 report as a receiving MTA writes it. */
function dsn(verp: string, recipient: string, status: string, action: string): string {
  return [
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
    'Arrival-Date: Sun, 22 Nov 2026 04:00:00 +0000',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822;${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mx.example.net',
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? '550 5.1.1 User unknown' : '451 4.2.0 Mailbox busy'}`,
    '',
    '--BOUNDARY',
    'Content-Type: text/rfc822-headers',
    '',
    'From: notices@shop.example',
    `To: ${recipient}`,
    'Subject: Notice',
    '',
    '--BOUNDARY--',
    '',
  ].join('\r\n');
}

async function mailToListener(rcpt: string, raw: string) {
  return toListener.sendMail({ envelope: { from: '', to: rcpt }, raw });
}

const deliveryState = async (id: string) =>
  withOrg(
    t.db,
    org,
    async (tx) =>
      (
        await tx.query<{ status: string; last_error: string | null }>(
          'SELECT status, last_error FROM deliveries WHERE id = $1',
          [id],
        )
      )[0]!,
    { system: true },
  );
/** Whether a notice of the kind may not go to the address (mandatory: only an 'all' suppression stops it). */
const suppressed = (address: string, kind: 'mandatory' | 'optional' = 'optional') =>
  withOrg(t.db, org, async (tx) => isSuppressed(tx, await keyring.get(tx, org), 'email', address, kind), {
    system: true,
  });
const held = (deliveryId: string) =>
  withOrg(
    t.db,
    org,
    (tx) =>
      tx.query<{ verdict: string; kind: string; recipients: number; foreign_recipients: number }>(
        'SELECT verdict, kind, recipients, foreign_recipients FROM inbound_reports WHERE delivery_id = $1 ORDER BY received_at',
        [deliveryId],
      ),
    { system: true },
  );

describe('bounces', () => {
  it('parses RFC 3464 reports and classifies their status codes', async () => {
    const report = await parseBounce(dsn('bounces+x@b.test', 'a@example.org', '5.1.1', 'failed'));
    expect(report).toEqual({
      type: 'delivery-status',
      to: 'bounces+x@b.test',
      recipients: [
        {
          action: 'failed',
          status: '5.1.1',
          recipient: 'a@example.org',
          diagnostic: 'smtp; 550 5.1.1 User unknown',
        },
      ],
    });
    expect(bounceKind('5.1.1', 'failed')).toBe('hard');
    expect(bounceKind('4.2.0', 'delayed')).toBe('soft');
    expect(bounceKind(undefined, 'complaint')).toBe('complaint');
    expect(await parseBounce('Subject: out of office\r\n\r\nI am away.')).toBeUndefined();
  });

  it('VERP addresses carry a MAC under the organization key: per delivery and kind, lower case, at most 64 characters', async () => {
    const keys = await orgKeys();
    const id = randomUUID();
    const bounce = verpAddress(keys, 'bounce', id, 'bounces.candor.test');
    const unsubscribe = verpAddress(keys, 'unsubscribe', id, 'bounces.candor.test');
    for (const address of [bounce, unsubscribe]) {
      expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
      expect(address).toBe(address.toLowerCase());
    }
    expect(parseVerp(bounce)).toMatchObject({ kind: 'bounce', deliveryId: id });
    expect(parseVerp(unsubscribe)).toMatchObject({ kind: 'unsubscribe', deliveryId: id });
    // The same id and kind under another organization's key: another MAC.
    const other = await sends.setUp();
    const otherKeys = await withOrg(t.db, other.org, (tx) => keyring.get(tx, other.org), { system: true });
    expect(verpAddress(otherKeys, 'bounce', id, 'bounces.candor.test')).not.toBe(bounce);
    expect(parseVerp(bounce.toUpperCase())).toEqual(parseVerp(bounce));
  });

  it('a 5.x.x DSN to the VERP address fails the delivery and suppresses its address for every notice', async () => {
    const to = sensitive('gone.customer@example.org');
    const id = await delivery(to);
    const { verp } = await sendNotice(to, id);
    expect(verp).toBe(verpAddress(await orgKeys(), 'bounce', id, 'bounces.candor.test'));
    await mailToListener(verp, dsn(verp, to, '5.1.1', 'failed'));
    expect(await deliveryState(id)).toEqual({
      status: 'failed',
      last_error: 'Bounced (reported by dsn) 5.1.1',
    });
    expect(await suppressed('Gone.Customer@example.org', 'mandatory')).toBe(true);
    const entries = (await admin.get('/api/suppressions')).json<
      { reason: string; scope: string; source: string; deliveryId: string }[]
    >();
    expect(entries).toContainEqual(
      expect.objectContaining({ reason: 'hard_bounce', scope: 'all', source: 'dsn', deliveryId: id }),
    );
  });

  it("a DSN naming anyone but the delivery's recipient is held for review and changes nothing", async () => {
    const real = sensitive('real.customer@example.org');
    const named = sensitive('someone.else@example.org');
    const id = await delivery(real);
    const { verp } = await sendNotice(real, id);
    await mailToListener(verp, dsn(verp, named, '5.1.1', 'failed'));
    expect((await deliveryState(id)).status).toBe('sent');
    expect(await suppressed(real)).toBe(false);
    expect(await suppressed(named)).toBe(false);
    expect(await held(id)).toEqual([
      { verdict: 'recipient_mismatch', kind: 'hard', recipients: 1, foreign_recipients: 1 },
    ]);
    const response = await admin.get('/api/inbound-reports?status=open&limit=5');
    expect(response.statusCode, response.body).toBe(200);
    const listed = response.json<{ id: string; deliveryId: string }[]>();
    const entry = listed.find((r) => r.deliveryId === id)!;
    expect(entry).toMatchObject({ verdict: 'recipient_mismatch', source: 'dsn', hasMessage: true });
    // Reading the report as received is audited; so is marking it reviewed.
    const message = (await admin.get(`/api/inbound-reports/${entry.id}/message`)).json<{ message: string }>();
    expect(message.message).toContain('Final-Recipient: rfc822; someone.else@example.org');
    expect((await admin.post(`/api/inbound-reports/${entry.id}/reviewed`, {})).json()).toMatchObject({
      reviewedAt: expect.any(String),
    });
    expect((await admin.get('/api/inbound-reports?limit=501')).statusCode).toBe(400);
    const open = (await admin.get('/api/inbound-reports?status=open')).json<{ id: string }[]>();
    expect(open.map((r) => r.id)).not.toContain(entry.id);
    const audit = await withOrg(
      t.db,
      org,
      (tx) =>
        tx.query<{ action: string }>(`SELECT action FROM audit_events WHERE target_id = $1 ORDER BY seq`, [
          entry.id,
        ]),
      { system: true },
    );
    expect(audit.map((a) => a.action)).toEqual([
      'delivery.report_held',
      'inbound_report.read',
      'inbound_report.reviewed',
    ]);
  });

  it('a 4.x.x DSN is noted only: the delivery stays sent, nothing is suppressed', async () => {
    const to = sensitive('busy.customer@example.org');
    const id = await delivery(to);
    const { verp } = await sendNotice(to, id);
    await mailToListener(verp, dsn(verp, to, '4.2.0', 'delayed'));
    expect(await deliveryState(id)).toEqual({
      status: 'sent',
      last_error: 'Delayed (reported by dsn) 4.2.0',
    });
    expect(await suppressed(to)).toBe(false);
  });

  it('the listener refuses mail for any other address; the List-Unsubscribe mailbox unsubscribes from optional mail only', async () => {
    await expect(
      mailToListener('postmaster@bounces.candor.test', 'Subject: hi\r\n\r\nhello'),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
    await expect(
      mailToListener(`bounces+${randomUUID()}@elsewhere.test`, 'Subject: hi\r\n\r\nhello'),
    ).rejects.toMatchObject({ responseCode: 550 });
    const to = sensitive('leaving@example.org');
    const id = await delivery(to);
    const { mail } = await sendNotice(to, id, 'optional');
    const mailbox = /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(mail.raw.replace(/\r?\n[ \t]+/g, ' '))![1]!;
    expect(mailbox).toBe(verpAddress(await orgKeys(), 'unsubscribe', id, 'bounces.candor.test'));
    // Whatever the From says: it is never read.
    await mailToListener(
      mailbox,
      `From: ${sensitive('someone-else@example.org')}\r\nSubject: unsubscribe\r\n\r\n`,
    );
    expect(await suppressed(to, 'optional')).toBe(true);
    expect(await suppressed(to, 'mandatory')).toBe(false);
    expect(await suppressed('someone-else@example.org')).toBe(false);
    expect((await admin.post('/api/suppressions/search', { channel: 'email', address: to })).json()).toEqual([
      expect.objectContaining({
        reason: 'unsubscribed',
        scope: 'optional',
        source: 'unsubscribe',
        deliveryId: id,
      }),
    ]);
    // A later hard bounce of the same address widens it to every notice.
    const { verp } = await sendNotice(to, await delivery(to));
    await mailToListener(verp, dsn(verp, to, '5.1.1', 'failed'));
    expect(await suppressed(to, 'mandatory')).toBe(true);
  });

  it('the listener puts off a source over its rate with 421, and takes it again a minute later', async () => {
    const limited = await startBounceListener({
      ...deps,
      logger: createLogger({ level: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      bounceDomain: t.config.email.bounceDomain,
      reportsPerMinute: 2,
    });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: limited.port, ignoreTLS: true });
    const to = verpAddress(await orgKeys(), 'bounce', randomUUID(), 'bounces.candor.test');
    const send = () => transport.sendMail({ envelope: { from: '', to }, raw: 'Subject: x\r\n\r\nx' });
    await send();
    await send();
    await expect(send()).rejects.toMatchObject({ responseCode: 421 });
    transport.close();
    await limited.close();
  });

  it('the relay webhook: needs the secret; a bounce event fails and suppresses, a complaint stops optional mail', async () => {
    const to = sensitive('complainer@example.org');
    const id = await delivery(to);
    const { verp } = await sendNotice(to, id);
    const post = (body: unknown, secret = webhookSecret) =>
      t.app.inject({
        method: 'POST',
        url: '/api/bounces/events',
        headers: { authorization: `Bearer ${secret}` },
        payload: body as object,
      });
    expect(
      (await post({ events: [{ type: 'complaint', envelopeSender: verp }] }, 'wrong-secret-wrong-secret-x'))
        .statusCode,
    ).toBe(401);
    const missing = await post({ events: [{ type: 'bounce' }] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual({ field: 'events/0/envelopeSender' });
    const complained = await post({ events: [{ type: 'complaint', envelopeSender: verp, recipient: to }] });
    expect(complained.json()).toEqual({ outcomes: ['applied'] });
    expect(await suppressed(to, 'optional')).toBe(true);
    expect(await suppressed(to, 'mandatory')).toBe(false);
    expect((await deliveryState(id)).status).toBe('sent');
    const entries = (await admin.post('/api/suppressions/search', { channel: 'email', address: to })).json();
    expect(entries).toEqual([
      expect.objectContaining({ reason: 'complaint', scope: 'optional', source: 'relay' }),
    ]);

    const other = sensitive('bounced.by.relay@example.org');
    const id2 = await delivery(other);
    await sendNotice(other, id2);
    const bounced = await post({
      events: [{ type: 'bounce', deliveryId: id2, status: '5.1.1', recipient: other }],
    });
    expect(bounced.json()).toEqual({ outcomes: ['applied'] });
    expect((await deliveryState(id2)).status).toBe('failed');
    expect(await suppressed(other, 'mandatory')).toBe(true);
    // A relay event naming another recipient, or a VERP address with a made-up MAC, is held.
    const third = sensitive('third.party@example.org');
    const id3 = await delivery(sensitive('kept@example.org'));
    const forged = await post({
      events: [
        { type: 'bounce', deliveryId: id3, status: '5.1.1', recipient: third },
        {
          type: 'bounce',
          envelopeSender: `bounces+${id3.replace(/-/g, '')}.${'0'.repeat(18)}@bounces.candor.test`,
        },
      ],
    });
    expect(forged.json()).toEqual({ outcomes: ['held', 'held'] });
    expect((await held(id3)).map((h) => h.verdict)).toEqual(['recipient_mismatch', 'bad_token']);
    expect(await suppressed(third)).toBe(false);
    expect(await suppressed('kept@example.org')).toBe(false);
  });

  it('the relay may post a raw DSN over HTTP', async () => {
    const to = sensitive('raw.dsn@example.org');
    const id = await delivery(to);
    const { verp } = await sendNotice(to, id);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/bounces/dsn',
      headers: { authorization: `Bearer ${webhookSecret}`, 'content-type': 'message/rfc822' },
      payload: dsn(verp, to, '5.2.1', 'failed'),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ outcomes: ['applied'] });
    expect((await deliveryState(id)).status).toBe('failed');
    expect(await suppressed(to, 'mandatory')).toBe(true);
  });
});

describe('bounce routes without a configured secret', () => {
  it('answer 404', async () => {
    const plain = await createTestApp();
    const response = await plain.app.inject({
      method: 'POST',
      url: '/api/bounces/events',
      payload: { events: [{ type: 'bounce' }] },
    });
    expect(response.statusCode).toBe(404);
  });
});
