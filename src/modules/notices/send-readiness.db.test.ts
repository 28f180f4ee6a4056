import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import {
  createApprovedNotice,
  createIncident,
  createOrganization,
  createUser,
  sessionFor,
} from '../../../test/factories.js';
import { startTestNoticeWorker } from '../../../test/notice-worker.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { sendJob } from '../../platform/jobs.js';
import { noticeSendJob } from './notice-sends.js';
import { t as translate } from '../../platform/i18n.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { createEmailChannel } from './channel-email.js';

/**
 * A send that cannot be delivered is refused when it is requested, naming what is missing; once
 * the settings are saved a send goes out at once. The server has no SMS provider. The worker's
 * e-mail channel is made here, with its default settings cache, so a test can show it a missing
 * answer first: the next message after the settings are saved must still go out.
 */
const t = await createTestApp();
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
const email = createEmailChannel({
  db: t.db,
  keyring,
  smtpUrl: t.smtp.url,
  email: t.config.email,
  publicUrl: t.config.publicUrl,
});
await startTestNoticeWorker(t, { channels: { email } });

const unique = () => randomBytes(4).toString('hex');

/** An organization without any channel settings, an incident with one affected customer, an approved notice. */
async function setUp() {
  const org = await createOrganization(t);
  const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
  const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
  const legal = await createUser(t, org, ['legal'], { totp: false });
  const incident = await createIncident(t, org, { title: 'Card data exposed' });
  const tag = unique();
  const address = sensitive(`reader-${tag}@example.test`);
  const created = await incident.agent.post('/api/customers', {
    externalId: `c-${tag}`,
    name: sensitive(`Jana ${tag}`),
    email: address,
    language: 'en',
  });
  expect(created.statusCode, created.body).toBe(201);
  const marked = await incident.agent.post(`/api/incidents/${incident.id}/affected-customers/by-list`, {
    rows: [{ email: address, categories: ['contact_details'] }],
  });
  expect(marked.statusCode, marked.body).toBe(200);
  const { noticeId, versionId } = await withOrg(
    t.db,
    org,
    async (tx) => {
      const versionId = await createApprovedNotice(tx, {
        organizationId: org,
        incidentId: incident.id,
        authorId: incident.manager.id,
        approverId: legal.id,
      });
      const [row] = await tx.query<{ notice_id: string }>(
        'SELECT notice_id FROM notice_versions WHERE id = $1',
        [versionId],
      );
      return { noticeId: row!.notice_id, versionId };
    },
    { system: true },
  );
  return { org, admin, writer, incidentId: incident.id, noticeId, versionId, address };
}
type Setup = Awaited<ReturnType<typeof setUp>>;

const requestSend = (s: Setup, channels: string[], headers?: Record<string, string>) =>
  s.writer.post(`/api/notices/${s.noticeId}/sends`, { channels }, headers);

async function saveEmailSettings(s: Setup) {
  const saved = await s.admin.put('/api/email-settings', {
    fromAddress: 'notices@shop.example',
    dkimSelector: 'candor',
  });
  expect(saved.statusCode, saved.body).toBe(200);
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, string> };
}

/** What the organization has written and queued for sends: rows, timeline events, jobs. */
async function written(org: string) {
  const [counts] = await withOrg(
    t.db,
    org,
    (tx) =>
      tx.query<{ sends: number; events: number }>(
        `SELECT (SELECT count(*)::int FROM notice_sends WHERE organization_id = $1) AS sends,
                (SELECT count(*)::int FROM incident_events
                  WHERE organization_id = $1 AND kind = 'notice_send_requested') AS events`,
        [org],
      ),
    { system: true },
  );
  const jobs = await t.db.query<{ id: string }>(
    `SELECT id FROM pgboss.job WHERE data->>'organizationId' = $1`,
    [org],
  );
  return { ...counts!, jobs: jobs.length };
}

async function deliveriesOf(org: string, sendId: string) {
  return withOrg(
    t.db,
    org,
    (tx) =>
      tx.query<{ status: string; attempts: number; last_error: string | null }>(
        'SELECT status, attempts, last_error FROM deliveries WHERE send_id = $1',
        [sendId],
      ),
    { system: true },
  );
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The send's one delivery once the worker has finished with it (sent or failed). */
const settled = (org: string, sendId: string) =>
  until(`the delivery of ${sendId}`, async () => {
    const rows = await deliveriesOf(org, sendId);
    return rows.length === 1 && ['sent', 'failed'].includes(rows[0]!.status) && rows[0]!;
  });

describe('a send that cannot be delivered is refused up front', () => {
  it('without e-mail settings a send by e-mail is refused (409), translated, naming what is missing; nothing is written or queued', async () => {
    const s = await setUp();
    const refused = await requestSend(s, ['email']);
    expect(refused.statusCode, refused.body).toBe(409);
    const body = refused.json<ErrorBody>();
    expect(body.error).toMatchObject({
      code: 'email_settings_missing',
      message: translate('en', 'error.email_settings_missing'),
      details: { channel: 'email', missing: 'fromAddress dkimKey', channels: 'email' },
    });
    expect(body.error.message).toContain('E-mail for notices');
    // In the reader's language.
    const czech = await requestSend(s, ['email'], { 'accept-language': 'cs' });
    expect(czech.json<ErrorBody>().error.message).toBe(translate('cs', 'error.email_settings_missing'));
    expect(await written(s.org)).toEqual({ sends: 0, events: 0, jobs: 0 });
  });

  it('after the settings are saved a send succeeds at once and its e-mail goes out, though the channel had just seen none', async () => {
    const s = await setUp();
    expect((await requestSend(s, ['email'])).statusCode).toBe(409);
    // The worker's channel is asked for this organization while it has no settings.
    const deliveryId = randomUUID();
    const before = await email.send({
      deliveryId,
      organizationId: s.org,
      channel: 'email',
      kind: 'mandatory',
      to: sensitive(`nobody-${unique()}@example.test`),
      messageId: `<${deliveryId}@notices.candor.test>`,
      rendered: {
        locale: 'en',
        direction: 'ltr',
        subject: 'Security incident',
        text: 'We are sorry.',
        html: '<p>We are sorry.</p>',
        sms: 'We are sorry.',
        webhook: {},
      },
    });
    expect(before).toMatchObject({
      outcome: 'permanent',
      error: expect.stringMatching(/no e-mail settings/),
    });

    await saveEmailSettings(s);
    const sent = await requestSend(s, ['email']);
    expect(sent.statusCode, sent.body).toBe(201);
    const sendId = sent.json<{ id: string }>().id;
    // The same channel sends it on its first attempt: the missing answer was not kept.
    expect(await settled(s.org, sendId)).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    const mail = await t.smtp.waitFor(s.address);
    expect(mail.parsed.from?.value[0]?.address).toBe('notices@shop.example');
    expect(mail.raw).toMatch(/^DKIM-Signature: .*d=shop\.example; s=candor;/m);
    expect(await written(s.org)).toMatchObject({ sends: 1, events: 1 });
  });

  it('SMS without a provider on the server and webhooks without the secret are refused with their codes', async () => {
    const s = await setUp();
    await saveEmailSettings(s);
    const sms = await requestSend(s, ['email', 'sms']);
    expect(sms.statusCode, sms.body).toBe(409);
    expect(sms.json<ErrorBody>().error).toMatchObject({
      code: 'sms_settings_missing',
      message: translate('en', 'error.sms_settings_missing'),
      details: { channel: 'sms', missing: 'smsProvider', channels: 'sms' },
    });
    const webhook = await requestSend(s, ['webhook']);
    expect(webhook.statusCode, webhook.body).toBe(409);
    expect(webhook.json<ErrorBody>().error).toMatchObject({
      code: 'webhook_secret_missing',
      message: translate('en', 'error.webhook_secret_missing'),
      details: { channel: 'webhook', missing: 'webhookSecret', channels: 'webhook' },
    });
    expect(await written(s.org)).toEqual({ sends: 0, events: 0, jobs: 0 });

    // Every channel lacking its settings is named at once; the code is the first one's.
    const other = await setUp();
    const all = await requestSend(other, ['webhook', 'sms', 'email']);
    expect(all.json<ErrorBody>().error).toMatchObject({
      code: 'email_settings_missing',
      details: { channel: 'email', channels: 'email sms webhook' },
    });

    // Once the secret exists, a send by webhook is accepted straight away.
    expect((await s.admin.post('/api/notices/webhook-secret')).statusCode).toBe(201);
    const accepted = await requestSend(s, ['email', 'webhook']);
    expect(accepted.statusCode, accepted.body).toBe(201);
  });

  it('resending the failed is refused while their channel lacks its settings, and goes out once they are saved', async () => {
    const s = await setUp();
    // A send accepted before requests were checked (as the route once wrote it) and queued:
    // without settings its delivery fails.
    const sendId = await withOrg(
      t.db,
      s.org,
      async (tx) =>
        (
          await tx.query<{ id: string }>(
            `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
             VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers') RETURNING id`,
            [s.org, s.incidentId, s.versionId],
          )
        )[0]!.id,
      { system: true },
    );
    await t.db.transaction((tx) => sendJob(tx, noticeSendJob, { organizationId: s.org, sendId }));
    expect(await settled(s.org, sendId)).toMatchObject({ status: 'failed', attempts: 1 });

    const refused = await s.admin.post(`/api/notice-sends/${sendId}/resend-failed`, {});
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json<ErrorBody>().error.code).toBe('email_settings_missing');
    expect(await deliveriesOf(s.org, sendId)).toMatchObject([{ status: 'failed', attempts: 1 }]);

    await saveEmailSettings(s);
    const resent = await s.admin.post(`/api/notice-sends/${sendId}/resend-failed`, {});
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toMatchObject({ affected: 1 });
    await t.smtp.waitFor(s.address);
    expect(await settled(s.org, sendId)).toMatchObject({ status: 'sent', last_error: null });
  });
});
