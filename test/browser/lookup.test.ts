import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/platform/i18n.js';
import { sensitive } from '../secrets.js';
import { linkIn } from '../smtp.js';
import { SCREENSHOTS } from './browser.js';
import {
  apiPost,
  heading,
  joinByInvitation,
  setUpOrganization,
  useBrowserRig,
  type Founder,
  type Person,
} from './session.js';

/**
 * "Was I affected?" in a real browser against a real server: the admin writes the incident's
 * public guidance in English, Czech and Arabic; a lawyer (who did not write it) approves and
 * publishes the page; a customer opens it in Arabic (right to left), asks with their address,
 * receives the one-time link by e-mail and sees which of their data was affected.
 */

const admin: Founder = {
  organizationName: 'Lékárna U Lípy s.r.o.',
  displayName: 'Ivana Správcová',
  email: sensitive('ivana@lekarna.example'),
  password: sensitive<string>('a long and careful passphrase'),
};
const lawyer: Person = {
  displayName: 'Marek Právník',
  email: sensitive('marek@lekarna.example'),
  password: sensitive<string>('another long and careful passphrase'),
};
const customerEmail = sensitive('salma.customer@example.test');

const guidance = {
  en: {
    happened: 'A copy of our loyalty-card database was taken on 3 November.',
    done: 'We closed the access and reset every password.',
    advice: 'Watch for messages that pretend to be from us.',
  },
  cs: {
    happened: 'Dne 3. listopadu byla odcizena kopie databáze věrnostních karet.',
    done: 'Přístup jsme uzavřeli a všechna hesla obnovili.',
    advice: 'Dávejte pozor na zprávy, které se za nás vydávají.',
  },
  ar: {
    happened: 'أُخذت نسخة من قاعدة بيانات بطاقات الولاء في 3 نوفمبر.',
    done: 'أغلقنا الوصول وأعدنا تعيين كل كلمات المرور.',
    advice: 'احذر من الرسائل التي تدّعي أنها منا.',
  },
};

const rig = useBrowserRig();
let page: Page;
let legalPage: Page;
let incidentPath = '';
let publicLink = '';

beforeAll(async () => {
  page = (await rig.newPage()).page;
  legalPage = (await rig.newPage()).page;
});

const BRAND_COLOR = '#7A1F5C';
/** A real 2×2 PNG: the organization's logo. */
const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGOoko8BIgYIBQAbUgPV5z5CEwAAAABJRU5ErkJggg==',
  'base64',
);

/** The page shows the organization's name, its logo (loaded, from the public address) and colour, not Candor's. */
async function expectOrganizationBrand(p: Page) {
  const mark = p.getByTestId('org-mark');
  await mark.waitFor();
  expect(await p.getByTestId('org-name').textContent()).toBe(admin.organizationName);
  const logo = p.getByTestId('org-logo');
  expect(await logo.getAttribute('src')).toMatch(/^\/api\/public\/logos\/[A-Za-z0-9_-]{22,}$/);
  // Polled by a function call, not a string: the page's CSP refuses to evaluate strings.
  await expect
    .poll(() => logo.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth))
    .toBe(2);
  expect(await p.locator('.auth').getAttribute('data-brand')).toBe(BRAND_COLOR);
  // The colour is the accent: the header's bar and the primary button.
  const bar = await p
    .locator('.auth-header')
    .evaluate(
      (element) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(
          element,
        ).borderTopColor,
    );
  expect(bar).toBe('rgb(122, 31, 92)');
  // Candor's own mark is not there.
  expect(await p.locator('.logo-mark').count()).toBe(0);
}

describe('"Was I affected?" screens', () => {
  it('sets up the organization, a lawyer joins, and an incident with one affected customer is declared', async () => {
    await setUpOrganization(rig, page, admin);
    await joinByInvitation(rig, page, legalPage, lawyer, ['legal']);

    const declared = await apiPost(rig, page, '/api/incidents', {
      title: 'Loyalty-card database copied',
      type: 'data_breach',
      severity: 'SEV2',
      dataCategories: ['contact_details', 'payment_card'],
    });
    expect(declared.status()).toBe(201);
    incidentPath = `/incidents/${((await declared.json()) as { id: string }).id}`;
    const customer = await apiPost(rig, page, '/api/customers', {
      externalId: 'loyal-0001',
      name: sensitive('Salma Haddad'),
      email: customerEmail,
      language: 'ar',
      country: 'CZ',
    });
    expect(customer.status()).toBe(201);
    const marked = await apiPost(rig, page, `/api/${incidentPath.slice(1)}/affected-customers/by-list`, {
      rows: [{ email: customerEmail, categories: ['contact_details', 'payment_card'] }],
    });
    expect(marked.status()).toBe(200);

    // The organization's brand, which its public pages carry instead of Candor's.
    const session = (await (await page.request.get('/api/auth/session')).json()) as { csrfToken?: string };
    const headers = { origin: rig.origin, 'x-csrf-token': session.csrfToken ?? '' };
    const branded = await page.request.patch('/api/organization', {
      headers,
      data: { brandColor: BRAND_COLOR },
    });
    expect(branded.status()).toBe(200);
    const logo = await page.request.put('/api/organization/logo', {
      headers: { ...headers, 'content-type': 'image/png' },
      data: LOGO_PNG,
    });
    expect(logo.status()).toBe(200);
  });

  it('the admin writes the guidance in three languages, the Arabic fields right to left', async () => {
    await page.goto(incidentPath);
    const section = page.getByTestId('guidance');
    await section.waitFor();
    for (const locale of ['en', 'cs', 'ar'] as const) {
      await section.getByTestId(`guidance-language-${locale}`).click();
      for (const part of ['happened', 'done', 'advice'] as const) {
        const field = section.getByLabel(t('en', `app.guidance.part.${part}`));
        expect(await field.getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
        await field.fill(guidance[locale][part]);
      }
    }
    await section.screenshot({ path: path.join(SCREENSHOTS, 'lookup-guidance-editing-ar.png') });
    await section.getByRole('button', { name: t('en', 'app.guidance.save') }).click();
    await section.getByTestId('guidance-status').getByText(t('en', 'app.guidance.status.waiting')).waitFor();
    // The author may not approve (the admin has no legal role either): no approve button here.
    expect(await section.getByTestId('guidance-approve').count()).toBe(0);
  });

  it('the lawyer approves the version and publishes the page with a support link', async () => {
    await legalPage.goto(incidentPath);
    const section = legalPage.getByTestId('guidance');
    await section.getByTestId('guidance-approve').click();
    await section.getByTestId('guidance-status').getByText(t('en', 'app.guidance.status.approved')).waitFor();
    await section.getByLabel(t('en', 'app.guidance.supportUrl')).fill('mailto:help@lekarna.example');
    await section.getByTestId('lookup-publish').click();
    await section.getByText(t('en', 'app.guidance.page.open')).waitFor();
    publicLink = await section.getByTestId('lookup-link').inputValue();
    expect(publicLink).toMatch(new RegExp(`^${rig.origin}/affected/[A-Za-z0-9_-]{22,}$`));
    await legalPage.getByTestId('guidance').screenshot({
      path: path.join(SCREENSHOTS, 'lookup-guidance-published.png'),
    });
  });

  it('a customer opens the page in Arabic, right to left, and asks with their address', async () => {
    const visitor = (await rig.newPage({ locale: 'ar-SA' })).page;
    await visitor.goto(publicLink);
    await heading(visitor, t('ar', 'affected.title')).waitFor();
    expect(await visitor.evaluate('document.documentElement.dir')).toBe('rtl');
    expect(await visitor.getByTestId('affected-happened').textContent()).toBe(guidance.ar.happened);
    expect(await visitor.getByTestId('affected-advice').textContent()).toBe(guidance.ar.advice);
    await expectOrganizationBrand(visitor);
    // The name ends with its own full stop ("s.r.o."): it ends the sentence once, never "s.r.o..".
    expect(await visitor.getByTestId('affected-explain').textContent()).toBe(
      t('ar', 'affected.form.explain', { organization: admin.organizationName }),
    );
    expect(await visitor.getByTestId('affected-explain').textContent()).toContain(
      `${admin.organizationName} إن`,
    );
    await visitor.getByLabel(t('ar', 'affected.form.email')).fill(customerEmail);
    await visitor.getByRole('button', { name: t('ar', 'affected.form.submit') }).click();
    await visitor.getByTestId('affected-sent').waitFor();
    await visitor.screenshot({ path: path.join(SCREENSHOTS, 'lookup-public-ar.png'), fullPage: true });

    const mail = await rig.smtp.waitFor(customerEmail, 30_000);
    expect(mail.parsed.subject).toContain(admin.organizationName);
    const link = linkIn(mail, '/affected/[A-Za-z0-9_-]+/result');
    await visitor.goto(link);
    await visitor.getByTestId('affected-result').waitFor();
    const categories = await visitor
      .getByTestId('affected-categories')
      .getByRole('listitem')
      .allTextContents();
    expect(categories).toEqual([
      t('ar', 'incident.category.contact_details'),
      t('ar', 'incident.category.payment_card'),
    ]);
    expect(await visitor.getByTestId('affected-done').textContent()).toBe(guidance.ar.done);
    await expectOrganizationBrand(visitor);
    expect(await visitor.getByTestId('affected-support').getAttribute('href')).toBe(
      'mailto:help@lekarna.example',
    );
    // The token left the address bar; the link is used up.
    expect(visitor.url()).not.toContain('#token=');
    await visitor.screenshot({ path: path.join(SCREENSHOTS, 'lookup-result-ar.png'), fullPage: true });
    await visitor.goto('about:blank');
    await visitor.goto(link);
    await visitor.getByTestId('affected-expired').waitFor();
    // The browser reports the refused second use (410) on its console: that one is expected.
    const { consoleErrors } = rig.problems;
    const expected = consoleErrors.filter((e) => /\/result.*410|410.*\/result|status of 410/.test(e));
    expect(expected.length).toBeLessThanOrEqual(1);
    for (const e of expected) consoleErrors.splice(consoleErrors.indexOf(e), 1);
  });
});
