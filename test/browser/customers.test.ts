import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t, type Locale } from '../../src/platform/i18n.js';
import { projectRoot } from '../../src/platform/paths.js';
import { sensitive } from '../secrets.js';
import { SCREENSHOTS } from './browser.js';
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
 * The customer screens in a real browser against a real server: an admin imports a Czech Excel
 * file (Windows-1250, semicolons) through the import page and watches its progress and summary,
 * finds a customer by e-mail and reveals their data with a reason, marks customers affected on an
 * incident by uploading a file and reads the counts, and sees it all right to left in Arabic.
 * The tests run in order and share the admin's browser session.
 */

const admin: Founder = {
  organizationName: 'Pekárna U Zlatého klasu s.r.o.',
  displayName: 'Bohumila Správcová',
  email: sensitive('bohumila@pekarna.example'),
  password: sensitive<string>('a long and careful passphrase'),
};

const jana = {
  name: sensitive('Jana Nováková'),
  email: sensitive('jana.novakova@example.cz'),
  phone: sensitive('601 234 567'),
  // Her own endpoint for notices by webhook (a business customer); the others have none.
  webhook: sensitive('https://hooks.novakova-obchod.example/candor/notices'),
};
const people = [
  jana,
  {
    name: sensitive('Jiří Šťastný'),
    email: sensitive('jiri.stastny@example.cz'),
    phone: sensitive('602 345 678'),
  },
  { name: sensitive('Žofie Dvořáková'), email: sensitive('zofie@@nikde'), phone: '' },
  {
    name: sensitive('Řehoř Čížek'),
    email: sensitive('rehor.cizek@example.cz'),
    phone: sensitive('603 456 789'),
  },
  { name: sensitive('Ludmila Koňaříková'), email: sensitive('ludmila.konarikova@example.cz'), phone: '' },
];

/** What Czech Excel writes with "Save as CSV": Windows-1250, semicolons, CRLF. */
const czechCsv = iconv.encode(
  [
    'Číslo zákazníka;Jméno;E-mail;Telefon;Země;Štítky;Webhook',
    ...people.map(
      (p, i) =>
        `Z-${1001 + i};${p.name};${p.email};${p.phone};CZ;${i % 2 ? 'eshop' : 'pobočka'};${p === jana ? jana.webhook : ''}`,
    ),
    '',
  ].join('\r\n'),
  'windows-1250',
);

/** What Arabic Excel writes: Windows-1256, which a Latin code page reads as accented letters. */
const arabicCsv = iconv.encode('رقم العميل,الاسم,المدينة\r\nSA-1,محمد العتيبي,الرياض\r\n', 'windows-1256');

const DOWNLOADS = path.join(projectRoot, 'test-results', 'downloads');

const rig = useBrowserRig({ leakCheck: 'stdout and stderr' });
let page: Page;
let incidentPath = '';

beforeAll(async () => {
  page = (await rig.newPage()).page;
  mkdirSync(DOWNLOADS, { recursive: true });
});

/** The incident page's affected-customers card. */
const affectedSection = (p: Page, locale: Locale) =>
  p.locator('section.card', {
    has: p.getByRole('heading', { name: t(locale, 'app.affected.title'), level: 2 }),
  });

describe('customer screens', () => {
  it('sets up the organization and shows Customers in the navigation', async () => {
    await setUpOrganization(rig, page, admin);

    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await heading(page, 'Customers').waitFor();
    await page.getByText(t('en', 'app.customers.none')).waitFor();
  });

  it('imports a Czech Windows-1250 CSV with semicolons, with progress and the exact summary', async () => {
    await page.getByTestId('import-link').click();
    await heading(page, 'Import customers').waitFor();
    await page.getByText(t('en', 'app.import.recent.none')).waitFor();
    // The same import from the command line, with the organization's id (nowhere else in the app).
    const session = await page.evaluate<{ organization: { id: string } }>(
      `fetch('/api/auth/session').then((r) => r.json())`,
    );
    const orgId = session.organization.id;
    expect(orgId).toMatch(/^[0-9a-f-]{36}$/);
    const cli = page.getByTestId('import-cli');
    await cli.getByRole('heading', { name: t('en', 'app.import.cli.title') }).waitFor();
    expect(await page.getByTestId('import-cli-command').textContent()).toBe(
      `candor customers import --org ${orgId} customers.csv`,
    );
    await cli.getByText(t('en', 'app.import.cli.organization', { id: orgId })).waitFor();
    await cli.getByRole('button', { name: t('en', 'app.action.copy') }).waitFor();
    // An Arabic Excel file: its code page detected and preselected, its columns offered in Arabic;
    // another encoding chosen reads them as that code page would.
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'arabic.csv',
      mimeType: 'text/csv',
      buffer: arabicCsv,
    });
    const encodingSelect = page.getByLabel(t('en', 'app.import.encoding'), { exact: true });
    const arabicLabel = t('en', 'app.import.encoding.windows-1256');
    expect(await page.getByTestId('detected-encoding').textContent()).toBe(
      t('en', 'app.import.encoding.guessed', { encoding: arabicLabel }),
    );
    expect(await encodingSelect.inputValue()).toBe('auto');
    expect(await encodingSelect.locator('option:checked').textContent()).toBe(
      t('en', 'app.import.auto.detected', { encoding: arabicLabel }),
    );
    const nameColumn = page.getByTestId('mapping').getByLabel('Name', { exact: true });
    expect(await nameColumn.inputValue()).toBe('الاسم');
    await encodingSelect.selectOption('windows-1250');
    await nameColumn.getByRole('option', { name: 'ÇáÇÓă' }).waitFor({ state: 'attached' });
    await encodingSelect.selectOption('auto');
    await page.getByLabel('Choose a file').setInputFiles({
      name: 'zakaznici.csv',
      mimeType: 'text/csv',
      buffer: czechCsv,
    });
    expect(await page.getByTestId('import-cli-command').textContent()).toBe(
      `candor customers import --org ${orgId} zakaznici.csv`,
    );
    // Read in the browser: not UTF-8, the Czech code page guessed, semicolons found, columns offered.
    expect(await page.getByTestId('detected-encoding').textContent()).toBe(
      t('en', 'app.import.encoding.guessed', { encoding: t('en', 'app.import.encoding.windows-1250') }),
    );
    expect(await encodingSelect.locator('option:checked').textContent()).toBe(
      t('en', 'app.import.auto.detected', { encoding: t('en', 'app.import.encoding.windows-1250') }),
    );
    expect(await page.getByTestId('detected-delimiter').textContent()).toBe(
      t('en', 'app.import.delimiter.detected', { delimiter: t('en', 'app.import.delimiter.semicolon') }),
    );
    const mapping = page.getByTestId('mapping');
    expect(await mapping.getByLabel('Customer ID (required)').inputValue()).toBe('Číslo zákazníka');
    expect(await mapping.getByLabel('Name', { exact: true }).inputValue()).toBe('Jméno');
    expect(await mapping.getByLabel('E-mail address').inputValue()).toBe('E-mail');
    expect(await mapping.getByLabel('Phone number').inputValue()).toBe('Telefon');
    expect(await mapping.getByLabel('Country (ISO code)').inputValue()).toBe('Země');
    expect(await mapping.getByLabel('Webhook endpoint (https)').inputValue()).toBe('Webhook');
    await mapping.getByLabel('Tags').selectOption('Štítky');
    await page.getByLabel('Default country for phone numbers').fill('CZ');
    await page.getByLabel('Save this mapping as').fill('Excel CZ');
    await page.getByRole('button', { name: 'Upload and import' }).click();

    const summary = page.getByTestId('import-summary');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.getAttribute('data-status')).toBe('completed');
    const count = async (key: string) => (await page.getByTestId(`summary-${key}`).textContent())?.trim();
    expect({
      read: await count('read'),
      inserted: await count('inserted'),
      updated: await count('updated'),
      unchanged: await count('unchanged'),
      rejected: await count('rejected'),
    }).toEqual({ read: '5', inserted: '4', updated: '0', unchanged: '0', rejected: '1' });
    // The progress shows every byte uploaded and the rows the server committed.
    const progress = page.getByTestId('import-progress');
    expect(await progress.locator('progress').getAttribute('value')).toBe(String(czechCsv.length));
    expect(await progress.locator('progress').getAttribute('max')).toBe(String(czechCsv.length));
    expect(await page.getByTestId('progress-rows').textContent()).toBe(
      t('en', 'app.import.progress.rows', { count: 5 }),
    );
    await screenshot(page, 'customers-import-en');

    // The error report: the rejected row with its line and column (a download, audited by the server).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('error-report').click(),
    ]);
    const file = path.join(DOWNLOADS, 'import-errors.json');
    await download.saveAs(file);
    const report = JSON.parse(readFileSync(file, 'utf8')) as { errors: { line: number; column: string }[] };
    expect(report.errors.map((e) => [e.line, e.column])).toEqual([[4, 'E-mail']]);

    // The import is listed with its status, and the mapping is offered next time.
    const recent = page.getByTestId('recent-imports');
    await recent.locator('tr[data-status="completed"]').waitFor();
    expect(await recent.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Use a saved mapping').waitFor();
  });

  it('shows the rows committed while a larger file is still being imported', async () => {
    const rows = 6000;
    const big = Buffer.from(
      [
        'external_id,name,email,country',
        ...Array.from({ length: rows }, (_, i) => `B-${100000 + i},Zákazník ${i},zakaznik${i}@example.cz,CZ`),
        '',
      ].join('\n'),
    );
    await page
      .getByLabel('Choose a file')
      .setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: big });
    expect(await page.getByTestId('detected-encoding').textContent()).toBe(
      t('en', 'app.import.encoding.detected', { encoding: t('en', 'app.import.encoding.utf-8') }),
    );
    expect(await page.getByTestId('mapping').getByLabel('Customer ID (required)').inputValue()).toBe(
      'external_id',
    );
    // Every text the running count shows, from the first to the last.
    // (A script as text: this file is compiled without the DOM's types.)
    await page.evaluate(`(() => {
      const seen = [];
      window.seenRows = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="progress-rows"]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const summary = page.getByTestId('import-summary');
    await summary.waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('summary-read').textContent()).toBe('6,000');
    expect(await page.getByTestId('summary-inserted').textContent()).toBe('6,000');
    const seen = await page.evaluate<string[]>('window.seenRows');
    const counts = seen.map((text) => Number(/[\d,]+/.exec(text)![0].replace(/,/g, '')));
    expect(counts[0]).toBe(0);
    expect(counts[counts.length - 1]).toBe(rows);
    // Never backwards: the count is the rows of committed batches.
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    await page.getByTestId('recent-imports').locator('tbody tr').nth(1).waitFor();
  });

  it('finds a customer by e-mail address and reveals their personal data with a reason', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await heading(page, 'Customers').waitFor();
    // The list shows clear fields only, a page at a time, filtered by tag.
    const list = page.getByTestId('customers');
    await list.getByRole('link', { name: 'B-100000' }).waitFor();
    expect(await list.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: t('en', 'app.customers.more') }).click();
    await list.locator('tbody tr').nth(99).waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('eshop');
    await page.getByRole('button', { name: t('en', 'app.audit.apply') }).click();
    await list.getByRole('link', { name: 'Z-1002' }).waitFor();
    expect(await list.locator('tbody tr').allTextContents()).toHaveLength(2);
    await list.getByRole('link', { name: 'Z-1004' }).waitFor();
    const listed = (await list.textContent()) ?? '';
    for (const p of people) {
      expect(listed).not.toContain(p.name);
      if (p.email) expect(listed).not.toContain(p.email);
    }

    await page.getByLabel('E-mail address or phone number').fill('Jana.Novakova@EXAMPLE.cz');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByTestId('search-results');
    await results.waitFor();
    expect(await results.locator('tbody tr').count()).toBe(1);
    await results.getByRole('link', { name: 'Z-1001' }).click();

    await heading(page, 'Z-1001').waitFor();
    expect(await page.getByTestId('customer-facts').textContent()).toContain('Czechia');
    expect(await page.locator('main').textContent()).not.toContain(jana.name);
    await page.getByTestId('reveal').click();
    const confirm = page.getByRole('button', { name: 'Reveal personal data' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Reason', { exact: true }).first().selectOption('customer_request');
    await confirm.click();
    await page.getByTestId('revealed').waitFor();
    expect(await page.getByTestId('personal-name').textContent()).toBe(jana.name);
    expect(await page.getByTestId('personal-email').textContent()).toBe(jana.email);
    expect(await page.getByTestId('personal-phone').textContent()).toBe('+420601234567');
    expect(await page.getByTestId('personal-webhook').textContent()).toBe(jana.webhook);

    // The data-subject export asks for its reason, then downloads the JSON.
    expect(await page.getByTestId('customer-export').count()).toBe(0);
    await page.locator('select[name="export-reason"]').selectOption('data_subject_request');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('customer-export').click(),
    ]);
    const file = path.join(DOWNLOADS, 'customer-export.json');
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).toContain(jana.email);
  });

  it('erases a customer after a confirmation', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await heading(page, 'Customers').waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('pobočka');
    await page.getByRole('button', { name: t('en', 'app.audit.apply') }).click();
    const list = page.getByTestId('customers');
    await list.getByRole('link', { name: 'Z-1005' }).click();
    await heading(page, 'Z-1005').waitFor();
    await page.getByRole('button', { name: 'Erase this customer' }).click();
    await page.getByText(t('en', 'app.customer.erase.question')).waitFor();
    await page.getByRole('button', { name: 'Erase', exact: true }).click();
    await heading(page, 'Customers').waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('pobočka');
    await page.getByRole('button', { name: t('en', 'app.audit.apply') }).click();
    await list.getByRole('link', { name: 'Z-1001' }).waitFor();
    expect(await list.getByRole('link', { name: 'Z-1005' }).count()).toBe(0);
  });

  it('marks affected customers on an incident by uploading a file and shows the counts', async () => {
    const response = await apiPost(rig, page, '/api/incidents', {
      title: 'Customer list exposed by a misconfigured export',
      type: 'data_breach',
      severity: 'SEV2',
      dataCategories: ['contact_details'],
    });
    expect(response.status(), await response.text()).toBe(201);
    const { id } = (await response.json()) as { id: string };
    incidentPath = `/incidents/${id}`;
    await page.goto(incidentPath);
    await page.getByRole('heading', { name: 'Affected customers', level: 2 }).waitFor();
    await page.getByText(t('en', 'app.affected.none')).waitFor();

    const mark = page.getByTestId('affected-mark');
    await mark.getByLabel('File', { exact: true }).setInputFiles({
      name: 'zasazeni.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        [
          'customer_id,email,categories',
          'Z-1001,,contact_details|payment_card',
          `,${people[1]!.email},`,
          'Z-9999,,contact_details',
          'Z-1004,,secrets',
          '',
        ].join('\n'),
      ),
    });
    await mark.getByRole('checkbox', { name: 'Contact details' }).check();
    await mark.getByRole('button', { name: 'Upload and mark' }).click();

    const result = page.getByTestId('file-result');
    await result.waitFor();
    expect(await result.locator('.notice-title').textContent()).toBe(
      t('en', 'app.affected.file.result', { read: 4, matched: 2, rejected: 1, unmatched: 1 }),
    );
    const problems = page.getByTestId('file-problems').locator('tbody tr');
    expect(await problems.allTextContents()).toEqual([
      `4${t('en', 'app.affected.problem.not_found')}`,
      `5categories${t('en', 'app.affected.problem.invalid_category')}`,
    ]);
    expect(await page.getByTestId('affected-total').textContent()).toBe(
      t('en', 'app.affected.total', { count: 2 }),
    );
    expect(await page.getByTestId('affected-by-country').locator('tbody').textContent()).toBe('Czechia2');
    expect(await page.getByTestId('affected-by-category').locator('tbody tr').allTextContents()).toEqual([
      'Contact details2',
      'Payment card data1',
    ]);
    const affected = page.getByTestId('affected-list');
    await affected.getByRole('link', { name: 'Z-1002' }).waitFor();
    expect(await affected.locator('tbody tr').count()).toBe(2);
    expect(await affected.textContent()).not.toContain(jana.name);
    // The counts replace the jurisdictions' estimates on the same page.
    const jurisdictions = page.getByTestId('jurisdiction-list');
    await jurisdictions.getByText('Czechia').waitFor();
    await jurisdictions.getByText(t('en', 'app.incident.jurisdiction.counted', { count: 2 })).waitFor();

    // Personal data of an affected customer: revealed in place, with a reason.
    const row = affected.locator('tr', { has: page.getByRole('link', { name: 'Z-1001' }) });
    await row.getByRole('button', { name: 'Personal data' }).click();
    await affected.getByTestId('reveal').click();
    await affected.getByLabel('Reason', { exact: true }).selectOption('incident_notification');
    await affected.getByRole('button', { name: 'Reveal personal data' }).click();
    expect(await affected.getByTestId('personal-name').textContent()).toBe(jana.name);
    await affectedSection(page, 'en').screenshot({
      path: path.join(SCREENSHOTS, 'incident-affected-en.png'),
    });
  });

  it('shows the affected customers right to left in Arabic', async () => {
    await switchLanguage(page, 'ar', 'app.nav.customers');
    await page.getByRole('heading', { name: t('ar', 'app.affected.title'), level: 2 }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.getByTestId('affected-total').textContent()).toBe(
      t('ar', 'app.affected.total', { count: 2 }),
    );
    const nav = (await page.getByRole('navigation').boundingBox())!;
    const main = (await page.getByRole('main').boundingBox())!;
    expect(nav.x).toBeGreaterThan(main.x);
    await affectedSection(page, 'ar').screenshot({
      path: path.join(SCREENSHOTS, 'incident-affected-ar.png'),
    });
    await page
      .getByRole('navigation')
      .getByRole('link', { name: t('ar', 'app.nav.customers') })
      .click();
    await heading(page, t('ar', 'app.customers.title')).waitFor();
    await page.getByTestId('customers').waitFor();
    await screenshot(page, 'customers-ar');
    await switchLanguage(page, 'en', 'app.nav.customers');
  });
});
