import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, testLogger } from '../../../test/app.js';
import { noticeSends, unique, until } from '../../../test/notice-sends.js';
import { startTestNoticeWorker } from '../../../test/notice-worker.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { startBounceListener } from './bounce-smtp.js';
import { isSuppressed } from './suppression.js';

/**
 * What a criminal who wants breach victims not to hear from the business would send to the
 * bounce listener, end to end: real notices sent by the engine over real SMTP, reports mailed to
 * the real listener, then a mandatory send. Nobody may be suppressed but by a genuine report about
 * their own delivery, and a genuine unsubscribe may not stop a mandatory notice.
 */
const t = await createTestApp({ CANDOR_BOUNCE_DOMAIN: 'bounces.candor.test' });
await startTestNoticeWorker(t);
const sends = noticeSends(t);
const listener = await startBounceListener({
  db: t.db,
  keyring: sends.keyring,
  auditKey: t.config.secrets.auditKey,
  logger: testLogger(t),
  host: '127.0.0.1',
  port: 0,
  bounceDomain: t.config.email.bounceDomain,
  reportsPerMinute: 1000,
});
const toListener = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, ignoreTLS: true });
afterAll(async () => {
  toListener.close();
  await listener.close();
});

const mailToListener = (to: string, raw: string) => toListener.sendMail({ envelope: { from: '', to }, raw });

/** A DSN as a receiving MTA writes it, listing every recipient given as failed with 5.1.1. */
function dsn(to: string, recipients: readonly string[]): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    `To: ${to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    ...recipients.flatMap((r) => [`Final-Recipient: rfc822; ${r}`, 'Action: failed', 'Status: 5.1.1', '']),
    '--B--',
    '',
  ].join('\r\n');
}

const s = await sends.setUp();
const tag = unique();
const victim = sensitive(`victim-${tag}@example.test`);
const subscriber = sensitive(`subscriber-${tag}@example.test`);
const mallory = sensitive(`mallory-${tag}@example.test`);
const bystanders = Array.from({ length: 50 }, (_, i) => sensitive(`bystander${i}-${tag}@example.test`));
await sends.addCustomers(s, [
  {
    externalId: `victim-${tag}`,
    email: victim,
    phone: '+420601222333',
    categories: ['contact_details'],
    consentEmail: true,
  },
  { externalId: `subscriber-${tag}`, email: subscriber, categories: ['contact_details'], consentEmail: true },
  { externalId: `mallory-${tag}`, email: mallory, categories: ['contact_details'], consentEmail: true },
  ...bystanders.map((email, i) => ({
    externalId: `by-${i}-${tag}`,
    email,
    categories: ['contact_details' as const],
  })),
]);
const everyone = [victim, subscriber, mallory, ...bystanders];

const suppressed = (address: string, kind: 'mandatory' | 'optional') =>
  withOrg(
    t.db,
    s.org,
    async (tx) => isSuppressed(tx, await sends.keyring.get(tx, s.org), 'email', address, kind),
    { system: true },
  );
const heldReports = () =>
  withOrg(
    t.db,
    s.org,
    (tx) =>
      tx.query<{ delivery_id: string; verdict: string; recipients: number; foreign_recipients: number }>(
        'SELECT delivery_id, verdict, recipients, foreign_recipients FROM inbound_reports ORDER BY received_at',
      ),
    { system: true },
  );
const audited = (action: string) =>
  withOrg(
    t.db,
    s.org,
    (tx) =>
      tx.query<{ data: Record<string, unknown> }>('SELECT data FROM audit_events WHERE action = $1', [
        action,
      ]),
    { system: true },
  );
const mailsTo = (address: string, from = 0) =>
  t.smtp.received.slice(from).filter((m) => m.to.includes(address.toLowerCase()));
const unfolded = (raw: string) => raw.replace(/\r?\n[ \t]+/g, ' ');

describe('forged reports against breach notices', () => {
  it('nobody is silenced by a forged report; a genuine unsubscribe stops optional mail only', async () => {
    // 1. Platform mail (the shape of a "Was I affected?" link): no customer, no VERP address.
    const attacker = sensitive(`attacker-${tag}@evil.test`);
    await withOrg(t.db, s.org, (tx) =>
      t.outbox.enqueueEmail(tx, s.org, {
        purpose: 'lookup',
        idempotencyKey: `lookup:${tag}`,
        message: { to: attacker, subject: 'Your look-up', text: 'Open the link.' },
      }),
    );
    const lookupMail = await t.smtp.waitFor(attacker);
    const platformId = (
      await withOrg(
        t.db,
        s.org,
        (tx) => tx.query<{ id: string }>("SELECT id FROM deliveries WHERE purpose = 'lookup'"),
        { system: true },
      )
    )[0]!.id;
    // Its Message-ID names no delivery.
    expect(lookupMail.parsed.messageId).not.toContain(platformId);

    // 2. Optional updates first: Mallory and the subscriber get one each, with their own VERP addresses.
    const update = await sends.addNotice(s, 'optional');
    const updateSend = await sends.requestSend(update, { kind: 'optional' });
    await sends.completed(s.org, updateSend);
    const malloryMail = mailsTo(mallory)[0]!;
    const subscriberMail = mailsTo(subscriber)[0]!;

    // 3. The forgeries, through the real SMTP listener. Even knowing the platform delivery's id:
    const platformHex = platformId.replace(/-/g, '');
    // a. an unsubscribe with the victim's From, to the address form without a MAC and with a made-up one;
    await mailToListener(
      `unsubscribe+${platformId}@bounces.candor.test`,
      `From: ${victim}\r\nSubject: unsubscribe\r\n\r\n`,
    );
    await mailToListener(
      `unsubscribe+${platformHex}.${'a'.repeat(18)}@bounces.candor.test`,
      `From: ${victim}\r\nSubject: unsubscribe\r\n\r\n`,
    );
    // b. a DSN against the same delivery listing fifty third parties and the victim;
    const fifty = [victim, ...bystanders.slice(0, 49)];
    await mailToListener(`bounces+${platformId}@bounces.candor.test`, dsn('x', fifty));
    await mailToListener(`bounces+${platformHex}.${'b'.repeat(18)}@bounces.candor.test`, dsn('x', fifty));
    // c. a made-up VERP token for a delivery that does not exist;
    await mailToListener(
      `bounces+${randomUUID().replace(/-/g, '')}.${'c'.repeat(18)}@bounces.candor.test`,
      dsn('x', [victim]),
    );
    // d. Mallory's own genuine VERP address, with a DSN listing the victim instead of himself.
    await mailToListener(malloryMail.from, dsn(malloryMail.from, [victim]));

    // 4. A genuine unsubscribe by the subscriber, to the List-Unsubscribe mailbox of their update.
    const mailbox = /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(unfolded(subscriberMail.raw))![1]!;
    await mailToListener(mailbox, `From: ${subscriber}\r\nSubject: unsubscribe\r\n\r\n`);

    // Nobody wrongly suppressed; the subscriber for optional mail only.
    for (const address of [victim, mallory, attacker, ...bystanders]) {
      expect(await suppressed(address, 'optional'), address).toBe(false);
    }
    expect(await suppressed(subscriber, 'optional')).toBe(true);
    expect(await suppressed(subscriber, 'mandatory')).toBe(false);

    // The forged reports kept for review and audited; the unknown delivery kept unattributed.
    const malloryDelivery = (
      await withOrg(
        t.db,
        s.org,
        (tx) =>
          tx.query<{ id: string }>(
            `SELECT d.id FROM deliveries d JOIN customers c ON c.id = d.customer_id
             WHERE d.send_id = $1 AND c.external_id = $2`,
            [updateSend, `mallory-${tag}`],
          ),
        { system: true },
      )
    )[0]!.id;
    const held = await heldReports();
    expect(held).toEqual([
      { delivery_id: platformId, verdict: 'bad_token', recipients: 0, foreign_recipients: 0 },
      { delivery_id: platformId, verdict: 'bad_token', recipients: 0, foreign_recipients: 0 },
      { delivery_id: platformId, verdict: 'bad_token', recipients: 50, foreign_recipients: 0 },
      { delivery_id: platformId, verdict: 'bad_token', recipients: 50, foreign_recipients: 0 },
      { delivery_id: malloryDelivery, verdict: 'recipient_mismatch', recipients: 1, foreign_recipients: 1 },
    ]);
    expect((await audited('delivery.report_held')).map((a) => a.data.verdict)).toEqual([
      'bad_token',
      'bad_token',
      'bad_token',
      'bad_token',
      'recipient_mismatch',
    ]);
    expect(await audited('delivery.unsubscribed')).toHaveLength(1);
    const unattributed = await t.db.query<{ kind: string }>(
      "SELECT kind FROM unattributed_reports WHERE source = 'dsn'",
    );
    expect(unattributed).toEqual([{ kind: 'hard' }]);

    // 5. The mandatory breach notice reaches every affected customer, the subscriber included.
    const before = t.smtp.received.length;
    const mandatory = await sends.requestSend(s);
    const done = await sends.completed(s.org, mandatory);
    expect(done.totals).toMatchObject({ sent: everyone.length, suppressed: 0, failed: 0 });
    for (const address of everyone) expect(mailsTo(address, before), address).toHaveLength(1);

    // 6. An optional update after it skips the subscriber, and the send's report says so.
    const second = await sends.addNotice(s, 'optional');
    const secondSend = await sends.requestSend(second, { kind: 'optional' });
    const after = await sends.completed(s.org, secondSend);
    expect(after.totals).toMatchObject({ sent: 2, suppressed: 1 });
  });

  it('a genuine hard bounce stops e-mail for every notice, and the next send lists the customer for another channel', async () => {
    const before = t.smtp.received.length;
    // New versions each time: a version goes to a recipient once, however often it is requested.
    const first = await sends.requestSend(await sends.addNotice(s, 'mandatory'));
    await sends.completed(s.org, first);
    const notice = mailsTo(victim, before)[0]!;
    await mailToListener(notice.from, dsn(notice.from, [victim]));
    await until('the hard bounce to be applied', () => suppressed(victim, 'mandatory'));

    const next = await sends.requestSend(await sends.addNotice(s, 'mandatory'));
    const done = await sends.completed(s.org, next);
    expect(done.totals.suppressed).toBe(1);
    const report = await s.admin.get(`/api/notice-sends/${next}/recipients?status=suppressed&limit=50`);
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json()).toEqual({
      recipients: [
        expect.objectContaining({
          externalId: `victim-${tag}`,
          channel: 'email',
          status: 'suppressed',
          lastError: 'the email address is on the suppression list',
          channelsOnRecord: ['email', 'sms'],
        }),
      ],
    });
  });
});
