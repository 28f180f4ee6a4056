import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/platform/i18n.js';
import { sensitive } from '../secrets.js';
import {
  apiPost,
  heading,
  joinByInvitation,
  setUpOrganization,
  switchLanguage,
  useBrowserRig,
  type Founder,
  type Person,
} from './session.js';

/**
 * Deadlines in a real browser against a real server: a data breach the
 * organization became aware of 60 hours ago has its 72-hour GDPR clock past
 * 75 %; the server's every-minute timer warns its owners, whose top bar
 * counts the warning and whose warnings page lists it until it is marked
 * read; then the legal lead marks the clock filed with the regulator's
 * reference and the clock shows as met.
 */

const admin: Founder = {
  organizationName: 'Pekárna Lhůta s.r.o.',
  displayName: 'Bohumila Správcová',
  email: sensitive('bohumila@pekarna.example'),
  password: sensitive<string>('a long and careful passphrase'),
};
const lawyer: Person = {
  displayName: 'Radek Právník',
  email: sensitive('radek@pekarna.example'),
  password: sensitive<string>('another long and careful passphrase'),
};
const TITLE = 'Payroll spreadsheet sent to the wrong customer';

const rig = useBrowserRig();
let page: Page;
let legalPage: Page;
let incidentPath = '';

beforeAll(async () => {
  page = (await rig.newPage()).page;
  legalPage = (await rig.newPage()).page;
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('deadline screens', () => {
  it('sets up the organization, and a lawyer joins by invitation with the legal role', async () => {
    await setUpOrganization(rig, page, admin);
    // No warning yet: the bell says so and shows no count.
    const bell = page.getByTestId('warnings-link');
    expect(await bell.getAttribute('data-count')).toBe('0');
    expect(await bell.getAttribute('aria-label')).toBe(t('en', 'app.warnings.indicator', { count: 0 }));

    await joinByInvitation(rig, page, legalPage, lawyer, ['legal']);
  });

  it('warns the owners once the clock is past 75 %: the top bar counts it and the warnings page lists it until read', async () => {
    const people = (await (await page.request.get('/api/people')).json()) as {
      id: string;
      displayName: string;
    }[];
    const legalId = people.find((p) => p.displayName === lawyer.displayName)!.id;
    const aware = new Date(Date.now() - 60 * 3600_000);
    const declared = await apiPost(rig, page, '/api/incidents', {
      title: TITLE,
      type: 'data_breach',
      severity: 'SEV2',
      dataCategories: ['contact_details'],
      moments: { aware: aware.toISOString() },
      jurisdictions: [{ code: 'CZ', estimatedAffected: 40 }],
      members: [{ userId: legalId, role: 'legal_lead' }],
    });
    expect(declared.status()).toBe(201);
    const incident = (await declared.json()) as { id: string; number: number };
    incidentPath = `/incidents/${incident.id}`;

    // The server's own timer checks the clocks every minute.
    await until(
      async () => ((await (await page.request.get('/api/me/warnings')).json()) as unknown[]).length > 0,
      'the deadline timer’s warning',
      100_000,
    );

    // The incident started GDPR, NIS2 and Czech clocks: each past a threshold warns on its own.
    const unread = async () =>
      ((await (await page.request.get('/api/me/warnings?unread=true')).json()) as unknown[]).length;
    const count = await unread();
    expect(count).toBeGreaterThan(1);
    await page.reload();
    const bell = page.getByTestId('warnings-link');
    await bell.and(page.locator(`[data-count="${count}"]`)).waitFor();
    expect(await bell.getAttribute('aria-label')).toBe(t('en', 'app.warnings.indicator', { count }));
    expect(await bell.textContent()).toBe(String(count));
    await bell.click();
    await heading(page, 'Deadline warnings').waitFor();

    const list = page.getByTestId('warnings-unread').locator('li');
    // The page fetches its list after the heading shows: wait for it rather than read it at once.
    await expect.poll(() => list.count(), { timeout: 15_000 }).toBe(count);
    const item = list.and(page.locator('[data-rule="gdpr_33_authority"]'));
    expect(await item.getAttribute('data-threshold')).toBe('75');
    const text = (await item.textContent()) ?? '';
    expect(text).toContain(t('en', 'deadline.rule.gdpr_33_authority'));
    expect(text).toContain('75 % of the time gone');
    expect(await item.getByTestId('warning-incident').textContent()).toBe(
      `Incident #${incident.number}: ${TITLE}`,
    );
    // Due 72 hours after becoming aware, shown in the viewer's zone.
    const due = item.getByTestId('warning-due');
    expect(new Date((await due.getAttribute('datetime'))!).getTime()).toBe(aware.getTime() + 72 * 3600_000);
    expect(await due.textContent()).toMatch(/\d/);
    expect(await item.getByTestId('exercise-badge').count()).toBe(0);

    // In Arabic the page reads right to left, the same warning in its words.
    await switchLanguage(page, 'ar');
    await heading(page, t('ar', 'app.warnings.title')).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await item.getByText(t('ar', 'app.warnings.threshold.75')).waitFor();
    await switchLanguage(page, 'en');

    await item.getByRole('button', { name: 'Mark read' }).click();
    const done = page.getByTestId('warnings-read').locator('li[data-rule="gdpr_33_authority"]');
    await done.waitFor();
    expect(await done.textContent()).toMatch(/Read \S/);
    await bell.and(page.locator(`[data-count="${count - 1}"]`)).waitFor();
    expect(await unread()).toBe(count - 1);
    await expect.poll(() => list.count(), { timeout: 15_000 }).toBe(count - 1);

    await done.getByTestId('warning-incident').click();
    await heading(page, TITLE).waitFor();
    expect(new URL(page.url()).pathname).toBe(incidentPath);
  }, 150_000);

  it('the legal lead marks the GDPR Art. 33 clock filed with the regulator’s reference, and it shows as met', async () => {
    // The legal lead was warned too.
    await legalPage.reload();
    await legalPage.getByTestId('warnings-link').and(legalPage.locator('.warnings-link-unread')).waitFor();

    await legalPage.goto(incidentPath);
    const gdpr = legalPage.getByTestId('clocks').getByTestId('clock-gdpr_33_authority');
    await gdpr.waitFor();
    expect(await gdpr.textContent()).toContain('Running');
    await gdpr.getByRole('button', { name: 'Mark filed' }).click();
    await gdpr.getByLabel('Filing reference').fill('ÚOOÚ-2025-0815');
    await gdpr.getByLabel('What was filed (optional)').fill('Initial notification through the ÚOOÚ form.');
    await gdpr.getByRole('button', { name: 'Mark filed' }).click();

    await gdpr.getByText('Met', { exact: true }).waitFor();
    await gdpr.getByText('Reference: ÚOOÚ-2025-0815').waitFor();
    expect(await gdpr.getByRole('button', { name: 'Mark filed' }).count()).toBe(0);
    await legalPage
      .getByTestId('timeline')
      .locator('li')
      .filter({ hasText: lawyer.displayName })
      .first()
      .waitFor();

    // The admin, who may not file, sees it met as well.
    await page.goto(incidentPath);
    const seen = page.getByTestId('clock-gdpr_33_authority');
    await seen.getByText('Met', { exact: true }).waitFor();
    expect(await seen.getByRole('button', { name: 'Mark filed' }).count()).toBe(0);
  });
});
