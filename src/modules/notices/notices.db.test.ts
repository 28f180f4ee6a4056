// One file over 400 lines: drafting, approval and send cases build on one incident and notice
// set up at the top, in order.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { deleteOrganization } from '../keys/org-deletion.js';
import { startJobs } from '../../platform/jobs.js';
import { organizationKeyring, masterKeyFrom } from '../../platform/keys.js';
import { createLogger } from '../../platform/logger.js';
import { MIGRATIONS_DIR } from '../../platform/migrations.js';
import type { NoticeContent } from './notice-model.js';
import { loadRenderer } from './notice-render.js';
import { NOTICE_SEND_QUEUE, noticeSendRequeueTimer } from './notice-sends.js';
import { listTestRecipients } from './notice-test-recipients.js';

// An SMS provider is configured (a send by SMS needs one); nothing is ever sent to it here.
const t = await createTestApp({
  CANDOR_SMS_URL: 'http://127.0.0.1:9',
  CANDOR_SMS_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
  CANDOR_SMS_AUTH_TOKEN: sensitive(randomBytes(16).toString('hex')),
  CANDOR_SMS_FROM: '+15005550006',
});
// The delivery engine's queue must exist for send requests to be queued. Until N2's worker is
// wired here, a stand-in worker that only records what it was given (it never delivers).
const seen: unknown[] = [];
const jobs = await startJobs({
  db: t.db,
  databaseUrl: t.databaseUrl,
  logger: createLogger({ level: 'silent' }),
  timers: [{ name: NOTICE_SEND_QUEUE, run: async (data) => (seen.push(data), 0) }],
});
afterAll(() => jobs.stop());

interface NoticeView {
  id: string;
  kind: string;
  isExercise: boolean;
  latest: {
    id: string;
    version: number;
    content: NoticeContent;
    approvedBy: string | null;
    flags: { id: string; kind: string; accepted: { reason: string } | null; customers?: number }[];
    readers: Record<string, number>;
  };
  versions: { version: number; approvedBy: string | null }[];
  sends: { id: string; status: string; audience: string; version: number }[];
}

async function setup(options: { isExercise?: boolean } = {}) {
  const org = await createOrganization(t);
  const incident = await createIncident(t, org, {
    type: 'data_breach',
    isExercise: options.isExercise ?? false,
    dataCategories: ['contact_details', 'payment_card'],
    moments: { occurred: '2026-03-01T23:30:00.000Z' },
  } as never);
  const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
  const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
  const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
  return { org, incident, writer, legal, viewer };
}

/** The organization's e-mail settings, saved as an admin saves them: a send by e-mail needs them. */
async function saveEmailSettings(admin: Awaited<ReturnType<typeof sessionFor>>) {
  const saved = await admin.put('/api/email-settings', {
    fromAddress: 'notices@shop.example',
    dkimSelector: 'candor',
  });
  expect(saved.statusCode, saved.body).toBe(200);
}

async function addAffected(
  s: Awaited<ReturnType<typeof setup>>,
  language: string,
  categories: string[],
  timeZone?: string,
) {
  const externalId = `c-${randomBytes(4).toString('hex')}`;
  const email = sensitive(`${externalId}@example.test`);
  const created = await s.incident.agent.post('/api/customers', {
    externalId,
    name: sensitive(`Jana ${externalId}`),
    email,
    language,
    ...(timeZone ? { timeZone } : {}),
  });
  expect(created.statusCode, created.body).toBe(201);
  const marked = await s.incident.agent.post(`/api/incidents/${s.incident.id}/affected-customers/by-list`, {
    rows: [{ email, categories }],
  });
  expect(marked.statusCode, marked.body).toBe(200);
  return created.json<{ id: string }>().id;
}

async function draftFromTemplate(s: Awaited<ReturnType<typeof setup>>, kind = 'mandatory') {
  const created = await s.writer.post(`/api/incidents/${s.incident.id}/notices`, { kind });
  expect(created.statusCode, created.body).toBe(201);
  return created.json<NoticeView>();
}

const approve = (
  s: Awaited<ReturnType<typeof setup>>,
  n: NoticeView,
  version = n.latest.version,
  as = s.legal,
) => as.post(`/api/notices/${n.id}/versions/${version}/approve`);

describe('notices', () => {
  it('drafts from the template of the incident type in three languages; each edit is a new, unapproved version', async () => {
    const s = await setup();
    const n = await draftFromTemplate(s);
    expect(n.latest.version).toBe(1);
    expect(n.latest.content.cs.parts.apology).toContain('Omlouváme se');
    expect(n.latest.content.ar.parts.apology).toContain('نعتذر');
    expect(n.latest.flags).toEqual([]);

    const content = structuredClone(n.latest.content);
    content.en.parts.what_we_did = 'We locked the database and reset every session.';
    const edited = await s.writer.put(`/api/notices/${n.id}`, { content });
    expect(edited.statusCode, edited.body).toBe(201);
    const v2 = edited.json<NoticeView>();
    expect(v2.latest.version).toBe(2);
    expect(v2.versions.map((v) => v.version)).toEqual([2, 1]);

    // A viewer reads, and may not write.
    expect((await s.viewer.get(`/api/notices/${n.id}`)).statusCode).toBe(200);
    expect((await s.viewer.put(`/api/notices/${n.id}`, { content })).statusCode).toBe(403);
    // Another organization does not see it.
    const other = await setup();
    expect((await other.writer.get(`/api/notices/${n.id}`)).statusCode).toBe(404);
  });

  it('refuses a misspelt placeholder or a bidi control with 400 naming the language and the part', async () => {
    const s = await setup();
    const n = await draftFromTemplate(s);
    const content = structuredClone(n.latest.content);
    content.ar.parts.your_data = 'البيانات: {categoreis}';
    const response = await s.writer.put(`/api/notices/${n.id}`, { content });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { details: Record<string, string> } }>().error.details).toMatchObject({
      where: 'body/content/ar/your_data',
      locale: 'ar',
      part: 'your_data',
      problem: 'unknown_placeholder',
      detail: '{categoreis} → {categories}',
    });
    content.ar.parts.your_data = 'الرمز \u202E{verificationCode}';
    const reversed = await s.writer.put(`/api/notices/${n.id}`, { content });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json<{ error: { details: Record<string, string> } }>().error.details).toMatchObject({
      problem: 'bidi_control',
      detail: 'U+202E at 6',
    });
  });

  it('prose with quotes, # and braces is kept as written; approval is refused while any language would arrive without the code or the verify link', async () => {
    const s = await setup();
    const n = await draftFromTemplate(s);
    const content = structuredClone(n.latest.content);
    // The ICU trap: an apostrophe before '<', '>' or '{' used to swallow the rest of the part.
    content.cs.parts.how_to_verify =
      "Stiskněte 'OK'> a zadejte kód '{verificationCode}' na {verifyUrl}. #{tip} '#' {x y}";
    content.en.sms = 'We wrote to you by e-mail. Check it at {verifyUrl}';
    const edited = await s.writer.put(`/api/notices/${n.id}`, { content });
    expect(edited.statusCode, edited.body).toBe(201);
    const v2 = edited.json<NoticeView>();
    const refused = await approve(s, v2);
    expect(refused.statusCode).toBe(409);
    const error = refused.json<{
      error: { code: string; message: string; details: Record<string, string> };
    }>().error;
    expect(error.code).toBe('notice_incomplete');
    expect(error.details).toEqual({ locale: 'en', channel: 'sms', missing: 'verificationCode' });
    expect(error.message).toContain('{verificationCode}');

    content.en.sms = 'We wrote to you by e-mail. Check it at {verifyUrl} with the code {verificationCode}';
    const v3 = (await s.writer.put(`/api/notices/${n.id}`, { content })).json<NoticeView>();
    expect((await approve(s, v3)).statusCode).toBe(200);
    const render = await withOrg(t.db, s.org, (tx) => loadRenderer(tx, s.org, v3.latest.id));
    const czech = render({
      customerId: null,
      name: 'Jana',
      locale: 'cs',
      timeZone: 'Europe/Prague',
      categories: ['health'],
      verificationCode: 'K7QF-2M9X-D4TA',
    });
    const verifyUrl = new URL('/verify', t.config.publicUrl).toString();
    expect(czech.text).toContain(
      `Stiskněte 'OK'> a zadejte kód 'K7QF-2M9X-D4TA' na ${verifyUrl}. #{tip} '#' {x y}`,
    );
    expect(czech.html).toMatch(
      /Stiskněte &#39;OK&#39;&gt; a zadejte kód &#39;<bdi dir="ltr" lang="en" style="[^"]*">K7QF-2M9X-D4TA<\/bdi>&#39;/,
    );
  });

  it('a version written as ICU before is turned into placeholders by the migration, and renders with its code', async () => {
    const s = await setup();
    const n = await draftFromTemplate(s);
    const legacy = structuredClone(n.latest.content);
    legacy.en.parts.what_happened = "On {incidentDate, date, long}, we found it. Don''t click '{'links'}'.";
    legacy.en.parts.your_data =
      'These: {categories}. {count, plural, one {That is # category.} other {That is # categories.}}';
    await t.db.query('UPDATE notice_versions SET content = $2 WHERE id = $1', [n.latest.id, legacy]);
    const sql = readFileSync(
      path.join(MIGRATIONS_DIR, '20261208000000_notice_text_placeholders.sql'),
      'utf8',
    );
    await t.db.transaction((tx) => tx.exec(sql));
    const [row] = await t.db.query<{ content: NoticeContent }>(
      'SELECT content FROM notice_versions WHERE id = $1',
      [n.latest.id],
    );
    expect(row!.content.en.parts.what_happened).toBe("On {incidentDate}, we found it. Don't click {links}.");
    expect(row!.content.en.parts.your_data).toBe('These: {categories}. {categoryCount}');
    expect(row!.content.cs).toEqual(n.latest.content.cs);
  });

  it('approval: never by the author, an edit voids it, unaccepted flags block it, only approved versions send', async () => {
    const s = await setup();
    await addAffected(s, 'cs', ['payment_card']);
    const n = await draftFromTemplate(s);

    // Unapproved: no send.
    const early = await s.writer.post(`/api/notices/${n.id}/sends`, { channels: ['email'] });
    expect(early.statusCode).toBe(409);
    expect(early.json<{ error: { details: Record<string, string> } }>().error.details.reason).toBe(
      'not_approved',
    );

    // A legal user who wrote the version cannot approve it.
    const legalAuthor = await s.legal.put(`/api/notices/${n.id}`, { content: n.latest.content });
    expect(legalAuthor.statusCode).toBe(403); // legal does not draft
    const admin = await sessionFor(t, await createUser(t, s.org, ['admin', 'legal'], { totp: false }));
    const byAdmin = await admin.put(`/api/notices/${n.id}`, { content: n.latest.content });
    expect(byAdmin.statusCode, byAdmin.body).toBe(201);
    const own = await approve(s, n, 2, admin);
    expect(own.statusCode).toBe(403);
    expect(own.json<{ error: { code: string } }>().error.code).toBe('author_cannot_approve');
    // The database refuses it too.
    await expect(
      withOrg(t.db, s.org, (tx) =>
        tx.query(
          'UPDATE notice_versions SET approved_by = author_id, approved_at = now() WHERE notice_id = $1',
          [n.id],
        ),
      ),
    ).rejects.toThrow();

    // Evasive wording: a flag that blocks approval until accepted with a reason.
    const content = structuredClone(n.latest.content);
    content.en.parts.what_happened = 'A minor incident affected some data.';
    const v3 = (await s.writer.put(`/api/notices/${n.id}`, { content })).json<NoticeView>();
    expect(v3.latest.flags.map((f) => f.id)).toEqual(['minimising:en:what_happened:minor']);
    const blocked = await approve(s, v3);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json<{ error: { details: Record<string, string> } }>().error.details.flags).toBe(
      'minimising:en:what_happened:minor',
    );
    // The check of any version, on its own.
    const older = await s.viewer.get(`/api/notices/${n.id}/versions/1/candour`);
    expect(older.json<{ flags: unknown[] }>().flags).toEqual([]);
    const current = await s.viewer.get(`/api/notices/${n.id}/versions/3/candour`);
    expect(current.json<{ flags: { id: string }[] }>().flags.map((f) => f.id)).toEqual([
      'minimising:en:what_happened:minor',
    ]);
    const flagUrl = `/api/notices/${n.id}/versions/3/flags/${encodeURIComponent('minimising:en:what_happened:minor')}/accept`;
    expect((await s.writer.post(flagUrl, { reason: '  ' })).statusCode).toBe(400);
    const accepted = await s.writer.post(flagUrl, {
      reason: 'Two records of test data, confirmed by forensics.',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json<NoticeView>().latest.flags[0]!.accepted?.reason).toBe(
      'Two records of test data, confirmed by forensics.',
    );
    // An older version cannot be approved.
    expect((await approve(s, v3, 2)).statusCode).toBe(409);
    const approved = await approve(s, v3);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json<NoticeView>().latest.approvedBy).not.toBeNull();

    // An edit voids the approval: the new version is unapproved and cannot be sent.
    const v4 = (await s.writer.put(`/api/notices/${n.id}`, { content })).json<NoticeView>();
    expect(v4.latest.approvedBy).toBeNull();
    expect(v4.latest.flags[0]!.accepted).toBeNull();
    expect((await s.writer.post(`/api/notices/${n.id}/sends`, { channels: ['email'] })).statusCode).toBe(409);
    // The database refuses a send row for an unapproved version whoever writes it.
    await expect(
      withOrg(t.db, s.org, (tx) =>
        tx.query(
          `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
           VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers')`,
          [s.org, s.incident.id, v4.latest.id],
        ),
      ),
    ).rejects.toThrow(/not approved/);
  });

  it('flags a language affected customers read when a part is missing in it', async () => {
    const s = await setup();
    await addAffected(s, 'ar', ['credentials']);
    await addAffected(s, 'ar-SA', ['credentials']);
    await addAffected(s, 'de', ['credentials']); // reads the organization's default (en)
    const n = await draftFromTemplate(s);
    expect(n.latest.readers).toEqual({ ar: 2, en: 1 });
    const content = structuredClone(n.latest.content);
    content.ar.parts.how_to_verify = '';
    const v2 = (await s.writer.put(`/api/notices/${n.id}`, { content })).json<NoticeView>();
    expect(v2.latest.flags).toMatchObject([
      { id: 'missing_for_customers:ar:how_to_verify', kind: 'missing_for_customers', customers: 2 },
    ]);
  });

  it('sends an approved version now or at a time: a send row and a notice-send job', async () => {
    const s = await setup();
    await addAffected(s, 'en', ['contact_details']);
    await saveEmailSettings(await sessionFor(t, await createUser(t, s.org, ['admin'], { totp: false })));
    const n = await draftFromTemplate(s);
    expect((await approve(s, n)).statusCode).toBe(200);
    // Legal approves but does not send.
    expect((await s.legal.post(`/api/notices/${n.id}/sends`, { channels: ['email'] })).statusCode).toBe(403);
    const now = await s.writer.post(`/api/notices/${n.id}/sends`, { channels: ['email', 'sms'] });
    expect(now.statusCode, now.body).toBe(201);
    const later = await s.writer.post(`/api/notices/${n.id}/sends`, {
      channels: ['email'],
      scheduledAt: '2099-01-01T09:00:00.000Z',
    });
    expect(later.statusCode, later.body).toBe(201);
    const sendIds = [now.json<{ id: string }>().id, later.json<{ id: string }>().id];
    const jobRows = await t.db.query<{ data: { organizationId: string; sendId: string }; start_after: Date }>(
      'SELECT data, start_after FROM pgboss.job WHERE name = $1 AND data->>$2 = ANY($3)',
      [NOTICE_SEND_QUEUE, 'sendId', sendIds],
    );
    expect(jobRows.map((j) => j.data).sort((a, b) => a.sendId.localeCompare(b.sendId))).toEqual(
      sendIds
        .map((sendId) => ({ organizationId: s.org, sendId }))
        .sort((a, b) => a.sendId.localeCompare(b.sendId)),
    );
    expect(jobRows.find((j) => j.data.sendId === sendIds[1])!.start_after.toISOString()).toBe(
      '2099-01-01T09:00:00.000Z',
    );
    const view = (await s.writer.get(`/api/notices/${n.id}`)).json<NoticeView>();
    expect(view.sends.map((x) => [x.audience, x.status, x.version])).toEqual([
      ['customers', 'scheduled', 1],
      ['customers', 'scheduled', 1],
    ]);
  });

  it('queues the send job in the transaction of the send request: both commit, or neither does', async () => {
    const s = await setup();
    await saveEmailSettings(await sessionFor(t, await createUser(t, s.org, ['admin'], { totp: false })));
    const n = await draftFromTemplate(s);
    expect((await approve(s, n)).statusCode).toBe(200);
    // Scheduled far ahead: no worker touches the job (and its row) while the test reads it.
    const body = { channels: ['email'], scheduledAt: '2099-01-01T09:00:00.000Z' };
    const sent = await s.writer.post(`/api/notices/${n.id}/sends`, body);
    expect(sent.statusCode, sent.body).toBe(201);
    const sendId = sent.json<{ id: string }>().id;
    // Written by one transaction: the request (with its job's id) and the job carry the same xmin.
    const [request] = await t.db.query<{ job_id: string; xmin: string }>(
      'SELECT job_id, xmin::text AS xmin FROM notice_sends WHERE id = $1',
      [sendId],
    );
    const [job] = await t.db.query<{ xmin: string; data: unknown }>(
      'SELECT xmin::text AS xmin, data FROM pgboss.job WHERE id = $1',
      [request!.job_id],
    );
    expect(job).toEqual({ xmin: request!.xmin, data: { organizationId: s.org, sendId } });

    // A job that cannot be queued (here the request role has lost its right to) takes the request
    // with it: no send request is left for the requeue timer to find.
    const sendsOf = async () => (await s.writer.get(`/api/notices/${n.id}`)).json<NoticeView>().sends;
    await t.db.exec('REVOKE INSERT ON pgboss.job FROM candor_app');
    try {
      const refused = await s.writer.post(`/api/notices/${n.id}/sends`, body);
      expect(refused.statusCode, refused.body).toBe(503);
    } finally {
      await t.db.query('SELECT candor_grant_job_rights()');
    }
    expect((await sendsOf()).map((x) => x.id)).toEqual([sendId]);
  });

  it('a send request left without its job (a crash after the commit) is queued by the requeue timer', async () => {
    const s = await setup();
    const n = await draftFromTemplate(s);
    expect((await approve(s, n)).statusCode).toBe(200);
    // As if the process died between the commit and the enqueue: a row, no job.
    const [orphan] = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ id: string }>(
        `INSERT INTO notice_sends (organization_id, incident_id, notice_version_id, kind, channels, audience)
         VALUES ($1, $2, $3, 'mandatory', '{email}', 'customers') RETURNING id`,
        [s.org, s.incident.id, n.latest.id],
      ),
    );
    const jobsFor = (id: string) =>
      t.db.query('SELECT id FROM pgboss.job WHERE name = $1 AND data->>$2 = $3', [
        NOTICE_SEND_QUEUE,
        'sendId',
        id,
      ]);
    const timer = noticeSendRequeueTimer(
      { db: t.db, logger: createLogger({ level: 'silent' }) },
      '0 seconds',
    );
    // A fresh request is left alone during the grace period.
    const patient = noticeSendRequeueTimer({ db: t.db, logger: createLogger({ level: 'silent' }) });
    await patient.run();
    expect(await jobsFor(orphan!.id)).toHaveLength(0);
    expect(await timer.run()).toBeGreaterThanOrEqual(1);
    expect(await jobsFor(orphan!.id)).toHaveLength(1);
    const [row] = await t.db.query<{ job_id: string | null }>(
      'SELECT job_id FROM notice_sends WHERE id = $1',
      [orphan!.id],
    );
    expect(row!.job_id).not.toBeNull();
    // Queued once: the next run finds nothing more for it.
    await timer.run();
    expect(await jobsFor(orphan!.id)).toHaveLength(1);
  });

  it('an exercise sends to the test recipients only, whatever the request says', async () => {
    const s = await setup({ isExercise: true });
    await addAffected(s, 'en', ['contact_details']);
    const admin = await sessionFor(t, await createUser(t, s.org, ['admin'], { totp: false }));
    await saveEmailSettings(admin);
    const email = sensitive(`tester-${randomBytes(3).toString('hex')}@example.test`);
    const added = await admin.post('/api/notice-test-recipients', {
      name: sensitive('Tereza Testová'),
      locale: 'cs',
      email,
    });
    expect(added.statusCode, added.body).toBe(201);
    // A webhook endpoint follows the customers' rule: https only, no credentials in it.
    for (const webhookUrl of ['https://user:secret@hooks.example.test/n', 'http://hooks.example.test/n']) {
      const refused = await admin.post('/api/notice-test-recipients', {
        name: 'Hook',
        locale: 'en',
        webhookUrl,
      });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.body).toContain('webhookUrl');
    }
    // Communications may not manage them.
    expect((await s.writer.get('/api/notice-test-recipients')).statusCode).toBe(403);
    // Sealed: the address is nowhere in clear.
    const raw = await t.db.query<{ personal: Uint8Array }>(
      'SELECT personal FROM notice_test_recipients WHERE organization_id = $1',
      [s.org],
    );
    expect(Buffer.from(raw[0]!.personal).toString('latin1')).not.toContain(email);
    const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
    const listed = await withOrg(t.db, s.org, async (tx) =>
      listTestRecipients(tx, await keyring.get(tx, s.org)),
    );
    expect(listed).toMatchObject([{ locale: 'cs', email }]);

    const n = await draftFromTemplate(s);
    expect(n.isExercise).toBe(true);
    expect(n.latest.readers).toEqual({ cs: 1 });
    expect((await approve(s, n)).statusCode).toBe(200);
    const sent = await s.writer.post(`/api/notices/${n.id}/sends`, {
      channels: ['email'],
      audience: 'customers',
    });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json<{ audience: string }>().audience).toBe('test_recipients');

    // Deleting the organization takes its notices, versions, sends and test recipients with it.
    const name = (
      await t.db.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [s.org])
    )[0]!.name;
    await deleteOrganization(t.db, s.org, name);
    for (const table of ['notices', 'notice_versions', 'notice_sends', 'notice_test_recipients']) {
      const left = await t.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${table} WHERE organization_id = $1`,
        [s.org],
      );
      expect(Number(left[0]!.n), table).toBe(0);
    }
  });

  it('renders each customer in their language and zone with their categories; previews as a customer are audited', async () => {
    const s = await setup();
    const cs = await addAffected(s, 'cs', ['payment_card', 'credentials', 'health'], 'Europe/Prague');
    await addAffected(s, 'ar', ['payment_card', 'credentials']);
    const n = await draftFromTemplate(s);
    const render = await withOrg(t.db, s.org, (tx) => loadRenderer(tx, s.org, n.latest.id));
    const base = { customerId: null, name: 'Jana', verificationCode: 'K7QF-2M9X-D4TA' };
    const czech = render({
      ...base,
      locale: 'cs',
      timeZone: 'Europe/Prague',
      categories: ['payment_card', 'credentials', 'health'],
    });
    expect(czech.text).toContain('Dne 2. března 2026');
    expect(czech.text).toContain('(celkem 3 druhy vašich údajů)');
    expect(czech.text).toContain('údaje platebních karet, přihlašovací údaje a');
    const american = render({ ...base, locale: 'en', timeZone: 'America/New_York', categories: ['health'] });
    expect(american.text).toContain('On March 1, 2026');
    expect(american.text).toContain('(1 category of your data in all)');
    const arabic = render({
      ...base,
      locale: 'ar',
      timeZone: 'UTC',
      categories: ['payment_card', 'credentials'],
    });
    expect(arabic.html).toContain('<html lang="ar" dir="rtl">');
    expect(arabic.text).toContain('(المجموع: فئتان من بياناتك)');

    const preview = await s.writer.post(`/api/notices/${n.id}/preview`, { locale: 'ar', customerId: cs });
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json<{ html: string; direction: string; asCustomer: boolean }>();
    expect(body).toMatchObject({ direction: 'rtl', asCustomer: true });
    expect(body.html).toContain('Jana c-');
    const audit = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ action: string; data: Record<string, unknown> }>(
        "SELECT action, data FROM audit_events WHERE action = 'customer.revealed' AND target_id = $1",
        [cs],
      ),
    );
    expect(audit.map((a) => a.data.reason)).toEqual(['notice_preview']);
    // A sample preview decrypts no one; a viewer previews nothing.
    const sample = await s.writer.post(`/api/notices/${n.id}/preview`, { locale: 'en' });
    expect(sample.json<{ html: string }>().html).toContain('Alex Taylor');
    // The Arabic SMS needs UCS-2: 70 units alone, 67 per part.
    const sms = preview.json<{ sms: string; smsSegments: { encoding: string; segments: number } }>();
    expect(sms.smsSegments.encoding).toBe('ucs2');
    expect(sms.smsSegments.segments).toBe(Math.ceil(sms.sms.length / 67));
    expect((await s.viewer.post(`/api/notices/${n.id}/preview`, { locale: 'en' })).statusCode).toBe(403);
  });
});
