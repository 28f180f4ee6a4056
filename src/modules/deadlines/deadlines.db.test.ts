// One file, over 400 lines: the clock and warning tests share one test app and the fixtures that declare an assessed incident and wait for mail; a split would copy them.
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import {
  createIncident,
  createOrganization,
  createUser,
  sessionFor,
  type TestUser,
} from '../../../test/factories.js';
import { withOrg } from '../../platform/db.js';
import { createLogger } from '../../platform/logger.js';
import { createMetrics } from '../../platform/metrics.js';
import { createOutbox } from '../../platform/outbox.js';
import type { ClockView } from './deadline-schemas.js';
import { checkOrganizationDeadlines, type WarningDeps } from './deadline-warnings.js';

const t = await createTestApp();
const logger = createLogger({ level: 'silent' });

const HOUR = 3_600_000;
const AWARE = new Date('2026-01-05T10:00:00Z');
const at = (hours: number) => () => new Date(AWARE.getTime() + hours * HOUR);

/** A worker's view of the world: a new one stands for a restarted process (same database, new objects). */
function worker(now: () => Date): WarningDeps {
  const outbox = createOutbox({
    config: t.config,
    db: t.db,
    logger,
    metrics: createMetrics(),
    mailer: () => {
      throw new Error('this outbox only records; the test app’s outbox delivers');
    },
  });
  return { db: t.db, config: t.config, outbox, logger, now };
}

const check = (org: string, deps: WarningDeps) => checkOrganizationDeadlines(deps, org);

/** An organization whose only running clock, once assessed, is GDPR Art. 33 for a Czech incident. */
async function gdprOnlyOrganization() {
  const org = await createOrganization(t);
  const admin = await createUser(t, org, ['admin'], { totp: false });
  const legal = await createUser(t, org, ['legal'], { totp: false });
  const manager = await createUser(t, org, ['incident_manager'], { totp: false });
  const adminAgent = await sessionFor(t, admin);
  const profile = await adminAgent.request('PUT', '/api/organization/deadline-profile', {
    leadAuthority: 'CZ',
    secRegistrant: false,
    hipaaCovered: false,
    nis2Entity: false,
    czRegulated: false,
  });
  expect(profile.statusCode, profile.body).toBe(200);
  return { org, admin, legal, manager };
}

async function declare(
  org: string,
  manager: TestUser,
  body: Record<string, unknown> = {},
): Promise<{ id: string; number: number }> {
  const incident = await createIncident(
    t,
    org,
    {
      type: 'data_breach',
      dataCategories: ['contact_details'],
      moments: { aware: AWARE.toISOString() },
      jurisdictions: [{ code: 'CZ', estimatedAffected: 1200 }],
      ...body,
    },
    manager,
  );
  const agent = await sessionFor(t, manager);
  const assessed = await agent.request('PUT', `/api/incidents/${incident.id}/assessment`, {
    riskLevel: 'risk',
    significant: false,
  });
  expect(assessed.statusCode, assessed.body).toBe(200);
  return incident;
}

async function clocksOf(user: TestUser, incidentId: string): Promise<ClockView[]> {
  const response = await (await sessionFor(t, user)).get(`/api/incidents/${incidentId}/clocks`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ clocks: ClockView[] }>().clocks;
}

const mailsTo = (email: string) => t.smtp.received.filter((m) => m.to.includes(email.toLowerCase()));

async function waitForMails(email: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  while (mailsTo(email).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // A little longer: a duplicate would arrive now.
  await t.outbox.runOnce();
  await new Promise((r) => setTimeout(r, 300));
  return mailsTo(email).map((m) => m.parsed.subject ?? '');
}

describe('clocks per incident', () => {
  it('declaring an incident starts its clocks in the jurisdiction’s zone; a filing starts the clocks that follow it', async () => {
    const org = await createOrganization(t);
    const manager = await createUser(t, org, ['incident_manager'], { totp: false });
    const incident = await createIncident(
      t,
      org,
      {
        dataCategories: ['contact_details'],
        moments: { aware: AWARE.toISOString() },
        jurisdictions: [{ code: 'CZ', estimatedAffected: 50 }],
      },
      manager,
    );
    const clocks = await clocksOf(manager, incident.id);
    const byRule = Object.fromEntries(clocks.map((c) => [c.ruleId, c]));
    expect(byRule.gdpr_33_authority).toMatchObject({
      jurisdiction: 'EU',
      timeZone: 'Europe/Prague',
      startMoment: 'aware',
      startsAt: AWARE.toISOString(),
      dueAt: new Date(AWARE.getTime() + 72 * HOUR).toISOString(),
      titleKey: 'deadline.rule.gdpr_33_authority',
      isExercise: false,
    });
    // Not yet assessed: assumed, and said so.
    expect(byRule.nis2_early_warning!.noteKeys).toContain('deadline.note.significance_not_assessed');
    expect(byRule.nis2_final_report).toMatchObject({ state: 'waiting', dueAt: null });
    expect(byRule.sec_8k_item_105).toMatchObject({
      state: 'not_applicable',
      reasonKey: 'deadline.reason.not_sec_registrant',
    });
    expect(byRule.cz_264_initial_report!.uncertain).toBe(true);
    expect(byRule.ca_residents).toBeUndefined();
  });

  it('recomputes the clocks when a moment, a jurisdiction or the assessment changes', async () => {
    const { org, manager } = await gdprOnlyOrganization();
    const incident = await declare(org, manager);
    const agent = await sessionFor(t, manager);
    const later = new Date(AWARE.getTime() + 5 * HOUR);
    const moved = await agent.request('PUT', `/api/incidents/${incident.id}/moments`, {
      aware: later.toISOString(),
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const gdpr = (await clocksOf(manager, incident.id)).find((c) => c.ruleId === 'gdpr_33_authority')!;
    expect(gdpr.dueAt).toBe(new Date(later.getTime() + 72 * HOUR).toISOString());

    const added = await agent.request('PUT', `/api/incidents/${incident.id}/jurisdictions`, [
      { code: 'CZ', estimatedAffected: 1200 },
      { code: 'US-CA', estimatedAffected: 600 },
    ]);
    expect(added.statusCode, added.body).toBe(200);
    let clocks = await clocksOf(manager, incident.id);
    expect(clocks.find((c) => c.ruleId === 'ca_residents')).toMatchObject({
      jurisdiction: 'US-CA',
      timeZone: 'America/Los_Angeles',
      state: 'missed',
    });

    // The California jurisdiction removed: its clocks stay, as no longer in scope.
    await agent.request('PUT', `/api/incidents/${incident.id}/jurisdictions`, [
      { code: 'CZ', estimatedAffected: 1200 },
    ]);
    clocks = await clocksOf(manager, incident.id);
    expect(clocks.find((c) => c.ruleId === 'ca_residents')).toMatchObject({
      state: 'not_applicable',
      reasonKey: 'deadline.reason.out_of_scope',
    });

    const high = await agent.request('PUT', `/api/incidents/${incident.id}/assessment`, {
      riskLevel: 'high',
      significant: false,
    });
    expect(
      high.json<{ clocks: ClockView[] }>().clocks.find((c) => c.ruleId === 'gdpr_34_data_subjects'),
    ).toMatchObject({ state: 'missed', noteKeys: ['deadline.note.organization_target'] });
  });

  it('filing stops a clock and keeps its evidence; only the legal role may file; the document is sealed at rest', async () => {
    const org = await createOrganization(t);
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const manager = await createUser(t, org, ['incident_manager'], { totp: false });
    const support = await createUser(t, org, ['support'], { totp: false });
    const aware = new Date(Date.now() - 10 * HOUR);
    const incident = await createIncident(
      t,
      org,
      {
        dataCategories: ['contact_details'],
        moments: { aware: aware.toISOString() },
        jurisdictions: [{ code: 'CZ', estimatedAffected: 50 }],
      },
      manager,
    );
    const notification = (await clocksOf(legal, incident.id)).find((c) => c.ruleId === 'nis2_notification')!;
    expect(notification.state).toBe('open');
    expect(notification.timeLeftSeconds).toBeGreaterThan(61 * 3600);
    const url = `/api/incidents/${incident.id}/clocks/${notification.id}/filed`;
    const document = Buffer.from('%PDF-1.7 receipt of the NÚKIB portal, ref. 2026/4411');
    const evidence = {
      reference: 'NUKIB-2026-4411',
      text: 'Filed through the NÚKIB portal.',
      document: {
        name: 'potvrzení.pdf',
        contentType: 'application/pdf',
        contentBase64: document.toString('base64'),
      },
    };

    const refused = await (await sessionFor(t, manager)).post(url, evidence);
    expect(refused.statusCode).toBe(403);
    const empty = await (await sessionFor(t, legal)).post(url, {});
    expect(empty.statusCode).toBe(400);

    const filed = await (await sessionFor(t, legal)).post(url, evidence);
    expect(filed.statusCode, filed.body).toBe(200);
    expect(filed.json<ClockView>()).toMatchObject({
      state: 'met',
      timeLeftSeconds: null,
      filing: {
        reference: 'NUKIB-2026-4411',
        text: 'Filed through the NÚKIB portal.',
        document: { name: 'potvrzení.pdf', contentType: 'application/pdf', size: document.length },
      },
    });
    const again = await (await sessionFor(t, legal)).post(url, evidence);
    expect(again.statusCode).toBe(409);

    // The final report's month starts with the filing.
    const clocks = await clocksOf(legal, incident.id);
    const filedAt = new Date(filed.json<ClockView>().filing!.filedAt);
    const final = clocks.find((c) => c.ruleId === 'nis2_final_report')!;
    expect(final.state).toBe('open');
    expect(final.startsAt).toBe(filedAt.toISOString());
    expect(new Date(final.dueAt!).getTime()).toBeGreaterThan(filedAt.getTime() + 27 * 24 * HOUR);

    // Evidence is for those who read reports; support sees the clock, not the evidence.
    const seenBySupport = (await clocksOf(support, incident.id)).find((c) => c.id === notification.id)!;
    expect(seenBySupport).toMatchObject({ state: 'met', filing: null });
    const download = await (await sessionFor(t, legal)).get(`${url.replace('/filed', '/document')}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(document)).toBe(true);
    expect(download.headers['content-disposition']).toContain("UTF-8''potvrzen%C3%AD.pdf");
    const stored = await withOrg(t.db, org, (tx) =>
      tx.query<{ document: Uint8Array }>('SELECT document FROM deadline_clocks WHERE id = $1', [
        notification.id,
      ]),
    );
    expect(Buffer.from(stored[0]!.document).includes(Buffer.from('NÚKIB portal'))).toBe(false);

    const timeline = await (await sessionFor(t, legal)).get(`/api/incidents/${incident.id}/timeline`);
    expect(timeline.body).toContain('clock_filed');
    // Nor does the timeline, which every reader of the incident sees, carry the evidence.
    const supportTimeline = await (
      await sessionFor(t, support)
    ).get(`/api/incidents/${incident.id}/timeline`);
    expect(supportTimeline.statusCode).toBe(200);
    expect(supportTimeline.body).toContain('clock_filed');
    expect(supportTimeline.body).not.toContain('NUKIB-2026-4411');
  });

  it('a clock declared not applicable keeps the reason and can no longer be filed', async () => {
    const org = await createOrganization(t);
    const legal = await createUser(t, org, ['legal'], { totp: false });
    const manager = await createUser(t, org, ['incident_manager'], { totp: false });
    const viewer = await createUser(t, org, ['viewer'], { totp: false });
    const incident = await createIncident(
      t,
      org,
      { dataCategories: ['payment_card'], moments: { detected: AWARE.toISOString() } },
      manager,
    );
    const visa = (await clocksOf(manager, incident.id)).find((c) => c.ruleId === 'pci_visa')!;
    const url = `/api/incidents/${incident.id}/clocks/${visa.id}/not-applicable`;
    expect((await (await sessionFor(t, viewer)).post(url, { reason: 'x' })).statusCode).toBe(403);
    const waived = await (
      await sessionFor(t, manager)
    ).post(url, {
      reason: 'The acquirer confirmed no card data left the tokenization vault.',
    });
    expect(waived.statusCode, waived.body).toBe(200);
    expect(waived.json<ClockView>()).toMatchObject({
      state: 'not_applicable',
      reasonKey: 'deadline.reason.manual',
      waivedReason: 'The acquirer confirmed no card data left the tokenization vault.',
    });
    const filing = await (
      await sessionFor(t, legal)
    ).post(`/api/incidents/${incident.id}/clocks/${visa.id}/filed`, { reference: 'late' });
    expect(filing.statusCode).toBe(409);
  });

  it('an organization that says it is in the DIFC gets the DIFC clocks, and the UAE federal ones say why not; on the mainland, the reverse', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin'], { totp: false });
    const manager = await createUser(t, org, ['incident_manager'], { totp: false });
    const adminAgent = await sessionFor(t, admin);
    const profile = {
      leadAuthority: null,
      secRegistrant: false,
      hipaaCovered: false,
      nis2Entity: false,
      czRegulated: false,
    };
    const zoneOnly = await adminAgent.request('PUT', '/api/organization/deadline-profile', {
      ...profile,
      establishedIn: ['AE-DU'],
    });
    expect(zoneOnly.statusCode, 'only the free zones with their own law').toBe(400);
    const saved = await adminAgent.request('PUT', '/api/organization/deadline-profile', {
      ...profile,
      establishedIn: ['AE-DIFC'],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await adminAgent.get('/api/organization/deadline-profile')).json()).toMatchObject({
      establishedIn: ['AE-DIFC'],
    });
    const incident = await createIncident(
      t,
      org,
      {
        dataCategories: ['contact_details'],
        moments: { aware: AWARE.toISOString() },
        jurisdictions: [{ code: 'AE-DU', estimatedAffected: 300 }],
      },
      manager,
    );
    const byRule = async () =>
      Object.fromEntries((await clocksOf(manager, incident.id)).map((c) => [c.ruleId, c]));
    const inDifc = await byRule();
    expect(inDifc.difc_commissioner).toMatchObject({
      jurisdiction: 'AE-DIFC',
      timeZone: 'Asia/Dubai',
      // "As soon as practicable": the organization's target (72 hours unless it set another).
      dueAt: new Date(AWARE.getTime() + 72 * HOUR).toISOString(),
      reasonKey: null,
      titleKey: 'deadline.rule.difc_commissioner',
      recipientKey: 'deadline.party.difc_commissioner',
      uncertain: true,
    });
    expect(inDifc.ae_data_office).toMatchObject({
      jurisdiction: 'AE',
      state: 'not_applicable',
      reasonKey: 'deadline.reason.ae_free_zone_law',
    });
    expect(inDifc.adgm_commissioner).toBeUndefined();

    // Leaving the zone recomputes the open incident: the federal clocks run, the DIFC ones stop as out of scope.
    const mainland = await adminAgent.request('PUT', '/api/organization/deadline-profile', profile);
    expect(mainland.json()).toMatchObject({ establishedIn: [] });
    const onMainland = await byRule();
    expect(onMainland.ae_data_office).toMatchObject({
      jurisdiction: 'AE',
      dueAt: new Date(AWARE.getTime() + 72 * HOUR).toISOString(),
      reasonKey: null,
      citation: 'UAE Federal Decree-Law No. 45 of 2021 on the Protection of Personal Data, Art. 9(1)',
      uncertain: true,
    });
    expect(onMainland.ae_data_office!.noteKeys).toEqual(
      expect.arrayContaining(['deadline.note.ae_executive_regulations', 'deadline.note.ae_exclusions']),
    );
    expect(onMainland.difc_commissioner).toMatchObject({
      state: 'not_applicable',
      reasonKey: 'deadline.reason.out_of_scope',
    });
  });
});

describe('warnings', () => {
  it('each (clock, threshold) warning is sent exactly once, also when the worker restarts between thresholds', async () => {
    const { org, legal, manager } = await gdprOnlyOrganization();
    const incident = await declare(org, manager, { members: [{ userId: legal.id, role: 'legal_lead' }] });
    const running = (await clocksOf(manager, incident.id)).filter((c) =>
      ['open', 'missed'].includes(c.state),
    );
    expect(running.map((c) => c.ruleId)).toEqual(['gdpr_33_authority']);

    // 72 hours: 50 % at 36 h, 75 % at 54 h, 90 % at 64.8 h, missed at 72 h.
    expect(await check(org, worker(at(35.9)))).toBe(0);
    let current = worker(at(36));
    expect(await check(org, current)).toBe(1);
    expect(await check(org, current)).toBe(0);
    expect(await check(org, worker(at(40)))).toBe(0);
    // Restarts: a new worker each time, the same database.
    expect(await check(org, worker(at(54)))).toBe(1);
    expect(await check(org, worker(at(55)))).toBe(0);
    current = worker(at(64.8));
    expect(await check(org, current)).toBe(1);
    expect(await check(org, worker(at(72)))).toBe(1);
    expect(await check(org, worker(at(200)))).toBe(0);

    for (const owner of [legal, manager]) {
      const subjects = await waitForMails(owner.email, 4);
      expect(subjects, owner.email).toHaveLength(4);
      expect(subjects.filter((s) => s.startsWith('50 %'))).toHaveLength(1);
      expect(subjects.filter((s) => s.startsWith('75 %'))).toHaveLength(1);
      expect(subjects.filter((s) => s.startsWith('90 %'))).toHaveLength(1);
      expect(subjects.filter((s) => s.startsWith('Deadline missed'))).toHaveLength(1);
      for (const s of subjects)
        expect(s).toContain(`GDPR Art. 33 — notify the supervisory authority — incident #${incident.number}`);
    }
    const mail = mailsTo(legal.email).find((m) => m.parsed.subject?.startsWith('Deadline missed'))!;
    expect(mail.parsed.text).toContain(`/incidents/${incident.id}`);
    expect(mail.parsed.text).toContain('Europe/Prague');

    // A missed clock no longer brings its organization to the scheduler.
    const orgs = await t.db.query<{ organization_id: string }>(
      'SELECT * FROM candor_deadline_organizations()',
    );
    expect(orgs.map((o) => o.organization_id)).not.toContain(org);
  });

  it('two workers at once send one warning', async () => {
    const { org, manager } = await gdprOnlyOrganization();
    await declare(org, manager);
    const sent = await Promise.all([check(org, worker(at(37))), check(org, worker(at(37)))]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    const rows = await withOrg(t.db, org, (tx) => tx.query('SELECT threshold FROM deadline_warnings'), {
      system: true,
    });
    expect(rows).toEqual([{ threshold: '50' }]);
  });

  it('a clock found past several thresholds at once (recorded after the fact) warns once, at its latest threshold', async () => {
    const { org, manager } = await gdprOnlyOrganization();
    const incident = await declare(org, manager);
    expect(await check(org, worker(at(100)))).toBe(1);
    const rows = await withOrg(
      t.db,
      org,
      (tx) =>
        tx.query<{ threshold: string; sent: boolean }>(
          'SELECT threshold, sent FROM deadline_warnings ORDER BY threshold',
        ),
      { system: true },
    );
    expect(rows).toEqual([
      { threshold: '50', sent: false },
      { threshold: '75', sent: false },
      { threshold: '90', sent: false },
      { threshold: 'missed', sent: true },
    ]);
    const subjects = await waitForMails(manager.email, 1);
    expect(subjects).toEqual([
      `Deadline missed: GDPR Art. 33 — notify the supervisory authority — incident #${incident.number}`,
    ]);
  });

  it('a deadline moved by a corrected moment is warned about afresh, once per threshold', async () => {
    const { org, manager } = await gdprOnlyOrganization();
    const incident = await declare(org, manager);
    expect(await check(org, worker(at(100)))).toBe(1);
    const corrected = new Date(AWARE.getTime() + 90 * HOUR);
    const moved = await (
      await sessionFor(t, manager)
    ).request('PUT', `/api/incidents/${incident.id}/moments`, {
      aware: corrected.toISOString(),
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const orgs = await t.db.query<{ organization_id: string }>(
      'SELECT * FROM candor_deadline_organizations()',
    );
    expect(orgs.map((o) => o.organization_id)).toContain(org);
    expect(await check(org, worker(at(100)))).toBe(0);
    expect(await check(org, worker(at(126)))).toBe(1);
    expect(await check(org, worker(at(127)))).toBe(0);
    const subjects = await waitForMails(manager.email, 2);
    // Sent in one batch, concurrently: in either order.
    expect(subjects.map((s) => s.split(':')[0]).sort()).toEqual(['50 % of the time gone', 'Deadline missed']);
  });

  it('owners see their warnings in the app and mark them read; others see none; no legal lead means the legal role', async () => {
    const { org, legal, manager } = await gdprOnlyOrganization();
    const viewer = await createUser(t, org, ['viewer'], { totp: false });
    // No legal lead: the commander (the declaring manager) and, as it is not restricted, nobody else.
    const incident = await declare(org, manager);
    await check(org, worker(at(50)));
    const managerAgent = await sessionFor(t, manager);
    const list = await managerAgent.get('/api/me/warnings');
    expect(list.statusCode, list.body).toBe(200);
    const warnings =
      list.json<{ id: string; incidentId: string; threshold: string; readAt: string | null }[]>();
    expect(warnings).toMatchObject([{ incidentId: incident.id, threshold: '50', readAt: null }]);
    expect((await managerAgent.post(`/api/me/warnings/${warnings[0]!.id}/read`)).statusCode).toBe(204);
    expect((await managerAgent.get('/api/me/warnings?unread=true')).json()).toEqual([]);
    expect((await managerAgent.get('/api/me/warnings')).json<{ readAt: string }[]>()[0]!.readAt).toBeTruthy();
    expect((await (await sessionFor(t, viewer)).get('/api/me/warnings')).json()).toEqual([]);
    expect((await (await sessionFor(t, legal)).get('/api/me/warnings')).json()).toEqual([]);
    expect(
      (await (await sessionFor(t, viewer)).post(`/api/me/warnings/${warnings[0]!.id}/read`)).statusCode,
    ).toBe(404);

    // An incident with no commander or legal lead (declared through a token) falls to the legal role.
    await withOrg(
      t.db,
      org,
      (tx) => tx.query('DELETE FROM incident_members WHERE incident_id = $1', [incident.id]),
      {
        system: true,
      },
    );
    await check(org, worker(at(60)));
    const legalWarnings = (await (await sessionFor(t, legal)).get('/api/me/warnings')).json<
      { threshold: string }[]
    >();
    expect(legalWarnings.map((w) => w.threshold)).toEqual(['75']);
  });

  it('exercise incidents get clocks marked as exercise, and their warnings say so', async () => {
    const { org, manager } = await gdprOnlyOrganization();
    const incident = await declare(org, manager, { isExercise: true });
    const clocks = await clocksOf(manager, incident.id);
    expect(clocks.every((c) => c.isExercise)).toBe(true);
    await check(org, worker(at(37)));
    const subjects = await waitForMails(manager.email, 1);
    expect(subjects).toEqual([
      `[EXERCISE] 50 % of the time gone: GDPR Art. 33 — notify the supervisory authority — incident #${incident.number}`,
    ]);
    const mail = mailsTo(manager.email)[0]!;
    expect(mail.parsed.text).toContain('This is an exercise.');
  });

  it('a restricted incident’s warnings reach only its members, and its clocks stay hidden from non-members', async () => {
    const { org, admin, legal, manager } = await gdprOnlyOrganization();
    const incident = await declare(org, manager, { restricted: true });
    await check(org, worker(at(37)));
    expect((await (await sessionFor(t, legal)).get('/api/me/warnings')).json()).toEqual([]);
    expect((await (await sessionFor(t, manager)).get('/api/me/warnings')).json()).toHaveLength(1);
    const hidden = await (await sessionFor(t, admin)).get(`/api/incidents/${incident.id}/clocks`);
    expect(hidden.statusCode).toBe(404);
    // Nor may a legal user who is not a member file one of its clocks.
    const clock = (await clocksOf(manager, incident.id)).find((c) => c.ruleId === 'gdpr_33_authority')!;
    const filing = await (
      await sessionFor(t, legal)
    ).post(`/api/incidents/${incident.id}/clocks/${clock.id}/filed`, { reference: 'ÚOOÚ-1' });
    expect(filing.statusCode).toBe(404);
  });

  it('warnings are written in the owner’s language', async () => {
    const { org, manager } = await gdprOnlyOrganization();
    await withOrg(t.db, org, (tx) => tx.query(`UPDATE users SET locale = 'cs' WHERE id = $1`, [manager.id]));
    const incident = await declare(org, manager);
    await check(org, worker(at(55)));
    const subjects = await waitForMails(manager.email, 1);
    expect(subjects).toEqual([
      `Uplynulo 75 % lhůty: GDPR čl. 33 — ohlášení dozorovému úřadu — incident č. ${incident.number}`,
    ]);
    expect(mailsTo(manager.email)[0]!.parsed.text).toContain('Otevřít incident');
  });
});
