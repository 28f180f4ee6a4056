import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { withOrg } from '../../platform/db.js';
import { t as message } from '../../platform/i18n.js';

const t = await createTestApp();
// The same app on a machine without Chromium.
const bare = await createTestApp({ CHROMIUM_PATH: '/nonexistent/chromium' });
const org = await createOrganization(t, { name: 'Příklad s.r.o.' });
const legal = await createUser(t, org, ['legal'], { totp: false });
const legalAgent = await sessionFor(t, legal);

interface Report {
  id: string;
  kind: string;
  locale: string;
  revision: number;
  isExercise: boolean;
  fields: Record<string, unknown>;
  sections: { id: string; fields: string[] }[];
}
interface Version {
  id: string;
  number: number;
  format: string;
  locale: string;
  sha256: string;
  size: number;
  isExercise: boolean;
  reportRevision: number;
  filename: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function breach(options: { isExercise?: boolean; restricted?: boolean } = {}) {
  return createIncident(t, org, {
    title: 'Únik zákaznické databáze',
    summary: 'Útočník získal přístup k databázi zákazníků přes ukradené přihlašovací údaje.',
    type: 'data_breach',
    severity: 'SEV1',
    dataCategories: ['contact_details', 'credentials'],
    affectedSystems: ['zákaznický portál'],
    moments: { occurred: '2026-11-20T22:10:00Z', aware: '2026-11-21T08:00:00Z' },
    jurisdictions: [
      { code: 'CZ', estimatedAffected: 1200 },
      { code: 'SK', estimatedAffected: 300 },
    ],
    members: [{ userId: legal.id, role: 'legal_lead' }],
    ...options,
  });
}

async function newReport(incidentId: string, kind = 'gdpr_art33', locale = 'cs'): Promise<Report> {
  const response = await legalAgent.post(`/api/incidents/${incidentId}/reports`, { kind, locale });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Report>();
}

async function exportAs(reportId: string, format: 'html' | 'pdf', locale?: string): Promise<Version> {
  const response = await legalAgent.post(`/api/reports/${reportId}/exports`, { format, locale });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Version>();
}

async function download(versionId: string) {
  const response = await legalAgent.get(`/api/report-versions/${versionId}`);
  expect(response.statusCode, response.body).toBe(200);
  return response;
}

describe('regulator reports', () => {
  it('pre-fills a GDPR Art. 33 report from the incident: counted people replace estimates', async () => {
    const settings = await legalAgent.request('PUT', '/api/report-settings', {
      contactPoint: 'Pověřenec pro ochranu osobních údajů, dpo@priklad.test',
    });
    expect(settings.statusCode, settings.body).toBe(200);
    const incident = await breach();
    await t.db.query(
      `UPDATE incident_jurisdictions SET counted_affected = 1187 WHERE incident_id = $1 AND code = 'CZ'`,
      [incident.id],
    );
    const report = await newReport(incident.id);
    expect(report).toMatchObject({ kind: 'gdpr_art33', locale: 'cs', revision: 1, isExercise: false });
    expect(report.sections.map((s) => s.id)).toEqual([
      'reporter',
      'timing',
      'nature',
      'consequences',
      'measures',
    ]);
    expect(report.fields).toMatchObject({
      reporter: 'Příklad s.r.o.',
      contactPoint: 'Pověřenec pro ochranu osobních údajů, dpo@priklad.test',
      reference: `#${incident.number} Únik zákaznické databáze`,
      occurredAt: '2026-11-20T22:10:00.000Z',
      awareAt: '2026-11-21T08:00:00.000Z',
      dataCategories: 'Kontaktní údaje, Přihlašovací údaje',
      peopleByJurisdiction: [
        { jurisdiction: 'CZ', people: 1187 },
        { jurisdiction: 'SK', people: 300 },
      ],
      peopleTotal: 1487,
      recordsTotal: null,
      measures: '',
    });
    expect(report.fields.nature).toContain('Únik dat: Útočník získal přístup');
    expect(report.fields.nature).toContain('Dotčené systémy: zákaznický portál.');
    expect(report.fields.consequences).toContain(message('cs', 'report.consequence.credentials'));
    // Only the fields GDPR Art. 33(3) asks for.
    expect(Object.keys(report.fields)).not.toContain('indicators');

    const timeline = (await legalAgent.get(`/api/incidents/${incident.id}/timeline`)).json<
      { kind: string }[]
    >();
    expect(timeline.map((e) => e.kind)).toContain('report_created');
    const again = await legalAgent.post(`/api/incidents/${incident.id}/reports`, { kind: 'gdpr_art33' });
    expect(again.statusCode).toBe(409);
  });

  it('pre-fills the NIS2 parts: malicious, cross-border, severity', async () => {
    const { id } = await createIncident(t, org, {
      type: 'phishing',
      severity: 'SEV2',
      jurisdictions: [{ code: 'CZ', estimatedAffected: 10 }, { code: 'DE' }],
    });
    const warning = await newReport(id, 'nis2_early_warning', 'en');
    expect(warning.fields).toMatchObject({
      suspectedMalicious: 'yes',
      crossBorder: 'yes',
      crossBorderDetails: 'CZ, DE',
    });
    const notification = await newReport(id, 'nis2_notification', 'en');
    expect(notification.fields).toMatchObject({
      severity: message('en', 'incident.severity.SEV2'),
      indicators: '',
      peopleByJurisdiction: [
        { jurisdiction: 'CZ', people: 10 },
        { jurisdiction: 'DE', people: null },
      ],
      peopleTotal: 10,
    });
    const final = await newReport(id, 'nis2_final', 'en');
    expect(final.sections.map((s) => s.id)).toEqual([
      'reporter',
      'timing',
      'description',
      'impact',
      'rootCause',
      'mitigation',
      'crossBorder',
    ]);
  });

  it('edits a draft field by field; refuses fields of another kind and edits on a stale revision', async () => {
    const incident = await breach();
    const report = await newReport(incident.id);
    const edited = await legalAgent.patch(`/api/reports/${report.id}`, {
      fields: { measures: 'Hesla všech dotčených účtů byla zneplatněna.', recordsTotal: 2974 },
      revision: 1,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json<Report>()).toMatchObject({
      revision: 2,
      fields: {
        measures: 'Hesla všech dotčených účtů byla zneplatněna.',
        recordsTotal: 2974,
        reporter: 'Příklad s.r.o.',
      },
    });

    const foreign = await legalAgent.patch(`/api/reports/${report.id}`, {
      fields: { indicators: '203.0.113.7' },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toMatchObject({
      error: { code: 'validation_failed', details: { where: 'body/fields/indicators' } },
    });
    const stale = await legalAgent.patch(`/api/reports/${report.id}`, {
      fields: { measures: 'x' },
      revision: 1,
    });
    expect(stale.statusCode).toBe(409);
    const invalid = await legalAgent.patch(`/api/reports/${report.id}`, { fields: { peopleTotal: -1 } });
    expect(invalid.statusCode).toBe(400);

    // The audit log names the fields changed, never what was typed.
    const audit = await withOrg(t.db, org, (tx) =>
      tx.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM audit_events WHERE action = 'report.updated' AND target_id = $1`,
        [report.id],
      ),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ fields: ['measures', 'recordsTotal'], revision: 2 });
    expect(JSON.stringify(audit)).not.toContain('zneplatněna');

    // Numbers counted later are taken again on request, the rest stays as edited.
    await t.db.query(
      `UPDATE incident_jurisdictions SET counted_affected = 250 WHERE incident_id = $1 AND code = 'SK'`,
      [incident.id],
    );
    const refilled = await legalAgent.post(`/api/reports/${report.id}/prefill`, {
      fields: ['peopleByJurisdiction', 'peopleTotal'],
    });
    expect(refilled.statusCode, refilled.body).toBe(200);
    expect(refilled.json<Report>().fields).toMatchObject({
      peopleTotal: 1450,
      measures: 'Hesla všech dotčených účtů byla zneplatněna.',
    });
  });

  it('exports HTML in Czech and Arabic as versions whose hash is that of the stored bytes', async () => {
    const incident = await breach();
    const report = await newReport(incident.id);
    const cs = await exportAs(report.id, 'html');
    expect(cs).toMatchObject({
      number: 1,
      format: 'html',
      locale: 'cs',
      isExercise: false,
      reportRevision: 1,
    });
    expect(cs.filename).toBe(`incident-${incident.number}-gdpr-art33-v1-cs.html`);
    const ar = await exportAs(report.id, 'html', 'ar');
    expect(ar).toMatchObject({ number: 2, locale: 'ar' });

    const csFile = await download(cs.id);
    expect(csFile.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(csFile.headers['content-disposition']).toBe(`attachment; filename="${cs.filename}"`);
    expect(sha256(csFile.rawPayload)).toBe(cs.sha256);
    expect(csFile.rawPayload.length).toBe(cs.size);
    const csHtml = csFile.body;
    expect(csHtml).toContain('<html lang="cs" dir="ltr">');
    expect(csHtml).toContain('Oznámení porušení zabezpečení osobních údajů dozorovému úřadu');
    expect(csHtml).toContain('Nařízení (EU) 2016/679 (GDPR), čl. 33 odst. 3');
    expect(csHtml).toContain('Česko');
    expect(csHtml).toMatch(/@font-face\{font-family:'Candor Document'[^}]*src:url\(data:font\/woff2;base64,/);
    expect(csHtml).not.toContain('CVIČENÍ');

    const arHtml = (await download(ar.id)).body;
    expect(arHtml).toContain('<html lang="ar" dir="rtl">');
    expect(arHtml).toContain('إخطار السلطة الرقابية بانتهاك البيانات الشخصية');
    expect(arHtml).not.toMatch(/(margin|padding)-(left|right)|text-align:\s*(left|right)/);

    const stored = await t.db.query<{ id: string; hash: string; sha256: string }>(
      `SELECT id, encode(sha256(content), 'hex') AS hash, sha256 FROM regulator_report_versions WHERE report_id = $1`,
      [report.id],
    );
    expect(stored).toHaveLength(2);
    for (const row of stored) expect(row.hash).toBe(row.sha256);

    const list = (await legalAgent.get(`/api/reports/${report.id}/versions`)).json<Version[]>();
    expect(list.map((v) => [v.number, v.locale, v.sha256])).toEqual([
      [2, 'ar', ar.sha256],
      [1, 'cs', cs.sha256],
    ]);
    const timeline = (await legalAgent.get(`/api/incidents/${incident.id}/timeline`)).json<
      { kind: string; data: Record<string, unknown> }[]
    >();
    const exports = timeline.filter((e) => e.kind === 'report_exported');
    expect(exports.map((e) => e.data.sha256).sort()).toEqual([ar.sha256, cs.sha256].sort());
  });

  it('escapes everything typed into the document', async () => {
    const incident = await breach();
    const report = await newReport(incident.id, 'gdpr_art33', 'en');
    const hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"></style>';
    await legalAgent.patch(`/api/reports/${report.id}`, {
      fields: { nature: hostile, reporter: `"Quotes" & 'apostrophes'`, contactPoint: '</title><b>' },
    });
    const html = (await download((await exportAs(report.id, 'html')).id)).body;
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;',
    );
    expect(html).toContain('&quot;Quotes&quot; &amp; &#39;apostrophes&#39;');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it('keeps versions immutable: the app role cannot UPDATE or DELETE one, the owner cannot rewrite one', async () => {
    const incident = await breach();
    const report = await newReport(incident.id);
    const version = await exportAs(report.id, 'html');
    await expect(
      withOrg(t.db, org, (tx) =>
        tx.query(`UPDATE regulator_report_versions SET content = 'forged' WHERE id = $1`, [version.id]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withOrg(t.db, org, (tx) =>
        tx.query('DELETE FROM regulator_report_versions WHERE id = $1', [version.id]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      t.db.query(
        `UPDATE regulator_report_versions SET content = 'forged', sha256 = encode(sha256('forged'), 'hex') WHERE id = $1`,
        [version.id],
      ),
    ).rejects.toThrow(/immutable/);
    // A hash that does not describe the bytes is refused by the database itself.
    await expect(
      withOrg(t.db, org, (tx) =>
        tx.query(
          `INSERT INTO regulator_report_versions (organization_id, incident_id, report_id, number, kind, format, locale,
             is_exercise, report_revision, content, sha256)
           VALUES ($1, $2, $3, 99, 'gdpr_art33', 'html', 'cs', false, 1, 'x', $4)`,
          [org, incident.id, report.id, 'a'.repeat(64)],
        ),
      ),
    ).rejects.toThrow(/check constraint/);
    expect(sha256((await download(version.id)).rawPayload)).toBe(version.sha256);
  });

  it("stamps an exercise incident's report EXERCISE in the document's language", async () => {
    const incident = await breach({ isExercise: true });
    const report = await newReport(incident.id);
    expect(report.isExercise).toBe(true);
    const cs = await exportAs(report.id, 'html');
    expect(cs.isExercise).toBe(true);
    expect(cs.filename).toMatch(/-exercise\.html$/);
    const csHtml = (await download(cs.id)).body;
    expect(csHtml).toContain('<title>CVIČENÍ — ');
    expect(csHtml).toContain('@top-center { content: "CVIČENÍ"');
    expect(csHtml).toContain('<div class="exercise-stamp" aria-hidden="true">CVIČENÍ</div>');
    expect(csHtml).toContain(message('cs', 'report.exercise.notice'));
    const arHtml = (await download((await exportAs(report.id, 'html', 'ar')).id)).body;
    expect(arHtml).toContain('<div class="exercise-stamp" aria-hidden="true">تمرين</div>');
    // The margin box's CSS string escapes what is not a letter (Arabic letters are letters).
    expect(arHtml).toContain('@top-center { content: "تمرين"');
  });

  it('hides the reports of a restricted incident from an admin who is not a member', async () => {
    const incident = await breach({ restricted: true });
    const report = await newReport(incident.id);
    const version = await exportAs(report.id, 'html');
    const outsider = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
    for (const response of [
      await outsider.get(`/api/incidents/${incident.id}/reports`),
      await outsider.post(`/api/incidents/${incident.id}/reports`, { kind: 'nis2_final' }),
      await outsider.get(`/api/reports/${report.id}`),
      await outsider.patch(`/api/reports/${report.id}`, { fields: { measures: 'x' } }),
      await outsider.post(`/api/reports/${report.id}/exports`, { format: 'html' }),
      await outsider.get(`/api/reports/${report.id}/versions`),
      await outsider.get(`/api/report-versions/${version.id}`),
    ]) {
      expect(response.statusCode, response.body).toBe(404);
    }
    expect((await legalAgent.get(`/api/reports/${report.id}`)).statusCode).toBe(200);
  });

  it('lets a viewer read and download but not edit or export; support sees no reports', async () => {
    const incident = await breach();
    const report = await newReport(incident.id);
    const version = await exportAs(report.id, 'html');
    const viewer = await sessionFor(t, await createUser(t, org, ['viewer'], { totp: false }));
    expect((await viewer.get(`/api/reports/${report.id}`)).statusCode).toBe(200);
    expect((await viewer.get(`/api/report-versions/${version.id}`)).statusCode).toBe(200);
    expect((await viewer.patch(`/api/reports/${report.id}`, { fields: { measures: 'x' } })).statusCode).toBe(
      403,
    );
    expect((await viewer.post(`/api/reports/${report.id}/exports`, { format: 'html' })).statusCode).toBe(403);
    const support = await sessionFor(t, await createUser(t, org, ['support'], { totp: false }));
    expect((await support.get(`/api/reports/${report.id}`)).statusCode).toBe(403);
  });
});

describe('regulator reports without Chromium', () => {
  it('answers a PDF export with a clear error in the caller’s language, and HTML export still works', async () => {
    const bareOrg = await createOrganization(bare);
    const user = await createUser(bare, bareOrg, ['legal'], { totp: false });
    await bare.db.query(`UPDATE users SET locale = 'cs' WHERE id = $1`, [user.id]);
    const agent = await sessionFor(bare, user);
    const { id } = await createIncident(bare, bareOrg);
    const report = (await agent.post(`/api/incidents/${id}/reports`, { kind: 'gdpr_art33' })).json<Report>();
    expect(report.locale).toBe('cs');

    const pdf = await agent.post(`/api/reports/${report.id}/exports`, { format: 'pdf' });
    expect(pdf.statusCode).toBe(503);
    expect(pdf.json()).toMatchObject({
      error: { code: 'pdf_unavailable', message: message('cs', 'error.pdf_unavailable') },
    });
    const html = await agent.post(`/api/reports/${report.id}/exports`, { format: 'html' });
    expect(html.statusCode, html.body).toBe(201);
    // The refused PDF left no version behind.
    expect(
      (await agent.get(`/api/reports/${report.id}/versions`)).json<Version[]>().map((v) => v.format),
    ).toEqual(['html']);
  });
});
