import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp, testLogger } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import type { Agent } from '../../../test/agent.js';
import type { TestUser } from '../../../test/factories.js';
import { asApp, withOrg } from '../../platform/db.js';
import { startJobs } from '../../platform/jobs.js';
import { formatTime, zoneName } from '../../platform/time-format.js';
import { moduleTimers } from '../index.js';
import { checkOrganizationPromises, checkTrustPromises, type LapseDeps } from './trust-lapse.js';

const t = await createTestApp();
// The app's own connection: on a server, the login role in candor_app and candor_jobs.
const deps: LapseDeps = { db: t.app.deps.db, config: t.config, outbox: t.outbox, logger: testLogger(t) };
const at = (now: Date) => ({ ...deps, now: () => now });
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

/** An organization in Prague whose site publishes without approval, and its people. */
async function organization() {
  const org = await createOrganization(t);
  await withOrg(t.db, org, (tx) =>
    tx.query(`UPDATE organizations SET time_zone = 'Europe/Prague' WHERE id = $1`, [org]),
  );
  const admin = await createUser(t, org, ['admin'], { totp: false });
  const manager = await createUser(t, org, ['incident_manager'], { totp: false });
  const writerUser = await createUser(t, org, ['communications'], { totp: false });
  const legal = await createUser(t, org, ['legal'], { totp: false });
  const saved = await (
    await sessionFor(t, admin)
  ).put('/api/trust/site', {
    slug: `lapse-${randomBytes(4).toString('hex')}`,
    published: true,
    requireApproval: false,
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return { org, admin, manager, writerUser, writer: await sessionFor(t, writerUser), legal };
}

type Org = Awaited<ReturnType<typeof organization>>;

/** A declared incident (the manager commands it, the writer leads its communications) with a public page. */
async function incident(o: Org, options: { isExercise?: boolean } = {}) {
  const created = await createIncident(
    t,
    o.org,
    { members: [{ userId: o.writerUser.id, role: 'communications_lead' }], ...options },
    o.manager,
  );
  const page = await o.writer.put(`/api/incidents/${created.id}/trust/page`, {
    texts: { en: { title: 'Card data exposed', summary: 'Some card numbers were read.' } },
  });
  expect(page.statusCode, page.body).toBe(200);
  return created;
}

/** Drafts and publishes an update; returns its id. */
async function publish(writer: Agent, incidentId: string, status: string, nextUpdateBy: Date | null) {
  const drafted = await writer.post(`/api/incidents/${incidentId}/trust/updates`, {
    status,
    texts: { en: { message: `We are ${status}.`, customerActions: '' } },
    nextUpdateBy: nextUpdateBy?.toISOString() ?? null,
  });
  expect(drafted.statusCode, drafted.body).toBe(201);
  const id = drafted.json<{ updates: { id: string }[] }>().updates[0]!.id;
  const published = await writer.post(`/api/trust/updates/${id}/publish`);
  expect(published.statusCode, published.body).toBe(200);
  return id;
}

/** The organization's lapse warnings and the e-mails queued for them. */
async function recorded(org: string) {
  return withOrg(
    t.db,
    org,
    async (tx) => ({
      warnings: await tx.query<{ update_id: string; threshold: string }>(
        'SELECT update_id, threshold FROM trust_lapse_warnings ORDER BY created_at, threshold',
      ),
      mails: (
        await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM deliveries WHERE organization_id = $1 AND purpose = 'trust_lapse_warning'`,
          [org],
        )
      )[0]!.n,
    }),
    { system: true },
  );
}

const mailsTo = (user: TestUser) => t.smtp.received.filter((m) => m.to.includes(user.email.toLowerCase()));

async function waitForMails(user: TestUser, count: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (mailsTo(user).length < count) {
    if (Date.now() > deadline) throw new Error(`${count} e-mails to ${user.email} did not arrive`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return mailsTo(user);
}

describe('warnings before a promise to readers lapses', () => {
  it('warns the incident’s leads 30 minutes before, once, and once more when it has passed', async () => {
    const o = await organization();
    await withOrg(t.db, o.org, (tx) =>
      tx.query(`UPDATE users SET locale = 'cs' WHERE id = $1`, [o.writerUser.id]),
    );
    const inc = await incident(o);
    const due = minutes(20);
    const updateId = await publish(o.writer, inc.id, 'investigating', due);

    // Not yet within 30 minutes: nothing.
    expect(await checkOrganizationPromises(deps, o.org, minutes(-15))).toBe(0);

    expect(await checkTrustPromises(at(minutes(0)))).toBeGreaterThanOrEqual(1);
    expect(await recorded(o.org)).toEqual({
      warnings: [{ update_id: updateId, threshold: 'soon' }],
      mails: 2,
    });
    const [soon] = await waitForMails(o.manager, 1);
    expect(soon!.parsed.subject).toBe(`A promised update is due within 30 minutes: incident #${inc.number}`);
    const when = formatTime(due, { locale: 'en', timeZone: 'Europe/Prague', style: 'longDateTime' });
    expect(soon!.parsed.text).toContain(`next update by ${when} (${zoneName('Europe/Prague', 'en')})`);
    expect(soon!.parsed.text).toContain(`${t.config.publicUrl.origin}/incidents/${inc.id}`);
    // The Czech reader gets it in Czech, in the same zone.
    const [czech] = await waitForMails(o.writerUser, 1);
    expect(czech!.parsed.subject).toBe(`Do 30 minut má vyjít slíbená aktualizace: incident č. ${inc.number}`);
    expect(czech!.parsed.text).toContain(
      formatTime(due, { locale: 'cs', timeZone: 'Europe/Prague', style: 'longDateTime' }),
    );

    // A second run, or a second worker, sends nothing more.
    expect(await checkOrganizationPromises(deps, o.org, minutes(1))).toBe(0);
    expect((await recorded(o.org)).mails).toBe(2);

    // Once the promise has passed: one "lapsed" warning each, once.
    const late = new Date(due.getTime() + 60_000);
    expect(await checkTrustPromises(at(late))).toBeGreaterThanOrEqual(1);
    expect(await checkOrganizationPromises(deps, o.org, new Date(late.getTime() + 60_000))).toBe(0);
    expect(await recorded(o.org)).toEqual({
      warnings: [
        { update_id: updateId, threshold: 'soon' },
        { update_id: updateId, threshold: 'lapsed' },
      ],
      mails: 4,
    });
    const lapsed = (await waitForMails(o.manager, 2))[1]!;
    expect(lapsed.parsed.subject).toBe(`The promised update is overdue: incident #${inc.number}`);
    expect(lapsed.parsed.text).toContain('The promise to readers has passed');
    // Neither the admin nor legal lead this incident: the leads are warned.
    expect(mailsTo(o.admin)).toEqual([]);
    expect(mailsTo(o.legal)).toEqual([]);
  });

  it('two workers at once send one warning', async () => {
    const o = await organization();
    const inc = await incident(o);
    await publish(o.writer, inc.id, 'investigating', minutes(10));
    const now = minutes(0);
    const runs = await Promise.all([
      checkOrganizationPromises(deps, o.org, now),
      checkOrganizationPromises(deps, o.org, now),
    ]);
    expect(runs.sort()).toEqual([0, 1]);
    expect((await recorded(o.org)).mails).toBe(2);
  });

  it('a newer published update replaces the promise; a resolved one ends it', async () => {
    const o = await organization();
    const inc = await incident(o);
    await publish(o.writer, inc.id, 'investigating', minutes(20));
    const newer = await publish(o.writer, inc.id, 'identified', minutes(180));
    expect(await checkOrganizationPromises(deps, o.org, minutes(25))).toBe(0);
    // The newer promise is warned about in its turn.
    expect(await checkOrganizationPromises(deps, o.org, minutes(160))).toBe(1);
    expect((await recorded(o.org)).warnings).toEqual([{ update_id: newer, threshold: 'soon' }]);

    await publish(o.writer, inc.id, 'resolved', null);
    expect(await checkOrganizationPromises(deps, o.org, minutes(200))).toBe(0);
    const ids = await asApp(deps.db, (tx) =>
      tx.query<{ organization_id: string }>(
        'SELECT organization_id FROM candor_trust_lapse_organizations($1)',
        [minutes(200)],
      ),
    );
    expect(ids.map((r) => r.organization_id)).not.toContain(o.org);
  });

  it('an unpublished draft keeps no promise, and no leads means those who may publish', async () => {
    const o = await organization();
    const inc = await incident(o);
    const drafted = await o.writer.post(`/api/incidents/${inc.id}/trust/updates`, {
      status: 'investigating',
      texts: { en: { message: 'Draft.', customerActions: '' } },
      nextUpdateBy: minutes(5).toISOString(),
    });
    expect(drafted.statusCode).toBe(201);
    expect(await checkOrganizationPromises(deps, o.org, minutes(10))).toBe(0);

    await publish(o.writer, inc.id, 'investigating', minutes(20));
    await withOrg(t.db, o.org, (tx) =>
      tx.query('DELETE FROM incident_members WHERE incident_id = $1', [inc.id]),
    );
    expect(await checkOrganizationPromises(deps, o.org, minutes(0))).toBe(1);
    // trust.publish: admin, incident_manager, communications; not legal.
    for (const user of [o.admin, o.manager, o.writerUser]) await waitForMails(user, 1);
    expect((await recorded(o.org)).mails).toBe(3);
    expect(mailsTo(o.legal)).toEqual([]);
  });

  it('leaves other organizations’ promises alone and never warns about an exercise', async () => {
    const a = await organization();
    const b = await organization();
    const exercise = await organization();
    const incA = await incident(a);
    const incB = await incident(b);
    const drill = await incident(exercise, { isExercise: true });
    await publish(a.writer, incA.id, 'investigating', minutes(20));
    await publish(b.writer, incB.id, 'investigating', minutes(120));
    await publish(exercise.writer, drill.id, 'investigating', minutes(20));

    const listed = await asApp(deps.db, (tx) =>
      tx.query<{ organization_id: string }>(
        'SELECT organization_id FROM candor_trust_lapse_organizations($1)',
        [minutes(0)],
      ),
    );
    const orgs = listed.map((r) => r.organization_id);
    expect(orgs).toContain(a.org);
    expect(orgs).not.toContain(b.org);
    expect(orgs).not.toContain(exercise.org);

    await checkTrustPromises(at(minutes(0)));
    expect((await recorded(a.org)).warnings).toHaveLength(1);
    expect(await recorded(b.org)).toEqual({ warnings: [], mails: 0 });
    expect(await recorded(exercise.org)).toEqual({ warnings: [], mails: 0 });
    // Not even once it has passed.
    expect(await checkOrganizationPromises(deps, exercise.org, minutes(60))).toBe(0);
    expect(mailsTo(exercise.manager)).toEqual([]);
  });
});

describe('the trust lapse scheduler', () => {
  it('runs every minute from a pg-boss timer', async () => {
    const jobs = await startJobs({
      db: t.db,
      databaseUrl: t.databaseUrl,
      logger: deps.logger,
      timers: moduleTimers(deps),
    });
    try {
      const schedules = await jobs.boss.getSchedules();
      expect(schedules.map((s) => [s.name, s.cron])).toContainEqual(['trust-lapse-warnings', '* * * * *']);
      const o = await organization();
      const inc = await incident(o);
      await publish(o.writer, inc.id, 'contained', minutes(20));
      await jobs.boss.send('trust-lapse-warnings', {});
      const [mail] = await waitForMails(o.manager, 1, 30_000);
      expect(mail!.parsed.subject).toBe(
        `A promised update is due within 30 minutes: incident #${inc.number}`,
      );
    } finally {
      await jobs.stop();
    }
  });
});
