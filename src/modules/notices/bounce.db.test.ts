import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { upsertCustomer } from '../customers/customer-repo.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { bounceKind, parseBounce } from './bounce-dsn.js';
import { startBounceListener } from './bounce-smtp.js';
import { createEmailChannel, unsubscribeMailbox, verpAddress } from './channel-email.js';
import { isSuppressed } from './suppression.js';
import type { OutgoingNotice } from './notice-contracts.js';

const webhookSecret = 'relay-secret-0123456789-abcdef';
const t = await createTestApp({
  CANDOR_BOUNCE_DOMAIN: 'bounces.candor.test',
  CANDOR_BOUNCE_WEBHOOK_SECRET: webhookSecret,
});
const org = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
const deps = { db: t.db, keyring, auditKey: t.config.secrets.auditKey };

expect(
  (await admin.put('/api/email-settings', { fromAddress: 'notices@shop.example', dkimSelector: 'candor' }))
    .statusCode,
).toBe(200);

const listener = await startBounceListener({
  ...deps,
  logger: (await import('../../platform/logger.js')).createLogger({ level: 'silent' }),
  host: '127.0.0.1',
  port: 0,
  bounceDomain: t.config.email.bounceDomain,
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

/** A delivery row as the outbox holds one (platform-mail shape: no customer behind it). */
async function delivery(): Promise<string> {
  const id = randomUUID();
  await t.db.query(
    `INSERT INTO deliveries (id, organization_id, channel, purpose, idempotency_key, payload, message_id, status, sent_at)
     VALUES ($1, $2, 'email', 'notice-test', $4, '\\x00', $3, 'sent', now())`,
    [id, org, `<${id}@candor.test>`, id],
  );
  return id;
}

/** Sends a notice through the real channel and returns its VERP envelope sender, as the relay saw it. */
async function sendNotice(to: string, deliveryId: string): Promise<string> {
  const message: OutgoingNotice = {
    deliveryId,
    organizationId: org,
    channel: 'email',
    kind: 'mandatory',
    to,
    messageId: `<${deliveryId}@candor.test>`,
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
  return (await t.smtp.waitFor(to)).from;
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
  (
    await t.db.query<{ status: string; last_error: string | null }>(
      'SELECT status, last_error FROM deliveries WHERE id = $1',
      [id],
    )
  )[0]!;
const suppressed = (address: string) =>
  withOrg(t.db, org, async (tx) => isSuppressed(tx, await keyring.get(tx, org), 'email', address), {
    system: true,
  });

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

  it('a 5.x.x DSN sent over SMTP to the VERP address fails the delivery and suppresses the address', async () => {
    const to = sensitive('gone.customer@example.org');
    const id = await delivery();
    const verp = await sendNotice(to, id);
    expect(verp).toBe(verpAddress(id, 'bounces.candor.test'));
    await mailToListener(verp, dsn(verp, to, '5.1.1', 'failed'));
    expect(await deliveryState(id)).toEqual({
      status: 'failed',
      last_error: 'Bounced (reported by dsn) 5.1.1',
    });
    expect(await suppressed('Gone.Customer@example.org')).toBe(true);
    const entries = (await admin.get('/api/suppressions')).json<
      { reason: string; source: string; deliveryId: string }[]
    >();
    expect(entries).toContainEqual(
      expect.objectContaining({ reason: 'hard_bounce', source: 'dsn', deliveryId: id }),
    );
  });

  it("for a customer's delivery the customer's own address is suppressed, whatever address the report names", async () => {
    const real = sensitive('real.customer@example.org');
    const named = sensitive('someone.else@example.org');
    const customerId = await withOrg(
      t.db,
      org,
      async (tx) =>
        (
          await upsertCustomer(tx, await keyring.get(tx, org), org, {
            externalId: `bounce-${randomUUID()}`,
            language: 'en',
            timeZone: null,
            country: null,
            region: null,
            tags: [],
            attributes: {},
            consent: { email: true, sms: false, webhook: false },
            personal: { name: null, email: real, phone: null, address: null, attributes: {} },
          })
        ).customer.id,
      { system: true },
    );
    const id = await delivery();
    await t.db.query('UPDATE deliveries SET customer_id = $2 WHERE id = $1', [id, customerId]);
    const verp = await sendNotice(real, id);
    await mailToListener(verp, dsn(verp, named, '5.1.1', 'failed'));
    expect((await deliveryState(id)).status).toBe('failed');
    expect(await suppressed(real)).toBe(true);
    expect(await suppressed(named)).toBe(false);
  });

  it('a 4.x.x DSN is noted only: the delivery stays sent, nothing is suppressed', async () => {
    const to = sensitive('busy.customer@example.org');
    const id = await delivery();
    const verp = await sendNotice(to, id);
    await mailToListener(verp, dsn(verp, to, '4.2.0', 'delayed'));
    expect(await deliveryState(id)).toEqual({
      status: 'sent',
      last_error: 'Delayed (reported by dsn) 4.2.0',
    });
    expect(await suppressed(to)).toBe(false);
  });

  it('the listener refuses mail for any other address, and a message to unsubscribe+<id> unsubscribes', async () => {
    await expect(
      mailToListener('postmaster@bounces.candor.test', 'Subject: hi\r\n\r\nhello'),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
    await expect(
      mailToListener(`bounces+${randomUUID()}@elsewhere.test`, 'Subject: hi\r\n\r\nhello'),
    ).rejects.toMatchObject({ responseCode: 550 });
    const to = sensitive('leaving@example.org');
    const id = await delivery();
    await sendNotice(to, id);
    await mailToListener(
      unsubscribeMailbox(id, 'bounces.candor.test'),
      `From: ${to}\r\nSubject: unsubscribe\r\n\r\n`,
    );
    expect(await suppressed(to)).toBe(true);
    expect((await admin.post('/api/suppressions/search', { channel: 'email', address: to })).json()).toEqual([
      expect.objectContaining({ reason: 'unsubscribed', source: 'unsubscribe', deliveryId: id }),
    ]);
    // A bounce for a delivery that does not exist is accepted and changes nothing.
    await mailToListener(
      verpAddress(randomUUID(), 'bounces.candor.test'),
      dsn('x', 'x@example.org', '5.1.1', 'failed'),
    );
  });

  it('the relay webhook: needs the secret; a bounce event fails and suppresses, a complaint suppresses', async () => {
    const to = sensitive('complainer@example.org');
    const id = await delivery();
    const verp = await sendNotice(to, id);
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
    expect(await suppressed(to)).toBe(true);
    expect((await deliveryState(id)).status).toBe('sent');
    const entries = (await admin.post('/api/suppressions/search', { channel: 'email', address: to })).json();
    expect(entries).toEqual([expect.objectContaining({ reason: 'complaint', source: 'relay' })]);

    const other = sensitive('bounced.by.relay@example.org');
    const id2 = await delivery();
    await sendNotice(other, id2);
    const bounced = await post({
      events: [{ type: 'bounce', deliveryId: id2, status: '5.1.1', recipient: other }],
    });
    expect(bounced.json()).toEqual({ outcomes: ['applied'] });
    expect((await deliveryState(id2)).status).toBe('failed');
    expect(await suppressed(other)).toBe(true);
  });

  it('the relay may post a raw DSN over HTTP', async () => {
    const to = sensitive('raw.dsn@example.org');
    const id = await delivery();
    const verp = await sendNotice(to, id);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/bounces/dsn',
      headers: { authorization: `Bearer ${webhookSecret}`, 'content-type': 'message/rfc822' },
      payload: dsn(verp, to, '5.2.1', 'failed'),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ outcomes: ['applied'] });
    expect((await deliveryState(id)).status).toBe('failed');
    expect(await suppressed(to)).toBe(true);
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
