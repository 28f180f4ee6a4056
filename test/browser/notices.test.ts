import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/platform/i18n.js';
import { formatTime } from '../../src/platform/time-format.js';
import { freshTotpCode } from '../factories.js';
import { leaksIn, sensitive } from '../secrets.js';
import { linkIn } from '../smtp.js';
import { SCREENSHOTS, startRig, type BrowserRig } from './browser.js';

/**
 * Customer notices in a real browser against a real server: a communications user drafts a
 * breach notice from the built-in template, sees a candour flag on wording that plays the
 * incident down and accepts it with a reason, previews the notice in Arabic (right to left) as
 * a sample customer; a lawyer who did not write it approves it; sending it is refused while the
 * organization has no e-mail settings, and once the admin saves them it is sent and arrives.
 */

const admin = {
  organizationName: 'Knihkupectví Na Rohu s.r.o.',
  displayName: 'Eva Správcová',
  email: sensitive('eva@knihy.example'),
  password: sensitive<string>('a long and careful passphrase'),
};
const writer = {
  displayName: 'Petr Komunikace',
  email: sensitive('petr@knihy.example'),
  password: sensitive<string>('a third long and careful passphrase'),
};
const lawyer = {
  displayName: 'Marta Právnička',
  email: sensitive('marta@knihy.example'),
  password: sensitive<string>('another long and careful passphrase'),
};
const customerEmail = sensitive('layla.customer@example.test');

let rig: BrowserRig;
let page: Page;
let writerPage: Page;
let legalPage: Page;
let incidentPath = '';

beforeAll(async () => {
  rig = await startRig();
  page = (await rig.newPage()).page;
  writerPage = (await rig.newPage()).page;
  legalPage = (await rig.newPage()).page;
});

afterAll(async () => {
  await rig?.close();
  if (rig) expect(leaksIn(rig.server.stdout)).toEqual([]);
});

afterEach(() => {
  const { violations, consoleErrors } = rig.problems;
  const found = { violations: [...violations], consoleErrors: [...consoleErrors] };
  violations.length = 0;
  consoleErrors.length = 0;
  expect(found).toEqual({ violations: [], consoleErrors: [] });
});

/** A computed style of an element (the test code is compiled without DOM types). */
const computed = (l: Locator, property: string) =>
  l.evaluate(
    (element, name) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(
        element,
      )[name],
    property,
  );

const heading = (p: Page, name: string) => p.getByRole('heading', { level: 1, name });

async function enrolTotp(p: Page) {
  await heading(p, t('en', 'app.enroll.title')).waitFor();
  await p.getByRole('button', { name: t('en', 'app.enroll.totp') }).click();
  await p.getByRole('button', { name: t('en', 'app.totp.start') }).click();
  const secret = sensitive(((await p.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, ''));
  await p.getByLabel(t('en', 'app.totp.code')).fill(freshTotpCode(secret));
  await p.getByRole('button', { name: t('en', 'app.totp.confirm') }).click();
  await p.getByTestId('recovery-codes').waitFor();
  await p.getByRole('button', { name: t('en', 'app.recovery.saved') }).click();
}

async function apiPost(p: Page, url: string, data: unknown) {
  const session = (await (await p.request.get('/api/auth/session')).json()) as { csrfToken?: string };
  return p.request.post(url, {
    headers: { origin: rig.origin, 'x-csrf-token': session.csrfToken ?? '' },
    data,
  });
}

async function apiWrite(method: 'put' | 'patch', p: Page, url: string, data: unknown) {
  const session = (await (await p.request.get('/api/auth/session')).json()) as { csrfToken?: string };
  return p.request[method](url, {
    headers: { origin: rig.origin, 'x-csrf-token': session.csrfToken ?? '' },
    data,
  });
}
const apiPut = (p: Page, url: string, data: unknown) => apiWrite('put', p, url, data);

async function join(p: Page, who: { displayName: string; email: string; password: string }, roles: string[]) {
  const invited = await apiPost(page, '/api/invitations', { email: who.email, roles });
  expect(invited.status()).toBe(201);
  const mail = await rig.smtp.waitFor(who.email);
  await p.goto(linkIn(mail, '/accept-invitation'));
  await p.getByLabel(t('en', 'app.field.displayName')).fill(who.displayName);
  await p.getByLabel('Password', { exact: true }).fill(who.password);
  await p.getByLabel('Repeat the password').fill(who.password);
  await p.getByRole('button', { name: t('en', 'app.invitation.accept') }).click();
  await enrolTotp(p);
  await heading(p, 'Overview').waitFor();
}

describe('customer notices', () => {
  it('sets up the organization with a communications user and a lawyer, and a breach with an affected customer', async () => {
    await page.goto(rig.setupLink);
    await heading(page, 'Set up Candor').waitFor();
    await page.getByLabel('Organization name').fill(admin.organizationName);
    await page.getByLabel('Your name').fill(admin.displayName);
    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Repeat the password').fill(admin.password);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await enrolTotp(page);
    await heading(page, 'Overview').waitFor();
    await join(writerPage, writer, ['communications']);
    await join(legalPage, lawyer, ['legal']);

    const declared = await apiPost(page, '/api/incidents', {
      title: 'Customer database copied',
      type: 'data_breach',
      severity: 'SEV2',
      dataCategories: ['contact_details', 'payment_card'],
    });
    expect(declared.status()).toBe(201);
    incidentPath = `/incidents/${((await declared.json()) as { id: string }).id}`;
    const customer = await apiPost(page, '/api/customers', {
      externalId: 'reader-0001',
      name: sensitive('Layla Nasser'),
      email: customerEmail,
      language: 'ar',
      country: 'CZ',
    });
    expect(customer.status()).toBe(201);
    const marked = await apiPost(page, `/api/${incidentPath.slice(1)}/affected-customers/by-list`, {
      rows: [{ email: customerEmail, categories: ['contact_details', 'payment_card'] }],
    });
    expect(marked.status()).toBe(200);
  });

  it('communications drafts from the template, meets a candour flag and accepts it with a reason', async () => {
    await writerPage.goto(incidentPath);
    const section = writerPage.getByTestId('notices');
    await section.waitFor();
    await writerPage.getByTestId('notice-new-mandatory').click();
    const editor = writerPage.getByTestId('notice-editor');
    await editor.waitFor();
    await editor.getByText(t('en', 'app.notices.flags.none')).waitFor();

    await editor.getByTestId('notice-language-ar').click();
    const apology = editor.getByLabel(t('en', 'app.notices.part.apology'), { exact: true });
    expect(await apology.getAttribute('dir')).toBe('rtl');
    expect(await apology.inputValue()).toContain('نعتذر');

    await editor.getByTestId('notice-language-en').click();
    const happened = editor.getByLabel(t('en', 'app.notices.part.what_happened'), { exact: true });
    await happened.fill('On {incidentDate}, a minor fault let an outsider copy our customer database.');
    await editor.getByTestId('notice-save').click();
    const flag = editor.locator('[data-flag="minimising:en:what_happened:minor"]');
    await flag.waitFor();
    await flag
      .getByLabel(t('en', 'app.notices.flag.reason'))
      .fill('“Minor” is the name of the fault class in the forensic report.');
    await flag.getByRole('button', { name: t('en', 'app.notices.flag.accept') }).click();
    await flag
      .getByText('“Minor” is the name of the fault class in the forensic report.', { exact: false })
      .waitFor();
    await editor.screenshot({ path: path.join(SCREENSHOTS, 'notices-editor-flag.png') });
  });

  it('previews the notice in Arabic, right to left, in a sandboxed frame', async () => {
    const preview = writerPage.getByTestId('notice-preview');
    const editor = writerPage.getByTestId('notice-editor');
    const previewLocale = preview.getByLabel(t('en', 'app.notices.preview.locale'));
    // The preview's language follows the one being edited…
    expect(await previewLocale.inputValue()).toBe('en');
    await editor.getByTestId('notice-language-cs').click();
    expect(await previewLocale.inputValue()).toBe('cs');
    // …and a language picked in the preview afterwards is the one it shows.
    await previewLocale.selectOption('en');
    await preview.getByTestId('notice-preview-show').click();
    await preview.getByTestId('notice-preview-frame').waitFor();
    expect(await previewLocale.inputValue()).toBe('en');
    expect(
      await writerPage
        .frameLocator('[data-testid="notice-preview-frame"]')
        .locator('html')
        .getAttribute('lang'),
    ).toBe('en');
    await editor.getByTestId('notice-language-ar').click();
    expect(await previewLocale.inputValue()).toBe('ar');
    await editor.getByTestId('notice-language-en').click();
    await previewLocale.selectOption('ar');
    await preview.getByTestId('notice-preview-show').click();
    const frame = preview.getByTestId('notice-preview-frame');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('data-dir')).toBe('rtl');
    const html = writerPage.frameLocator('[data-testid="notice-preview-frame"]').locator('html');
    expect(await html.getAttribute('dir')).toBe('rtl');
    expect(await html.getAttribute('lang')).toBe('ar');
    expect(await html.locator('body').textContent()).toContain('نعتذر');
    // Styled as the e-mail is, from its own document and policy (no srcdoc: the admin app's
    // `style-src 'self'` would refuse the inline styles, which afterEach counts as violations).
    expect(await frame.getAttribute('srcdoc')).toBeNull();
    expect(await frame.getAttribute('src')).toMatch(
      /^\/api\/notices\/[0-9a-f-]{36}\/preview\.html\?locale=ar&/,
    );
    const bar = html.locator('[data-part="brand"]');
    // No brand colour set: the neutral one (#334155), white text, the organization's name.
    expect(await computed(bar, 'backgroundColor')).toBe('rgb(51, 65, 85)');
    expect(await bar.textContent()).toBe(admin.organizationName);
    const container = html.locator('body > div');
    expect(await computed(container, 'maxWidth')).toBe('600px');
    expect(await computed(container, 'fontFamily')).toContain('sans-serif');
    expect(await computed(container, 'textAlign')).toBe('right');
    const code = html.locator('bdi[dir="ltr"]', { hasText: 'K7QF-2M9X-D4TA' }).first();
    expect(await computed(code, 'fontFamily')).toContain('monospace');
    await preview.screenshot({ path: path.join(SCREENSHOTS, 'notices-preview-ar.png') });
    // The SMS in Arabic: UCS-2, its segments counted.
    await preview.getByLabel(t('en', 'app.notices.preview.channel')).selectOption('sms');
    await preview.getByTestId('notice-preview-show').click();
    expect(await preview.getByTestId('notice-preview-sms').getAttribute('dir')).toBe('rtl');
    expect(await preview.getByTestId('notice-preview-segments').textContent()).toContain('UCS-2');
    // The segments shown one by one: as many as counted, and the verification code whole in one.
    const parts = await preview.getByTestId('notice-preview-sms-part').allTextContents();
    expect(await preview.getByTestId('notice-preview-segments').textContent()).toContain(
      t('en', 'app.notices.preview.segments', { segments: parts.length, encoding: 'UCS-2' }),
    );
    expect(parts.join('')).toBe(await preview.getByTestId('notice-preview-sms').textContent());
    expect(parts.filter((part) => part.includes('K7QF-2M9X-D4TA'))).toHaveLength(1);
    // The author (communications) has no approve button.
    expect(await writerPage.getByTestId('notice-approve').count()).toBe(0);
  });

  it('the lawyer approves the version and communications sends it', async () => {
    await legalPage.goto(incidentPath);
    await legalPage
      .getByTestId('notices')
      .getByRole('button', { name: t('en', 'app.notices.open') })
      .click();
    const editor = legalPage.getByTestId('notice-editor');
    await editor.getByTestId('notice-approve').click();
    await editor.getByText(t('en', 'app.notices.status.approved')).first().waitFor();

    // The organization works in Riyadh; the writer's browser runs in UTC.
    expect((await apiWrite('patch', page, '/api/organization', { timeZone: 'Asia/Riyadh' })).status()).toBe(
      200,
    );
    await writerPage.goto(incidentPath);
    await writerPage
      .getByTestId('notices')
      .getByRole('button', { name: t('en', 'app.notices.open') })
      .click();
    const mine = writerPage.getByTestId('notice-editor');
    await mine.getByText(t('en', 'app.notices.status.approved')).first().waitFor();
    // Sending asks first, naming how many customers it reaches and by which channels.
    const panel = mine.getByTestId('notice-send-panel');
    // Scheduling asks too, naming the moment, read in the organization's zone (09:30 in Riyadh).
    await panel.getByLabel(t('en', 'app.notices.send.at')).fill('2031-03-01T09:30');
    await mine.getByTestId('notice-send-schedule').click();
    const at = formatTime('2031-03-01T06:30:00Z', {
      locale: 'en',
      timeZone: 'Asia/Riyadh',
      style: 'dateTime',
    });
    expect(at).toContain('9:30 AM GMT+3');
    expect(await panel.getByTestId('notice-schedule-question').textContent()).toBe(
      t('en', 'app.notices.send.confirmSchedule', { count: 1, channels: 'e-mail', at }),
    );
    await panel.getByRole('button', { name: t('en', 'app.action.cancel') }).click();
    await panel.getByLabel(t('en', 'app.notices.send.at')).fill('');
    await panel.getByRole('checkbox', { name: t('en', 'app.notices.channel.sms') }).check();
    await mine.getByTestId('notice-send-now').click();
    expect(await panel.getByTestId('notice-send-question').textContent()).toBe(
      t('en', 'app.notices.send.confirm', { count: 1, channels: 'e-mail and SMS' }),
    );
    await panel.getByRole('button', { name: t('en', 'app.action.cancel') }).click();
    await panel.getByRole('checkbox', { name: t('en', 'app.notices.channel.sms') }).uncheck();
    await mine.getByTestId('notice-send-now').click();
    expect(await panel.getByTestId('notice-send-question').textContent()).toBe(
      t('en', 'app.notices.send.confirm', { count: 1, channels: 'e-mail' }),
    );
    // No e-mail settings yet: the send is refused where it is requested, saying what to set up.
    await mine.getByTestId('notice-send-now-confirm').click();
    const alert = mine.getByTestId('notice-send-panel').getByRole('alert');
    await alert.getByText(t('en', 'error.email_settings_missing')).waitFor();
    await mine.getByTestId('notice-send-panel').screenshot({
      path: path.join(SCREENSHOTS, 'notices-send-refused.png'),
    });
    expect(rig.problems.consoleErrors.splice(0)).toEqual([expect.stringMatching(/status of 409/)]);
    // The way to the settings is offered only to one who may change them; the admin saves them.
    expect(await mine.getByTestId('notice-send-email-settings').count()).toBe(0);
    const saved = await apiPut(page, '/api/email-settings', {
      fromAddress: 'oznameni@knihy.example',
      dkimSelector: 'candor',
    });
    expect(saved.status()).toBe(200);

    await mine.getByTestId('notice-send-now').click();
    await mine.getByTestId('notice-send-now-confirm').click();
    const row = mine.getByTestId('notice-send');
    await row.waitFor();
    expect(await row.textContent()).toContain(t('en', 'app.notices.audience.customers'));
    // The send's live progress shows under it, with its controls for one who may send.
    await row.getByTestId('send-progress').waitFor();
    await row.getByTestId('send-progress-bar').waitFor();
    await mine.screenshot({ path: path.join(SCREENSHOTS, 'notices-sent.png') });
    // Sent at once, with no wait for anything to expire: the notice reaches the customer.
    const mail = await rig.smtp.waitFor(customerEmail, 30_000);
    expect(mail.parsed.from?.value[0]?.address).toBe('oznameni@knihy.example');
    // The row's header follows the send to its end, as the progress under it does.
    await row.locator('[data-testid="send-progress"][data-status="completed"]').waitFor({ timeout: 30_000 });
    const header = row.getByTestId('notice-send-header');
    await row.locator('[data-testid="notice-send-header"][data-status="completed"]').waitFor();
    expect(await header.textContent()).toContain(t('en', 'app.notices.sendStatus.completed'));
  });

  it('the navigation leads one who may manage them to the test recipients, and no one else', async () => {
    await page.goto('/');
    await page
      .getByRole('navigation')
      .getByRole('link', { name: t('en', 'app.nav.testRecipients') })
      .click();
    await heading(page, t('en', 'app.testRecipients.title')).waitFor();
    expect(new URL(page.url()).pathname).toBe('/notice-test-recipients');
    for (const other of [writerPage, legalPage]) {
      await other.goto('/');
      const nav = other.getByRole('navigation');
      await nav.getByRole('link', { name: t('en', 'app.nav.incidents') }).waitFor();
      expect(await nav.getByRole('link', { name: t('en', 'app.nav.testRecipients') }).count()).toBe(0);
    }
  });
});
