import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, testSecretsEnv } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { ConfigError, loadConfig } from '../../config.js';
import { withOrg } from '../../platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { createSmsChannel } from './channel-sms.js';
import type { OutgoingNotice } from './notice-contracts.js';
import { countSegments } from './sms-segments.js';
import { isSuppressed } from './suppression.js';

const accountSid = `AC${randomBytes(16).toString('hex')}`;
const authToken = sensitive(randomBytes(16).toString('hex'));

/**
 * A stand-in for Twilio's Messages API, written from its documentation: Basic auth with the
 * account SID and auth token, form-encoded To/From/Body/StatusCallback, 201 with the message's
 * sid, errors as {code, message, more_info, status}. The number decides the answer.
 */
interface Received {
  path: string;
  form: URLSearchParams;
}
const received: Received[] = [];
const ANSWERS: Record<string, [number, Record<string, unknown>]> = {
  '+420601000400': [
    400,
    { code: 21211, message: "The 'To' number +420601000400 is not a valid phone number.", status: 400 },
  ],
  '+420601021610': [400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 }],
  '+420601000429': [429, { code: 20429, message: 'Too Many Requests', status: 429 }],
  '+420601000500': [500, { code: 20500, message: 'Internal Server Error', status: 500 }],
};
const provider = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    const reply = (status: number, json: Record<string, unknown>) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (request.headers.authorization !== expectedAuth) {
      return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return reply(404, { code: 20404, message: 'Not found', status: 404 });
    }
    if (request.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return reply(400, { code: 21000, message: 'form expected', status: 400 });
    }
    const form = new URLSearchParams(body);
    received.push({ path: request.url, form });
    if (!form.get('To') || !form.get('Body') || !(form.get('From') || form.get('MessagingServiceSid'))) {
      return reply(400, { code: 21604, message: 'A To, From and Body are required', status: 400 });
    }
    const canned = ANSWERS[form.get('To')!];
    if (canned) return reply(...canned);
    return reply(201, { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued', to: form.get('To') });
  });
});
await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
afterAll(async () => {
  provider.closeAllConnections();
  await new Promise((resolve) => provider.close(resolve));
});

const t = await createTestApp({
  CANDOR_SMS_URL: providerUrl,
  CANDOR_SMS_ACCOUNT_SID: accountSid,
  CANDOR_SMS_AUTH_TOKEN: authToken,
  CANDOR_SMS_FROM: '+15005550006',
  CANDOR_SMS_PRICES: 'default=0.075,+420=0.042',
});
const channel = createSmsChannel({ settings: t.config.sms!, publicUrl: t.config.publicUrl });
const org = await createOrganization(t);

const notice = (to: string, sms: string): OutgoingNotice => ({
  deliveryId: randomUUID(),
  organizationId: org,
  channel: 'sms',
  kind: 'mandatory',
  to,
  messageId: `m-${randomUUID()}`,
  rendered: {
    locale: 'cs',
    direction: 'ltr',
    subject: 's',
    text: 't',
    html: '<html></html>',
    sms,
    webhook: {},
  },
});

describe('SMS channel (Twilio Messages API shape)', () => {
  it('posts To, From, Body and StatusCallback with Basic auth; 201 is accepted with the sid', async () => {
    received.length = 0;
    const body = 'Vaše údaje byly zasaženy. Ověřte: K7QF-2M9X-D4TA';
    const message = notice(sensitive('+420 601 234 512'), body);
    const result = await channel.send(message);
    expect(result).toEqual({ outcome: 'accepted', providerId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(received).toHaveLength(1);
    const form = received[0]!.form;
    expect(Object.fromEntries(form)).toEqual({
      To: '+420601234512',
      From: '+15005550006',
      Body: body,
      StatusCallback: `http://localhost:3000/api/public/sms-status/${org}/${message.deliveryId}`,
    });
  });

  it.each([
    ['+420601000400', 'permanent', false, 'error 21211'],
    ['+420601021610', 'permanent', true, 'error 21610'],
    ['+420601000429', 'temporary', undefined, 'HTTP 429'],
    ['+420601000500', 'temporary', undefined, 'HTTP 500'],
  ])('%s: %s', async (to, outcome, suppress, error) => {
    const result = await channel.send(notice(to, 'hello'));
    expect(result.outcome).toBe(outcome);
    if (result.outcome === 'accepted') return;
    expect(result.error).toContain(error);
    // The provider's text quotes the number: it never reaches the delivery's error.
    expect(result.error).not.toContain(to);
    if (result.outcome === 'permanent') expect(result.suppress).toBe(suppress);
  });

  it('sends through a Messaging Service instead of a From number when one is configured', async () => {
    received.length = 0;
    const messagingServiceSid = `MG${randomBytes(16).toString('hex')}`;
    const viaService = createSmsChannel({
      settings: { ...t.config.sms!, from: undefined, messagingServiceSid },
      publicUrl: t.config.publicUrl,
    });
    expect((await viaService.send(notice('+420601234512', 'hi'))).outcome).toBe('accepted');
    expect(received[0]!.form.get('MessagingServiceSid')).toBe(messagingServiceSid);
    expect(received[0]!.form.has('From')).toBe(false);
  });

  it('a number that is not E.164 is permanent without a request', async () => {
    received.length = 0;
    expect(await channel.send(notice('601 234 512', 'hi'))).toMatchObject({
      outcome: 'permanent',
      suppress: false,
    });
    expect(received).toHaveLength(0);
  });

  it('wrong credentials are temporary (an operator fixes them, the retry goes through)', async () => {
    const wrong = createSmsChannel({
      settings: { ...t.config.sms!, authToken: 'not-the-token' },
      publicUrl: t.config.publicUrl,
    });
    expect(await wrong.send(notice('+420601234512', 'hi'))).toMatchObject({
      outcome: 'temporary',
      error: expect.stringContaining('HTTP 401'),
    });
  });

  it('an unreachable provider is temporary', async () => {
    const down = createSmsChannel({
      settings: { ...t.config.sms!, baseUrl: 'http://127.0.0.1:9' },
      publicUrl: t.config.publicUrl,
    });
    expect((await down.send(notice('+420601234512', 'hi'))).outcome).toBe('temporary');
  });
});

/** Twilio's request signing, from its documentation: URL + sorted name/value pairs, HMAC-SHA1, base64. */
const sign = (url: string, params: Record<string, string>) =>
  createHmac('sha1', authToken)
    .update(
      url +
        Object.keys(params)
          .sort()
          .map((k) => k + params[k])
          .join(''),
    )
    .digest('base64');

const report = (
  deliveryId: string,
  params: Record<string, string>,
  signature?: string,
  organizationId: string = org,
) => {
  const path = `/api/public/sms-status/${organizationId}/${deliveryId}`;
  return t.app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature ?? sign(`http://localhost:3000${path}`, params),
    },
    payload: new URLSearchParams(params).toString(),
  });
};

interface DeliveryRow {
  status: string;
  last_error: string | null;
  accepted_by: string | null;
}

/**
 * An SMS delivery as the worker leaves it: the row, sent through the channel to the provider,
 * then marked sent with the sid the provider answered. Returns the row's id, the sid and the
 * StatusCallback address the provider was given.
 */
async function sentSms(organizationId: string, to: string) {
  const deliveryId = randomUUID();
  await withOrg(t.db, organizationId, (tx) =>
    tx.query(
      `INSERT INTO deliveries (id, organization_id, channel, purpose, idempotency_key, payload, message_id, status)
       VALUES ($1, $2, 'sms', 'test', $3, $4, $5, 'sending')`,
      [deliveryId, organizationId, `sms-${deliveryId}`, Buffer.from('sealed'), `m-${deliveryId}`],
    ),
  );
  received.length = 0;
  const result = await channel.send({ ...notice(to, 'Ověřte: K7QF-2M9X-D4TA'), deliveryId, organizationId });
  if (result.outcome !== 'accepted') throw new Error(`provider refused: ${JSON.stringify(result)}`);
  await withOrg(t.db, organizationId, (tx) =>
    tx.query(`UPDATE deliveries SET status = 'sent', sent_at = now(), accepted_by = $2 WHERE id = $1`, [
      deliveryId,
      result.providerId,
    ]),
  );
  return { deliveryId, sid: result.providerId!, callback: new URL(received[0]!.form.get('StatusCallback')!) };
}

const deliveryRow = async (organizationId: string, deliveryId: string) =>
  (
    await withOrg(t.db, organizationId, (tx) =>
      tx.query<DeliveryRow>('SELECT status, last_error, accepted_by FROM deliveries WHERE id = $1', [
        deliveryId,
      ]),
    )
  )[0];

describe('SMS delivery reports', () => {
  const reports = (deliveryId: string, organizationId: string = org) =>
    withOrg(t.db, organizationId, (tx) =>
      tx.query<{ provider_id: string; status: string; error_code: string | null }>(
        'SELECT provider_id, status, error_code FROM sms_status_reports WHERE delivery_id = $1 ORDER BY id',
        [deliveryId],
      ),
    );

  it('records each signed report once; delivered confirms the delivery, which stays sent', async () => {
    const { deliveryId, sid, callback } = await sentSms(org, sensitive('+420601234001'));
    expect(callback.pathname).toBe(`/api/public/sms-status/${org}/${deliveryId}`);
    for (const status of ['sent', 'delivered', 'delivered']) {
      const response = await report(deliveryId, {
        MessageSid: sid,
        MessageStatus: status,
        AccountSid: accountSid,
      });
      expect(response.statusCode, response.body).toBe(204);
    }
    expect(await reports(deliveryId)).toEqual([
      { provider_id: sid, status: 'sent', error_code: null },
      { provider_id: sid, status: 'delivered', error_code: null },
    ]);
    expect(await deliveryRow(org, deliveryId)).toEqual({
      status: 'sent',
      last_error: null,
      accepted_by: sid,
    });
  });

  it.each(['undelivered', 'failed'])(
    "%s fails the delivery with the provider's error code, never the number; a repeat changes nothing",
    async (status) => {
      const to = sensitive('+420601234002');
      const { deliveryId, sid } = await sentSms(org, to);
      const params = { MessageSid: sid, MessageStatus: status, ErrorCode: '30003', To: to };
      expect((await report(deliveryId, params)).statusCode).toBe(204);
      const failed = await deliveryRow(org, deliveryId);
      expect(failed).toEqual({
        status: 'failed',
        last_error: `SMS ${status} (reported by the provider) with error 30003`,
        accepted_by: sid,
      });
      expect(failed!.last_error).not.toContain('601');
      // Repeated, and then a late "delivered" of nothing newer: the delivery stays as it was.
      expect((await report(deliveryId, params)).statusCode).toBe(204);
      expect(await deliveryRow(org, deliveryId)).toEqual(failed);
      expect(await reports(deliveryId)).toEqual([{ provider_id: sid, status, error_code: '30003' }]);
      // 30003 (unreachable handset) is temporary at the network: the number is not suppressed.
      const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
      expect(
        await withOrg(t.db, org, async (tx) => isSuppressed(tx, await keyring.get(tx, org), 'sms', to)),
      ).toBe(false);
    },
  );

  it('a failure report for an earlier message than the one the delivery was accepted as changes nothing', async () => {
    const { deliveryId, sid } = await sentSms(org, sensitive('+420601234003'));
    const earlier = `SM${randomBytes(16).toString('hex')}`;
    const response = await report(deliveryId, {
      MessageSid: earlier,
      MessageStatus: 'undelivered',
      ErrorCode: '30008',
    });
    expect(response.statusCode).toBe(204);
    expect(await deliveryRow(org, deliveryId)).toEqual({
      status: 'sent',
      last_error: null,
      accepted_by: sid,
    });
  });

  it("a report naming another organization's delivery does nothing", async () => {
    const other = await createOrganization(t);
    const to = sensitive('+420601234004');
    const { deliveryId, sid } = await sentSms(other, to);
    // Signed for this organization's address, naming the other organization's delivery.
    const response = await report(deliveryId, {
      MessageSid: sid,
      MessageStatus: 'undelivered',
      ErrorCode: '21610',
      To: to,
    });
    expect(response.statusCode, response.body).toBe(204);
    expect(await deliveryRow(other, deliveryId)).toEqual({
      status: 'sent',
      last_error: null,
      accepted_by: sid,
    });
    expect(await reports(deliveryId, other)).toEqual([]);
    expect(await reports(deliveryId, org)).toEqual([]);
    const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
    for (const organizationId of [org, other]) {
      expect(
        await withOrg(t.db, organizationId, async (tx) =>
          isSuppressed(tx, await keyring.get(tx, organizationId), 'sms', to),
        ),
      ).toBe(false);
    }
    // The same report at the other organization's own address applies.
    expect(
      (
        await report(
          deliveryId,
          { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '21610', To: to },
          undefined,
          other,
        )
      ).statusCode,
    ).toBe(204);
    expect((await deliveryRow(other, deliveryId))!.status).toBe('failed');
  });

  it('refuses a report whose signature does not verify', async () => {
    const { deliveryId, sid } = await sentSms(org, sensitive('+420601234005'));
    const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' };
    const forged = await report(deliveryId, params, sign('http://localhost:3000/elsewhere', params));
    expect(forged.statusCode).toBe(403);
    const tampered = await report(
      deliveryId,
      { ...params, MessageStatus: 'failed' },
      sign(`http://localhost:3000/api/public/sms-status/${org}/${deliveryId}`, {
        ...params,
        MessageStatus: 'delivered',
      }),
    );
    expect(tampered.statusCode).toBe(403);
    expect(await reports(deliveryId)).toEqual([]);
    expect((await deliveryRow(org, deliveryId))!.status).toBe('sent');
  });

  it('an unsubscribed number (21610) reported undelivered is suppressed', async () => {
    const number = sensitive('+420601777888');
    const { deliveryId, sid } = await sentSms(org, number);
    const response = await report(deliveryId, {
      MessageSid: sid,
      MessageStatus: 'undelivered',
      ErrorCode: '21610',
      To: number,
    });
    expect(response.statusCode, response.body).toBe(204);
    const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
    const suppressed = await withOrg(t.db, org, async (tx) =>
      isSuppressed(tx, await keyring.get(tx, org), 'sms', number),
    );
    expect(suppressed).toBe(true);
    expect(await deliveryRow(org, deliveryId)).toMatchObject({
      status: 'failed',
      last_error: 'SMS undelivered (reported by the provider) with error 21610',
    });
  });
});

describe('SMS configuration', () => {
  const base = { NODE_ENV: 'test', CANDOR_DATA_DIR: t.config.dataDir, ...testSecretsEnv() };
  const attempt = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return undefined;
    } catch (error) {
      return error as ConfigError;
    }
  };

  it('has no SMS channel unless configured, and then names what is missing', () => {
    expect(attempt({ CANDOR_SMS_AUTH_TOKEN: 'x' })?.variable).toBe('CANDOR_SMS_AUTH_TOKEN');
    expect(attempt({ CANDOR_SMS_ACCOUNT_SID: accountSid })?.variable).toBe('CANDOR_SMS_AUTH_TOKEN');
    expect(attempt({ CANDOR_SMS_ACCOUNT_SID: 'nope', CANDOR_SMS_AUTH_TOKEN: 'x' })?.variable).toBe(
      'CANDOR_SMS_ACCOUNT_SID',
    );
    expect(attempt({ CANDOR_SMS_ACCOUNT_SID: accountSid, CANDOR_SMS_AUTH_TOKEN: 'x' })?.message).toContain(
      'CANDOR_SMS_MESSAGING_SERVICE_SID is required',
    );
    expect(
      attempt({
        CANDOR_SMS_ACCOUNT_SID: accountSid,
        CANDOR_SMS_AUTH_TOKEN: 'x',
        CANDOR_SMS_FROM: '+15005550006',
        CANDOR_SMS_PRICES: '+420=cheap',
      })?.message,
    ).toBe(
      'Configuration error in CANDOR_SMS_PRICES: "+420=cheap" is not PREFIX=PRICE (e.g. +420=0.042 or default=0.075)',
    );
    expect(t.config.sms?.pricing?.default).toBe(75_000);
    expect(t.config.webhookAllowPrivate).toBe(false);
  });
});

describe('SMS cost estimate of a notice', () => {
  it("renders each affected customer's SMS in their language, counts its segments and prices their number", async () => {
    const estimateOrg = await createOrganization(t);
    const incident = await createIncident(t, estimateOrg, { dataCategories: ['contact_details'] } as never);
    const writer = await sessionFor(t, await createUser(t, estimateOrg, ['communications'], { totp: false }));
    const people = [
      { language: 'cs', phone: '+420601234567' },
      { language: 'ar', phone: '+966501234567' },
      { language: 'en', phone: '+447700900123' },
      { language: 'en', phone: null },
    ];
    const ids: { id: string; language: string; phone: string | null }[] = [];
    for (const person of people) {
      const externalId = `e-${randomBytes(4).toString('hex')}`;
      const email = sensitive(`${externalId}@example.test`);
      const created = await incident.agent.post('/api/customers', {
        externalId,
        name: sensitive(`Jana ${externalId}`),
        email,
        ...(person.phone ? { phone: sensitive(person.phone) } : {}),
        language: person.language,
      });
      expect(created.statusCode, created.body).toBe(201);
      const marked = await incident.agent.post(`/api/incidents/${incident.id}/affected-customers/by-list`, {
        rows: [{ email, categories: ['contact_details'] }],
      });
      expect(marked.statusCode, marked.body).toBe(200);
      ids.push({ id: created.json<{ id: string }>().id, ...person });
    }
    const drafted = await writer.post(`/api/incidents/${incident.id}/notices`, { kind: 'mandatory' });
    expect(drafted.statusCode, drafted.body).toBe(201);
    const noticeId = drafted.json<{ id: string }>().id;

    // Expected, independently: each customer's SMS as the preview shows it, counted and priced here.
    let segments = 0;
    let micros = 0;
    let ucs2 = 0;
    for (const person of ids.filter((p) => p.phone)) {
      const preview = await writer.post(`/api/notices/${noticeId}/preview`, {
        locale: person.language,
        customerId: person.id,
      });
      expect(preview.statusCode, preview.body).toBe(200);
      const counted = countSegments(preview.json<{ sms: string }>().sms);
      segments += counted.segments;
      if (counted.encoding === 'ucs2') ucs2 += 1;
      micros += counted.segments * (person.phone!.startsWith('+420') ? 42_000 : 75_000);
    }
    expect(ucs2).toBeGreaterThanOrEqual(2); // Czech and Arabic

    const response = await writer.get(`/api/notices/${noticeId}/sms-estimate`);
    expect(response.statusCode, response.body).toBe(200);
    const estimate = response.json<{ messages: number; segments: number; cost: string; currency: string }>();
    expect(estimate).toMatchObject({
      audience: 'customers',
      messages: 3,
      segments,
      ucs2,
      unpriced: 0,
      currency: 'EUR',
    });
    expect(Math.round(Number(estimate.cost) * 1_000_000)).toBe(micros);
    expect(response.body).not.toContain('+420');

    const viewer = await sessionFor(t, await createUser(t, estimateOrg, ['viewer'], { totp: false }));
    expect((await viewer.get(`/api/notices/${noticeId}/sms-estimate`)).statusCode).toBe(403);
  });
});
