import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/platform/i18n.js';
import { projectRoot } from '../../src/platform/paths.js';
import { sensitive } from '../secrets.js';
import {
  apiPost,
  heading,
  screenshot,
  setUpOrganization,
  switchLanguage,
  useBrowserRig,
  type Founder,
} from './session.js';

/**
 * The incident screens in a real browser against a real server: a data
 * breach affecting Czech customers is declared, its plan's tasks and its
 * GDPR and NIS2 clocks appear, a task is done, and the GDPR Art. 33 report
 * is exported as PDF in Czech and in Arabic. The tests run in order and
 * share the admin's browser session.
 */

const admin: Founder = {
  organizationName: 'Kavárna Důvěra s.r.o.',
  displayName: 'Alžběta Správcová',
  email: sensitive('alzbeta@kavarna.example'),
  password: sensitive<string>('a long and careful passphrase'),
};

const DOWNLOADS = path.join(projectRoot, 'test-results', 'downloads');

const rig = useBrowserRig();
let page: Page;
let incidentPath = '';

beforeAll(async () => {
  page = (await rig.newPage()).page;
  mkdirSync(DOWNLOADS, { recursive: true });
});

describe('incident screens', () => {
  it('sets up the organization and shows Incidents, Plans and Contacts in the navigation', async () => {
    await setUpOrganization(rig, page, admin);

    const nav = page.getByRole('navigation');
    for (const link of ['Incidents', 'Response plans', 'Out-of-band contacts']) {
      await nav.getByRole('link', { name: link }).waitFor();
    }
  });

  it('declares a data breach affecting Czech customers, with the severity’s definition shown', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Incidents' }).click();
    await heading(page, 'Incidents').waitFor();
    await page.getByText('No incident matches these filters.').waitFor();
    await page.getByTestId('declare-link').click();
    await heading(page, 'Declare an incident').waitFor();

    await page.getByLabel('Type').selectOption('data_breach');
    await page.getByLabel('Severity').selectOption('SEV1');
    expect(await page.getByTestId('severity-definition').textContent()).toBe(
      t('en', 'incident.severity.SEV1.definition'),
    );
    await page.getByLabel('Title').fill('Customer e-mail addresses exposed by a misconfigured export');
    await page
      .getByLabel('Summary')
      .fill('A nightly CRM export was readable from the internet for two days.');
    await page.getByRole('checkbox', { name: 'Contact details' }).check();
    await page.getByLabel('Affected systems').fill('CRM export bucket\nNewsletter service');
    await page.getByRole('button', { name: 'Add a jurisdiction' }).click();
    await page.getByLabel('Country or region code').fill('CZ');
    await page.getByText('Czechia').waitFor();
    await page.getByLabel('Estimated affected people').fill('1200');
    // Became aware two hours ago, in the browser's own time zone.
    const aware = new Date(Date.now() - 2 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const local = `${aware.getFullYear()}-${pad(aware.getMonth() + 1)}-${pad(aware.getDate())}T${pad(aware.getHours())}:${pad(aware.getMinutes())}`;
    await page.getByLabel('Became aware').fill(local);
    await page.getByRole('button', { name: 'Declare incident' }).click();

    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    incidentPath = new URL(page.url()).pathname;
    await heading(page, 'Customer e-mail addresses exposed by a misconfigured export').waitFor();
    expect(await page.getByTestId('incident-number').textContent()).toBe('Incident #1');
    expect(await page.getByTestId('data-categories').textContent()).toBe('Contact details');
    expect(await page.getByTestId('jurisdiction-list').textContent()).toContain('Czechia');
    expect(await page.getByTestId('moment-aware').textContent()).not.toContain('Not recorded');
    const timeline = page.getByTestId('timeline');
    await timeline.getByText('Incident declared').waitFor();
    await timeline.getByText('Alžběta Správcová').first().waitFor();
  });

  it('shows the plan’s tasks and the GDPR and NIS2 clocks with a countdown', async () => {
    const tasks = page.getByTestId('tasks');
    await tasks.waitFor();
    expect(await tasks.locator('li[data-status="open"]').count()).toBeGreaterThan(0);

    const clocks = page.getByTestId('clocks');
    const gdpr = clocks.getByTestId('clock-gdpr_33_authority');
    await gdpr.waitFor();
    expect(await gdpr.textContent()).toContain('Running');
    expect(await gdpr.getByRole('timer').textContent()).toMatch(/left$/);
    // 72 hours from becoming aware two hours ago: about 70 hours, i.e. 2 days and 21–22 hours.
    expect(await gdpr.getByRole('timer').textContent()).toMatch(/^2 days?,? (21|22) hr/);
    await clocks.getByTestId('clock-nis2_early_warning').waitFor();
    await clocks.getByTestId('clock-nis2_notification').waitFor();
    expect(await gdpr.getByRole('img').getAttribute('aria-label')).toMatch(/^9[0-9] % of the time left$/);
  });

  it('completes a task, which the timeline records', async () => {
    const task = page
      .getByTestId('tasks')
      .locator('li[data-status="open"]')
      .filter({
        has: page.getByRole('button', { name: 'Mark done' }),
      });
    const first = task.first();
    const title = (await first.locator('.person-name').first().textContent()) ?? '';
    const key = await first.getAttribute('data-testid');
    await first.getByRole('button', { name: 'Mark done' }).click();
    const done = page.getByTestId(key!);
    await done.and(page.locator('[data-status="done"]')).waitFor();
    expect(await done.textContent()).toContain('done');
    const event = page.getByTestId('timeline').locator('li[data-kind="task_completed"]');
    await event.waitFor();
    expect(title).toContain((await event.locator('.timeline-detail').textContent()) ?? '—');
  });

  it('generates the GDPR Art. 33 report in Czech and in Arabic as PDF with embedded fonts', async () => {
    const reports = page
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: 'Regulator reports' }) });
    await reports.getByLabel('Report').selectOption('gdpr_art33');
    await reports.getByLabel('Language of the draft').selectOption('cs');
    await reports.getByRole('button', { name: 'Create report' }).click();
    const report = page.getByTestId('report-gdpr_art33');
    await report.waitFor();

    const pdfs: Record<'cs' | 'ar', string> = { cs: '', ar: '' };
    for (const locale of ['cs', 'ar'] as const) {
      await report.getByLabel('Format').selectOption('pdf');
      await report.getByLabel('Language of the document').selectOption(locale);
      const before = await report
        .getByTestId('report-versions')
        .locator('li')
        .count()
        .catch(() => 0);
      await report.getByTestId('export-report').click();
      await report.getByTestId(`version-${before + 1}`).waitFor({ timeout: 60_000 });
      const version = report.getByTestId(`version-${before + 1}`);
      expect(await version.textContent()).toMatch(/SHA-256: [0-9a-f]{64}/);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        version.getByTestId('download-version').click(),
      ]);
      const file = path.join(DOWNLOADS, `gdpr-art33-${locale}.pdf`);
      await download.saveAs(file);
      pdfs[locale] = file;
    }

    const text = (file: string) =>
      execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    const czech = text(pdfs.cs);
    // The Czech title and the diacritics of the organization's name come out as text.
    expect(czech).toContain(t('cs', 'report.title.gdpr_art33').split(' ')[0]!);
    expect(czech).toMatch(/[ěščřžýáíéůú]/);
    expect(czech).toContain('Kavárna Důvěra');

    const arabic = text(pdfs.ar);
    // Arabic text in logical order: the catalog's words appear as written, not reversed.
    const arabicTitle = t('ar', 'report.title.gdpr_art33');
    const firstWord = arabicTitle.split(' ').find((w) => /[\u0600-\u06FF]{3,}/.test(w))!;
    expect(arabic).toContain(firstWord);
    expect(arabic).not.toContain([...firstWord].reverse().join(''));

    for (const file of [pdfs.cs, pdfs.ar]) {
      const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
      expect(fonts.length).toBeGreaterThan(0);
      // Column "emb" is "yes" for every font.
      for (const line of fonts) expect(line).toMatch(/\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
    }
    writeFileSync(path.join(DOWNLOADS, 'gdpr-art33-ar.txt'), arabic);
  });

  it('shows the incident page in English, Czech and Arabic, right to left in Arabic', async () => {
    await page.goto(incidentPath);
    await page.getByTestId('clocks').waitFor();
    await screenshot(page, 'incident-en');

    await switchLanguage(page, 'cs');
    await page.getByRole('heading', { name: t('cs', 'app.clocks.title') }).waitFor();
    expect(await page.getByTestId('incident-number').textContent()).toBe('Incident č. 1');
    await page
      .getByTestId('clock-gdpr_33_authority')
      .getByRole('timer')
      .getByText(/^zbývá/)
      .waitFor();
    await screenshot(page, 'incident-cs');

    await switchLanguage(page, 'ar');
    await page.getByRole('heading', { name: t('ar', 'app.clocks.title') }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    const nav = (await page.getByRole('navigation').boundingBox())!;
    const main = (await page.getByRole('main').boundingBox())!;
    expect(nav.x).toBeGreaterThan(main.x);
    await screenshot(page, 'incident-ar');

    await switchLanguage(page, 'en');
  });

  it('filters the list and marks an exercise incident on every screen', async () => {
    const response = await apiPost(rig, page, '/api/incidents', {
      title: 'Tabletop: ransomware on the file server',
      type: 'ransomware',
      severity: 'SEV2',
      isExercise: true,
    });
    expect(response.status()).toBe(201);
    await page.getByRole('navigation').getByRole('link', { name: 'Incidents' }).click();
    await heading(page, 'Incidents').waitFor();
    const list = page.getByTestId('incident-list');
    await list.getByText('Tabletop: ransomware on the file server').waitFor();
    await list.getByTestId('exercise-badge').waitFor();

    await page.getByLabel('Exercises').selectOption('false');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await list.getByText('Tabletop').waitFor({ state: 'detached' });
    expect(await list.locator('tbody tr').count()).toBe(1);

    await page.getByLabel('Exercises').selectOption('true');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await list.getByRole('link', { name: 'Tabletop: ransomware on the file server' }).click();
    await page.getByTestId('exercise-banner').waitFor();
    await page.getByTestId('tasks').getByTestId('exercise-badge').first().waitFor();
    await screenshot(page, 'incident-exercise-en');
  });

  it('refuses an illegal transition with the server’s message, and moves an allowed one', async () => {
    const transitions = page.getByTestId('transitions');
    await transitions.getByRole('button', { name: 'Move to Triaged' }).click();
    await page.getByText('State changed').waitFor();
    expect(await page.locator('.incident-meta').textContent()).toContain('Triaged');

    // Another tab moved it meanwhile: the stale button is refused and the reason shown.
    const id = new URL(page.url()).pathname.split('/').pop();
    const moved = await apiPost(rig, page, `/api/incidents/${id}/transition`, { to: 'contained' });
    expect(moved.status()).toBe(200);
    await transitions.getByRole('button', { name: 'Move to Contained' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/\S/);
    const refused = rig.problems.consoleErrors.splice(0);
    expect(refused).toEqual([expect.stringMatching(/status of 409/)]);
  });

  it('edits a copied plan and shows its check; lists an out-of-band contact', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Response plans' }).click();
    await heading(page, 'Response plans').waitFor();
    await page.getByTestId('plan-check').waitFor();
    await page.getByRole('button', { name: 'Copy to our plans' }).click();
    await page.getByRole('button', { name: 'Edit the plan' }).click();
    const editors = page.getByTestId('plan-task-editor');
    const count = await editors.count();
    await page.getByRole('button', { name: 'Add a task' }).click();
    const added = editors.nth(count);
    await added.getByLabel('Title').fill('Call the cyber insurer');
    await added.getByLabel('Owner').selectOption('legal');
    await page.getByLabel('What changed in this version').fill('Insurer added after the tabletop.');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await page.getByTestId('plan-versions').getByText('Version 2').waitFor();
    await page.getByText('Call the cyber insurer').waitFor();
    await page.getByTestId('plan-check').waitFor();
    await screenshot(page, 'plans-en');

    await page.getByRole('navigation').getByRole('link', { name: 'Out-of-band contacts' }).click();
    await heading(page, 'Out-of-band contacts').waitFor();
    await page.getByRole('button', { name: 'Add a contact' }).click();
    await page.getByLabel('Name').fill('Outside counsel on call');
    await page.getByLabel('Phone').fill('+420 601 123 456');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByTestId('contacts').getByText('Outside counsel on call').waitFor();
    const printed = await page.request.get('/api/contacts/print');
    expect(printed.status()).toBe(200);
    expect(await printed.text()).toContain('Outside counsel on call');
  });
});
