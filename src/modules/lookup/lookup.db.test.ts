import { randomBytes } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { mailAddress } from '../../platform/mailer.js';
import { sensitive } from '../../../test/secrets.js';
import { linkIn } from '../../../test/smtp.js';
import { withOrg } from '../../platform/db.js';
import { startJobs } from '../../platform/jobs.js';
import { createLogger } from '../../platform/logger.js';
import { signedOrganizationMail } from '../notices/channel-email.js';
import { LOOKUP_QUEUE, lookupWorker } from './lookup-job.js';
import { LOOKUP_LIMITS } from './lookup-throttle.js';

const t = await createTestApp();
const logger = createLogger({ level: 'silent' });
const jobs = await startJobs({
  db: t.db,
  databaseUrl: t.databaseUrl,
  logger,
  timers: [
    lookupWorker({ db: t.db, config: t.config, outbox: t.outbox, logger, signMail: signedOrganizationMail }),
  ],
});
afterAll(() => jobs.stop());

const origin = t.config.publicUrl.origin;
const address = () => sensitive(`person-${randomBytes(5).toString('hex')}@example.test`);

const content = (tag: string) => ({
  en: { happened: `Happened ${tag}`, done: `Done ${tag}`, advice: `Advice ${tag}` },
  cs: { happened: `Stalo se ${tag}`, done: `Udělali jsme ${tag}`, advice: `Doporučení ${tag}` },
  ar: { happened: `ما حدث ${tag}`, done: `ما فعلناه ${tag}`, advice: `ما ينبغي ${tag}` },
});

/** An organization with a drafted, approved and published page on a data-breach incident. */
async function published(options: { isExercise?: boolean } = {}) {
  const org = await createOrganization(t);
  const incident = await createIncident(t, org, { isExercise: options.isExercise ?? false });
  const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
  const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
  const edited = await writer.put(`/api/incidents/${incident.id}/guidance`, content('v1'));
  expect(edited.statusCode, edited.body).toBe(201);
  const approved = await legal.post(`/api/incidents/${incident.id}/guidance/versions/1/approve`);
  expect(approved.statusCode, approved.body).toBe(200);
  const page = await legal.post(`/api/incidents/${incident.id}/lookup-page/publish`, {
    supportUrl: 'https://help.example.test/incident',
  });
  expect(page.statusCode, page.body).toBe(200);
  const publicId = page.json<{ page: { publicId: string } }>().page.publicId;
  return { org, incident, writer, legal, publicId };
}

async function addAffected(
  s: Awaited<ReturnType<typeof published>>,
  email: string,
  categories: string[],
  language = 'cs',
) {
  const externalId = `c-${randomBytes(4).toString('hex')}`;
  const created = await s.incident.agent.post('/api/customers', {
    externalId,
    name: sensitive(`Jana ${externalId}`),
    email,
    language,
    country: 'CZ',
  });
  expect(created.statusCode, created.body).toBe(201);
  const marked = await s.incident.agent.post(`/api/incidents/${s.incident.id}/affected-customers/by-list`, {
    rows: [{ email, categories }],
  });
  expect(marked.statusCode, marked.body).toBe(200);
  return created.json<{ id: string }>().id;
}

const lookup = (publicId: string, email: string, ip = '127.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url: `/api/public/affected/${publicId}/lookup`,
    headers: { origin },
    payload: { email, locale: 'en' },
    remoteAddress: ip,
  });

const result = (publicId: string, token: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/public/affected/${publicId}/result`,
    headers: { origin },
    payload: { token, locale: 'cs' },
  });

interface JobRow {
  id: string;
  name: string;
  data: Record<string, unknown>;
  state: string;
}
const lookupJobs = () =>
  t.db.query<JobRow>('SELECT id, name, data, state FROM pgboss.job WHERE name = $1 ORDER BY created_on', [
    LOOKUP_QUEUE,
  ]);

async function jobsSettled(ids: string[]) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = (await lookupJobs()).filter((r) => ids.includes(r.id));
    if (rows.length === ids.length && rows.every((r) => r.state === 'completed')) return rows;
    if (Date.now() > deadline)
      throw new Error(`jobs not completed: ${JSON.stringify(rows.map((r) => r.state))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const tokenOf = (link: string) => new URL(link).hash.slice('#token='.length);

describe('"Was I affected?": guidance, approval and publishing', () => {
  it('an unpublished page is the same 404 as an unknown id; a look-up there is refused the same way', async () => {
    const org = await createOrganization(t);
    const incident = await createIncident(t, org);
    const writer = await sessionFor(t, await createUser(t, org, ['communications'], { totp: false }));
    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    await writer.put(`/api/incidents/${incident.id}/guidance`, content('x'));
    await legal.post(`/api/incidents/${incident.id}/guidance/versions/1/approve`);
    const page = await legal.post(`/api/incidents/${incident.id}/lookup-page/publish`, {});
    const publicId = page.json<{ page: { publicId: string } }>().page.publicId;
    expect(publicId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(publicId).not.toBe(String(incident.number));
    expect(publicId).not.toContain(incident.id);
    expect((await t.app.inject({ url: `/api/public/affected/${publicId}` })).statusCode).toBe(200);

    const closed = await legal.post(`/api/incidents/${incident.id}/lookup-page/unpublish`);
    expect(closed.json<{ page: { published: boolean } }>().page.published).toBe(false);
    const unknownId = randomBytes(18).toString('base64url');
    for (const id of [publicId, unknownId]) {
      const got = await t.app.inject({ url: `/api/public/affected/${id}` });
      expect(got.statusCode).toBe(404);
      expect(got.json<{ error: { code: string } }>().error.code).toBe('not_found');
      const posted = await lookup(id, address());
      expect(posted.statusCode).toBe(404);
    }
  });

  it('the author cannot approve; an edit makes a new version and voids approval; only legal publishes', async () => {
    const org = await createOrganization(t);
    const incident = await createIncident(t, org);
    const both = await sessionFor(t, await createUser(t, org, ['communications', 'legal'], { totp: false }));
    const legal = await sessionFor(t, await createUser(t, org, ['legal'], { totp: false }));
    const manager = incident.agent;

    expect((await legal.put(`/api/incidents/${incident.id}/guidance`, content('a'))).statusCode).toBe(403);
    expect((await both.put(`/api/incidents/${incident.id}/guidance`, content('a'))).statusCode).toBe(201);
    const own = await both.post(`/api/incidents/${incident.id}/guidance/versions/1/approve`);
    expect(own.statusCode).toBe(403);
    expect(own.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'author_cannot_approve',
      message: expect.stringContaining('another legal user') as string,
    });
    expect((await manager.post(`/api/incidents/${incident.id}/guidance/versions/1/approve`)).statusCode).toBe(
      403,
    );
    const notYet = await legal.post(`/api/incidents/${incident.id}/lookup-page/publish`, {});
    expect(notYet.statusCode).toBe(409);
    expect(notYet.json<{ error: { code: string } }>().error.code).toBe('guidance_not_approved');

    const ok = await legal.post(`/api/incidents/${incident.id}/guidance/versions/1/approve`);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json<{ versions: { approvedBy: string | null }[] }>().versions[0]!.approvedBy).not.toBeNull();

    // The manager edits: version 2, not approved; version 1 can no longer be approved or published.
    const edited = await manager.put(`/api/incidents/${incident.id}/guidance`, content('b'));
    expect(edited.statusCode).toBe(201);
    const versions = edited.json<{ versions: { version: number; approvedBy: string | null }[] }>().versions;
    expect(versions.map((v) => [v.version, v.approvedBy === null])).toEqual([
      [2, true],
      [1, false],
    ]);
    const publish = await legal.post(`/api/incidents/${incident.id}/lookup-page/publish`, {});
    expect(publish.json<{ error: { code: string } }>().error.code).toBe('guidance_not_approved');
    expect((await manager.post(`/api/incidents/${incident.id}/lookup-page/publish`, {})).statusCode).toBe(
      403,
    );

    // The legal user who co-wrote nothing of version 2 approves it; then publishes.
    expect((await both.post(`/api/incidents/${incident.id}/guidance/versions/2/approve`)).statusCode).toBe(
      200,
    );
    const open = await legal.post(`/api/incidents/${incident.id}/lookup-page/publish`, {});
    expect(open.statusCode, open.body).toBe(200);
    expect(open.json<{ page: { published: boolean; version: number } }>().page).toMatchObject({
      published: true,
      version: 2,
    });

    const timeline = await manager.get(`/api/incidents/${incident.id}/timeline`);
    const kinds = timeline.json<{ kind: string }[]>().map((e) => e.kind);
    for (const kind of ['guidance_edited', 'guidance_approved', 'lookup_page_published']) {
      expect(kinds).toContain(kind);
    }
  });

  it("a restricted incident's guidance stays with its members, in the API and in the database", async () => {
    const org = await createOrganization(t);
    const incident = await createIncident(t, org, { restricted: true });
    const url = `/api/incidents/${incident.id}/guidance`;
    expect((await incident.agent.put(url, content('r'))).statusCode).toBe(201);
    expect((await incident.agent.get(url)).json<{ versions: unknown[] }>().versions).toHaveLength(1);
    const outsider = await createUser(t, org, ['admin', 'legal'], { totp: false });
    const agent = await sessionFor(t, outsider);
    expect((await agent.get(url)).statusCode).toBe(404);
    expect((await agent.put(url, content('x'))).statusCode).toBe(404);
    expect((await agent.post(`${url}/versions/1/approve`)).statusCode).toBe(404);
    expect((await agent.post(`/api/incidents/${incident.id}/lookup-page/publish`, {})).statusCode).toBe(404);
    const seen = await withOrg(
      t.db,
      org,
      (tx) => tx.query('SELECT id FROM incident_guidance_versions WHERE incident_id = $1', [incident.id]),
      { userId: outsider.id },
    );
    expect(seen).toEqual([]);
  });

  it('the public page shows the approved guidance in the language asked for, Accept-Language first', async () => {
    const s = await published();
    const ar = await t.app.inject({
      url: `/api/public/affected/${s.publicId}`,
      headers: { 'accept-language': 'ar-SA,ar;q=0.9' },
    });
    expect(ar.statusCode).toBe(200);
    expect(ar.json()).toMatchObject({
      locale: 'ar',
      locales: ['en', 'cs', 'ar'],
      guidance: content('v1').ar,
      supportUrl: 'https://help.example.test/incident',
    });
    const cs = await t.app.inject({ url: `/api/public/affected/${s.publicId}?locale=cs` });
    expect(cs.json<{ guidance: unknown }>().guidance).toEqual(content('v1').cs);
  });
});

describe('"Was I affected?": the look-up and the one-time link', () => {
  it('a known-affected and an unknown address get byte-identical answers and the same job, without the address', async () => {
    const s = await published();
    const known = address();
    const unknown = address();
    await addAffected(s, known, ['contact_details', 'payment_card']);
    const before = (await lookupJobs()).length;

    const a = await lookup(s.publicId, known);
    const b = await lookup(s.publicId, unknown);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(a.statusCode);
    expect(b.rawPayload.equals(a.rawPayload)).toBe(true);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);

    const rows = (await lookupJobs()).slice(before);
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.name)).toEqual([LOOKUP_QUEUE, LOOKUP_QUEUE]);
    for (const row of rows) {
      expect(Object.keys(row.data).sort()).toEqual(['emailIndex', 'incidentId', 'locale', 'organizationId']);
      const text = JSON.stringify(row.data).toLowerCase();
      expect(text).not.toContain(known.toLowerCase());
      expect(text).not.toContain(unknown.toLowerCase());
      expect(text).not.toContain('@');
    }
    await jobsSettled(rows.map((r) => r.id));

    // Exactly one e-mail, to the affected address, in the customer's language (cs).
    const mail = await t.smtp.waitFor(known);
    await new Promise((r) => setTimeout(r, 500));
    expect(t.smtp.received.filter((m) => m.to.includes(known.toLowerCase()))).toHaveLength(1);
    expect(t.smtp.received.filter((m) => m.to.includes(unknown.toLowerCase()))).toHaveLength(0);
    expect(mail.parsed.subject).toContain('bezpečnostnímu incidentu');

    const link = linkIn(mail, `/affected/${s.publicId}/result`);
    const first = await result(s.publicId, tokenOf(link));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      categories: ['contact_details', 'payment_card'],
      locale: 'cs',
      guidance: content('v1').cs,
      supportUrl: 'https://help.example.test/incident',
    });
    const second = await result(s.publicId, tokenOf(link));
    expect(second.statusCode).toBe(410);
    expect(second.json<{ error: { code: string } }>().error.code).toBe('link_expired');

    // The deliveries, the job rows and the audit log hold no address in clear.
    const dump = JSON.stringify(
      await t.db.query(
        `SELECT (SELECT json_agg(d) FROM deliveries d) AS d, (SELECT json_agg(j.data) FROM pgboss.job j) AS j,
                (SELECT json_agg(a.data) FROM audit_events a) AS a`,
      ),
    ).toLowerCase();
    expect(dump).not.toContain(known.toLowerCase());
    const audit = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ action: string }>(`SELECT action FROM audit_events WHERE action LIKE 'lookup.%'`),
    );
    expect(audit.map((r) => r.action)).toContain('lookup.result_viewed');
  });

  it('a link no longer works after 15 minutes', async () => {
    const s = await published();
    const known = address();
    await addAffected(s, known, ['credentials'], 'en');
    const before = (await lookupJobs()).length;
    expect((await lookup(s.publicId, known)).statusCode).toBe(202);
    await jobsSettled((await lookupJobs()).slice(before).map((r) => r.id));
    const link = linkIn(await t.smtp.waitFor(known), `/affected/${s.publicId}/result`);
    const rows = await t.db.query<{ minutes: number }>(
      `SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes FROM lookup_links
       WHERE organization_id = $1`,
      [s.org],
    );
    expect(rows).toEqual([{ minutes: 15 }]);
    // The clock moves on: the link's expiry is put in the past, as 15 minutes later.
    await t.db.query(
      `UPDATE lookup_links SET expires_at = now() - interval '1 second', created_at = now() - interval '15 minutes 1 second'
       WHERE organization_id = $1`,
      [s.org],
    );
    const late = await result(s.publicId, tokenOf(link));
    expect(late.statusCode).toBe(410);
    expect(late.json<{ error: { code: string } }>().error.code).toBe('link_expired');
  });

  it('is rate-limited per address and per IP, the same way for known and unknown addresses', async () => {
    const s = await published();
    const known = address();
    const unknown = address();
    await addAffected(s, known, ['other']);
    const answers: Record<string, LightMyRequestResponse[]> = { known: [], unknown: [] };
    for (let i = 0; i <= LOOKUP_LIMITS.address; i++) {
      answers.known!.push(await lookup(s.publicId, known, '198.51.100.1'));
      answers.unknown!.push(await lookup(s.publicId, unknown, '198.51.100.2'));
    }
    const statuses = (list: LightMyRequestResponse[]) => list.map((r) => r.statusCode);
    const expected = [...Array<number>(LOOKUP_LIMITS.address).fill(202), 429];
    expect(statuses(answers.known!)).toEqual(expected);
    expect(statuses(answers.unknown!)).toEqual(expected);
    const lastKnown = answers.known!.at(-1)!;
    const lastUnknown = answers.unknown!.at(-1)!;
    expect(lastKnown.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
    expect(lastUnknown.json<{ error: { code: string } }>().error.code).toBe('rate_limited');
    expect(Number(lastKnown.headers['retry-after'])).toBeGreaterThan(0);

    // Per IP: different addresses from one IP.
    const ip = '198.51.100.77';
    const fromIp: number[] = [];
    for (let i = 0; i <= LOOKUP_LIMITS.ip; i++)
      fromIp.push((await lookup(s.publicId, address(), ip)).statusCode);
    expect(fromIp).toEqual([...Array<number>(LOOKUP_LIMITS.ip).fill(202), 429]);
    // Another IP is not held back by it.
    expect((await lookup(s.publicId, address(), '198.51.100.78')).statusCode).toBe(202);
  });

  it('an exercise incident never e-mails a real customer: the match is audited instead', async () => {
    const s = await published({ isExercise: true });
    const known = address();
    const customerId = await addAffected(s, known, ['contact_details']);
    const before = (await lookupJobs()).length;
    expect((await lookup(s.publicId, known)).statusCode).toBe(202);
    await jobsSettled((await lookupJobs()).slice(before).map((r) => r.id));
    const audited = await withOrg(t.db, s.org, (tx) =>
      tx.query<{ data: { customerId: string } }>(
        `SELECT data FROM audit_events WHERE action = 'lookup.exercise_not_sent'`,
      ),
    );
    expect(audited.map((r) => r.data.customerId)).toEqual([customerId]);
    const deliveries = await withOrg(t.db, s.org, (tx) =>
      tx.query(`SELECT id FROM deliveries WHERE purpose = 'affected_lookup'`),
    );
    expect(deliveries).toEqual([]);
    const links = await t.db.query('SELECT id FROM lookup_links WHERE organization_id = $1', [s.org]);
    expect(links).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.smtp.received.filter((m) => m.to.includes(known.toLowerCase()))).toHaveLength(0);
  });

  it('the link comes from the organization’s notice sender, DKIM-signed as its From domain', async () => {
    const s = await published();
    const admin = await sessionFor(t, await createUser(t, s.org, ['admin'], { totp: false }));
    const domain = `knihy-${randomBytes(3).toString('hex')}.example`;
    const saved = await admin.put('/api/email-settings', {
      fromAddress: `oznameni@${domain}`,
      fromName: 'Knihkupectví Na Rohu',
      dkimSelector: 'candor',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const { publicKey } = saved.json<{ settings: { publicKey: string } }>().settings;
    const known = address();
    await addAffected(s, known, ['contact_details']);
    expect((await lookup(s.publicId, known)).statusCode).toBe(202);

    const mail = await t.smtp.waitFor(known);
    expect(mail.parsed.from?.value).toEqual([
      { address: `oznameni@${domain}`, name: 'Knihkupectví Na Rohu' },
    ]);
    const signature = /^DKIM-Signature: (.*)$/m.exec(mail.raw)?.[1] ?? '';
    expect(signature).toContain(`d=${domain}; s=candor;`);
    // And it verifies against the key the organization publishes: the message is as signed.
    const resolver = async (name: string, type: string) => {
      if (type === 'TXT' && name === `candor._domainkey.${domain}`)
        return [[`v=DKIM1; k=rsa; p=${publicKey}`]];
      throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
    };
    const verified = await dkimVerify(Buffer.from(mail.raw), { resolver });
    expect(verified.results[0]).toMatchObject({ signingDomain: domain, status: { result: 'pass' } });
    // Still a working one-time link.
    const link = linkIn(mail, `/affected/${s.publicId}/result`);
    expect((await result(s.publicId, tokenOf(link))).statusCode).toBe(200);
  });

  it('before the organization has e-mail settings, the platform sender carries its name', async () => {
    const s = await published();
    const [row] = await t.db.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [s.org]);
    const name = row!.name;
    const known = address();
    await addAffected(s, known, ['contact_details']);
    expect((await lookup(s.publicId, known)).statusCode).toBe(202);
    const mail = await t.smtp.waitFor(known);
    expect(mail.parsed.from?.value).toEqual([{ address: mailAddress(t.config.mailFrom), name }]);
  });
});
