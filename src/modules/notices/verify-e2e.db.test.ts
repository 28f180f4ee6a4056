import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { startTestNoticeWorker } from '../../../test/notice-worker.js';
import {
  createApprovedNotice,
  createIncident,
  createOrganization,
  createUser,
  sessionFor,
} from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { sendJob } from '../../platform/jobs.js';
import { noticeSendJob } from './notice-sends.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { createSmsChannel } from './channel-sms.js';
import { addTestRecipient } from './notice-test-recipients.js';

/**
 * The proof against phishing end to end: an exercise notice goes out through the real delivery
 * engine to a test recipient by webhook and by SMS (local receivers in this file); the code each
 * message carries is typed into /verify, which confirms the notice (subject, channel, masked
 * recipient), while a code that was never sent is answered "unknown".
 */

interface Hit {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}
const webhooks: Hit[] = [];
const texts: URLSearchParams[] = [];
const accountSid = `AC${randomBytes(16).toString('hex')}`;
const authToken = sensitive(randomBytes(16).toString('hex'));

const receiver = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    if (request.url?.startsWith('/2010-04-01/')) {
      texts.push(new URLSearchParams(body));
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued' }));
      return;
    }
    webhooks.push({ body, headers: request.headers });
    response.statusCode = 204;
    response.end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const t = await createTestApp({
  CANDOR_WEBHOOK_ALLOW_PRIVATE: 'true',
  CANDOR_SMS_URL: base,
  CANDOR_SMS_ACCOUNT_SID: accountSid,
  CANDOR_SMS_AUTH_TOKEN: authToken,
  CANDOR_SMS_FROM: '+15005550006',
});
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
await startTestNoticeWorker(t, {
  channels: { sms: createSmsChannel({ settings: t.config.sms!, publicUrl: t.config.publicUrl }) },
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const verify = (code: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/public/verify',
    headers: { origin: t.config.publicUrl.origin },
    payload: { code },
    remoteAddress: '203.0.113.77',
  });

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('verification codes through the delivery engine', () => {
  it('the code a webhook and an SMS carried is confirmed by /verify; a guess is not', async () => {
    const orgName = `Knihkupectví ${randomBytes(3).toString('hex')}`;
    const org = await createOrganization(t, { name: orgName });
    const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
    const secret = await admin.post('/api/notices/webhook-secret');
    expect(secret.statusCode, secret.body).toBe(201);
    const whsec = sensitive(secret.json<{ secret: string }>().secret);
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const { id: incidentId, manager } = await createIncident(t, org, { title: 'Drill', isExercise: true });
    const phone = sensitive('+420601555111');
    const hook = `${base}/hooks/${randomBytes(4).toString('hex')}`;
    const versionId = await withOrg(
      t.db,
      org,
      async (tx) => {
        await addTestRecipient(tx, await keyring.get(tx, org), org, {
          name: sensitive('Tereza Testová'),
          locale: 'cs',
          phone,
          webhookUrl: hook,
        });
        return createApprovedNotice(tx, {
          organizationId: org,
          incidentId,
          authorId: manager.id,
          approverId: legal.id,
        });
      },
      { system: true },
    );
    const sendId = await withOrg(
      t.db,
      org,
      async (tx) =>
        (
          await tx.query<{ id: string }>(
            `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
             VALUES ($1, $2, $3, 'mandatory', $4, 'test_recipients') RETURNING id`,
            [org, incidentId, versionId, ['sms', 'webhook']],
          )
        )[0]!.id,
      { system: true },
    );
    await t.db.transaction((tx) => sendJob(tx, noticeSendJob, { organizationId: org, sendId }));

    const hit = await until('the webhook', () => webhooks[0]);
    const text = await until('the SMS', () => texts.find((f) => f.get('To') === phone));

    // The webhook is signed with the organization's secret (Standard Webhooks).
    const signed = `${String(hit.headers['webhook-id'])}.${String(hit.headers['webhook-timestamp'])}.${hit.body}`;
    const mac = createHmac('sha256', Buffer.from(whsec.slice(6), 'base64'))
      .update(signed)
      .digest('base64');
    expect(hit.headers['webhook-signature']).toBe(`v1,${mac}`);
    const event = JSON.parse(hit.body) as { verificationCode: string; subject: string; locale: string };
    expect(event.locale).toBe('cs');
    expect(event.verificationCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const webhookAnswer = await verify(event.verificationCode.toLowerCase());
    expect(webhookAnswer.json()).toEqual({
      status: 'genuine',
      organization: orgName,
      brand: { name: orgName, color: null, logoUrl: null },
      subject: event.subject,
      // The language the customer received it in: /verify marks the subject with it.
      subjectLocale: 'cs',
      sentAt: expect.any(String),
      channel: 'webhook',
      maskedRecipient: expect.any(String),
    });
    // Partly masked: never the endpoint's path. (The brief's form is maskRecipient's in
    // notice-verification.ts, e.g. "http://1•••.1/•••"; the engine masks with its own for now.)
    expect(webhookAnswer.json<{ maskedRecipient: string }>().maskedRecipient).not.toContain('/hooks/');

    // The SMS carries its own code (one per delivery), confirmed as the SMS it came with.
    const smsCode = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(text.get('Body') ?? '')?.[0];
    expect(smsCode, text.get('Body') ?? '').toBeDefined();
    expect(smsCode).not.toBe(event.verificationCode);
    const smsAnswer = (await verify(smsCode!)).json<{ maskedRecipient: string }>();
    expect(smsAnswer).toMatchObject({ status: 'genuine', organization: orgName, channel: 'sms' });
    expect(smsAnswer.maskedRecipient).toMatch(/11$/);
    expect(smsAnswer.maskedRecipient).not.toContain('601555');

    // One character off: not ours.
    const last = smsCode!.at(-1) === '7' ? '8' : '7';
    expect((await verify(smsCode!.slice(0, -1) + last)).json()).toEqual({ status: 'unknown' });
  });
});
