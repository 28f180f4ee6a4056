import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
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
import { markByList } from '../customers/affected-repo.js';
import { upsertCustomer, type PersonalFields } from '../customers/customer-repo.js';
import type { CustomerView } from '../customers/customer-schemas.js';
import { createWebhookChannel } from './channel-webhook.js';
import { sendProgress } from './delivery-control.js';
import type { ChannelSender, NoticeKind } from './notice-contracts.js';

/**
 * Notices by webhook to an incident's affected customers (not only to test recipients): the
 * customer with an endpoint in their sealed record gets one signed POST at a local receiver, those
 * without one get no delivery, an optional update needs their webhook consent, and a private
 * target is refused when private targets are not allowed (as in production).
 */

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
const receiver = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    received.push({ path: request.url ?? '', headers: request.headers, body });
    response.statusCode = 204;
    response.end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const port = (receiver.address() as AddressInfo).port;

const t = await createTestApp();
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));

// The real webhook channel twice: loopback allowed (the local receiver), and not (production's
// rule); each test says which one the worker uses.
let allowPrivate = true;
const permissive = createWebhookChannel({ db: t.db, keyring, allowPrivate: true, timeoutMs: 2000 });
const strict = createWebhookChannel({ db: t.db, keyring, allowPrivate: false, timeoutMs: 2000 });
const webhook: ChannelSender = {
  channel: 'webhook',
  send: (message) => (allowPrivate ? permissive : strict).send(message),
  close: async () => {
    await permissive.close();
    await strict.close();
  },
};
await startTestNoticeWorker(t, { channels: { webhook }, overrides: { retryDelayMs: () => 200 } });
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

/** The receiving end's check, from the Standard Webhooks specification with node:crypto only. */
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const [id, timestamp, signatures] = [
    headers['webhook-id'],
    headers['webhook-timestamp'],
    headers['webhook-signature'],
  ];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const tag = randomBytes(4).toString('hex');
const org = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
const legal = await createUser(t, org, ['legal'], { totp: false });
const created = await admin.post('/api/notices/webhook-secret');
expect(created.statusCode, created.body).toBe(201);
const whsec = sensitive(created.json<{ secret: string }>().secret);
const { id: incidentId, manager } = await createIncident(t, org, { title: 'Partner API keys exposed' });

// Acme has an endpoint (the local receiver, so plain http: the test-only allowance); Bohemia has
// only an e-mail address; Cedar has nothing at all.
const acmePath = `/acme-${tag}/notices`;
const acmeUrl = sensitive(`http://127.0.0.1:${port}${acmePath}`);
const people: Record<string, PersonalFields> = {
  [`acme-${tag}`]: {
    name: null,
    email: null,
    phone: null,
    address: null,
    attributes: {},
    webhookUrl: acmeUrl,
  },
  [`bohemia-${tag}`]: {
    name: null,
    email: sensitive(`it-${tag}@bohemia.example`),
    phone: null,
    address: null,
    attributes: {},
  },
  [`cedar-${tag}`]: { name: null, email: null, phone: null, address: null, attributes: {} },
};
const ids = await withOrg(t.db, org, async (tx) => {
  const keys = await keyring.get(tx, org);
  const out: Record<string, string> = {};
  for (const [externalId, personal] of Object.entries(people)) {
    const { customer } = await upsertCustomer(tx, keys, org, {
      externalId,
      personal,
      language: 'en',
      timeZone: null,
      country: 'CZ',
      region: null,
      tags: [],
      attributes: {},
      consent: { email: false, sms: false, webhook: false },
    });
    out[externalId] = customer.id;
  }
  await markByList(
    tx,
    keys,
    org,
    incidentId,
    Object.keys(people).map((externalId) => ({ externalId, categories: ['contact_details'] })),
  );
  return out;
});
const acme = ids[`acme-${tag}`]!;

let versions = 0;
/** A new approved notice version (a delivery is idempotent per version, recipient and channel). */
async function approvedVersion(): Promise<string> {
  return withOrg(
    t.db,
    org,
    (tx) =>
      createApprovedNotice(tx, {
        organizationId: org,
        incidentId,
        authorId: manager.id,
        approverId: legal.id,
        version: ++versions,
      }),
    { system: true },
  );
}

interface DeliveryRow {
  customer_id: string | null;
  channel: string;
  status: string;
  message_id: string;
  last_error: string | null;
}

/** Sends by webhook to the incident's affected customers; the send's delivery rows once it is done. */
async function send(kind: NoticeKind): Promise<DeliveryRow[]> {
  const versionId = await approvedVersion();
  const sendId = await withOrg(
    t.db,
    org,
    async (tx) =>
      (
        await tx.query<{ id: string }>(
          `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
           VALUES ($1, $2, $3, $4, $5, 'customers') RETURNING id`,
          [org, incidentId, versionId, kind, ['webhook']],
        )
      )[0]!.id,
    { system: true },
  );
  await t.db.transaction((tx) => sendJob(tx, noticeSendJob, { organizationId: org, sendId }));
  const deadline = Date.now() + 60_000;
  while (
    (await withOrg(t.db, org, (tx) => sendProgress(tx, sendId), { system: true })).status !== 'completed'
  ) {
    if (Date.now() > deadline) throw new Error(`send ${sendId} did not complete`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return withOrg(t.db, org, (tx) =>
    tx.query<DeliveryRow>(
      'SELECT customer_id, channel, status, message_id, last_error FROM deliveries WHERE send_id = $1',
      [sendId],
    ),
  );
}

describe('notices by webhook to customers', () => {
  it('the customer with an endpoint gets exactly one signed POST; those without one get no delivery', async () => {
    allowPrivate = true;
    received.length = 0;
    const rows = await send('mandatory');
    expect(rows).toEqual([
      {
        customer_id: acme,
        channel: 'webhook',
        status: 'sent',
        message_id: expect.any(String),
        last_error: null,
      },
    ]);
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit!.path).toBe(acmePath);
    expect(hit!.headers['webhook-id']).toBe(rows[0]!.message_id);
    expect(verifyStandardWebhook(whsec, hit!.headers, hit!.body)).toBe(true);
    expect(verifyStandardWebhook(whsec, hit!.headers, hit!.body.replace('en', 'cs'))).toBe(false);
    const event = JSON.parse(hit!.body) as { locale: string; verificationCode: string };
    expect(event.locale).toBe('en');
    expect(event.verificationCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('an optional update needs the webhook consent', async () => {
    allowPrivate = true;
    received.length = 0;
    expect(await send('optional')).toEqual([]);
    expect(received).toHaveLength(0);
    await withOrg(t.db, org, (tx) =>
      tx.query('UPDATE customers SET consent_webhook = true WHERE id = ANY($1::uuid[])', [
        Object.values(ids),
      ]),
    );
    const rows = await send('optional');
    expect(rows.map((r) => [r.customer_id, r.status])).toEqual([[acme, 'sent']]);
    expect(received.map((r) => r.path)).toEqual([acmePath]);
  });

  it('private targets are refused when they are not allowed, without connecting', async () => {
    // Dana's endpoint, given through the API (https, as the vault requires), is a loopback address.
    const dana = await admin.post('/api/customers', {
      externalId: `dana-${tag}`,
      webhookUrl: sensitive(`https://127.0.0.1:${port}/dana-${tag}`),
    });
    expect(dana.statusCode, dana.body).toBe(201);
    const danaId = dana.json<CustomerView>().id;
    await withOrg(t.db, org, async (tx) =>
      markByList(tx, await keyring.get(tx, org), org, incidentId, [
        { externalId: `dana-${tag}`, categories: ['contact_details'] },
      ]),
    );
    allowPrivate = false;
    received.length = 0;
    const rows = await send('mandatory');
    const byCustomer = new Map(rows.map((r) => [r.customer_id, r]));
    expect(rows).toHaveLength(2);
    expect(byCustomer.get(danaId)).toMatchObject({
      status: 'failed',
      last_error: expect.stringContaining('private, loopback or link-local'),
    });
    // Acme's plain-http endpoint is refused too, for being http.
    expect(byCustomer.get(acme)).toMatchObject({
      status: 'failed',
      last_error: expect.stringContaining('https'),
    });
    expect(received).toHaveLength(0);
    for (const row of rows) expect(row.last_error).not.toContain(String(port));
  });
});
