import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/platform/paths.js';
import { LOCALES, t } from '../../src/platform/i18n.js';
import { sensitive } from '../secrets.js';
import { SCREENSHOTS } from './browser.js';
import {
  apiPost,
  joinByInvitation,
  setUpOrganization,
  switchLanguage,
  useBrowserRig,
  type Founder,
  type Person,
} from './session.js';

/**
 * The trust center in a real browser against a real server: the admin sets up the public site;
 * a communications user writes the incident's public page and an update in English and Czech
 * (no Arabic), previews it in every language, and cannot approve what they wrote; a lawyer
 * approves it; it is published; a visitor with JavaScript off reads it in English, Czech and
 * Arabic (right to left, with the "translation pending" line), and axe finds nothing serious.
 */

const admin: Founder = {
  organizationName: 'Pekárna U Mlýna s.r.o.',
  displayName: 'Jana Správcová',
  email: sensitive('jana@pekarna.example'),
  password: sensitive<string>('a long and careful passphrase'),
};
// Communications, and a lawyer too: the one person who may approve but not what they wrote.
const writer: Person = {
  displayName: 'Tomáš Komunikace',
  email: sensitive('tomas@pekarna.example'),
  password: sensitive<string>('a third long and careful passphrase'),
};
const lawyer: Person = {
  displayName: 'Alena Právnička',
  email: sensitive('alena@pekarna.example'),
  password: sensitive<string>('another long and careful passphrase'),
};

const SLUG = 'pekarna-u-mlyna';
const pageTexts = {
  en: { title: 'Online orders exposed', summary: 'Someone read the order history of some customers.' },
  cs: {
    title: 'Únik online objednávek',
    summary: 'Někdo si přečetl historii objednávek některých zákazníků.',
  },
};
const updateTexts = {
  en: { message: 'We found how they got in and closed it.', actions: 'Change your password.' },
  cs: {
    message: 'Zjistili jsme, jak se dostali dovnitř, a cestu jsme uzavřeli.',
    actions: 'Změňte si heslo.',
  },
};

const AXE_SOURCE = readFileSync(path.join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const rig = useBrowserRig();
let page: Page;
let writerPage: Page;
let legalPage: Page;
let visitor: BrowserContext;
let incidentPath = '';
let incidentLink = '';

beforeAll(async () => {
  page = (await rig.newPage()).page;
  writerPage = (await rig.newPage({ timezoneId: 'Europe/Prague' })).page;
  legalPage = (await rig.newPage()).page;
});

afterAll(async () => {
  await visitor?.close();
});

const section = (p: Page) => p.getByTestId('trust-incident');
const update = (p: Page) => section(p).getByTestId('trust-update').first();
const stateOf = (p: Page, state: string) =>
  section(p).locator(`[data-testid="trust-update"][data-state="${state}"]`);

describe('trust center', () => {
  it('the admin sets up the public site in the organization settings', async () => {
    await setUpOrganization(rig, page, admin);
    await joinByInvitation(rig, page, writerPage, writer, ['communications', 'legal']);
    await joinByInvitation(rig, page, legalPage, lawyer, ['legal']);
    const declared = await apiPost(rig, page, '/api/incidents', {
      title: 'Order database read',
      type: 'data_breach',
      severity: 'SEV2',
      dataCategories: ['contact_details'],
    });
    expect(declared.status()).toBe(201);
    incidentPath = `/incidents/${((await declared.json()) as { id: string }).id}`;

    await page.goto('/organization');
    const site = page.getByTestId('trust-site');
    await site.waitFor();
    await site.getByLabel(t('en', 'app.trust.site.slug')).fill(SLUG);
    await site.getByLabel(t('en', 'app.trust.site.published')).check();
    expect(await site.getByLabel(t('en', 'app.trust.site.requireApproval')).isChecked()).toBe(true);
    await site.getByLabel(t('en', 'app.trust.site.supportUrl')).fill('https://help.pekarna.example/');
    await site.getByRole('button', { name: t('en', 'app.trust.site.save') }).click();
    await site.getByText(t('en', 'app.trust.site.saved')).waitFor();
    const address = site.getByTestId('trust-site-address').getByRole('link');
    expect(await address.getAttribute('href')).toBe(`${rig.origin}/trust/${SLUG}/`);
    await site.screenshot({ path: path.join(SCREENSHOTS, 'trust-admin-site-en.png') });
  });

  it('communications writes the page and an update in English and Czech, and previews it', async () => {
    await writerPage.goto(incidentPath);
    const trust = section(writerPage);
    await trust.waitFor();
    for (const locale of ['en', 'cs'] as const) {
      const fields = trust.getByTestId(`trust-page-${locale}`);
      await fields.getByLabel(t('en', 'app.trust.page.pageTitle')).fill(pageTexts[locale].title);
      await fields.getByLabel(t('en', 'app.trust.page.summary')).fill(pageTexts[locale].summary);
    }
    expect(
      await trust
        .getByTestId('trust-page-ar')
        .getByLabel(t('en', 'app.trust.page.pageTitle'))
        .getAttribute('dir'),
    ).toBe('rtl');
    await trust.getByTestId('trust-page-save').click();
    await trust.getByText(t('en', 'app.trust.page.saved')).waitFor();

    await trust.getByLabel(t('en', 'app.trust.update.status')).selectOption('identified');
    await trust.getByLabel(t('en', 'app.trust.update.nextUpdateBy')).fill('2030-05-01T14:30');
    for (const locale of ['en', 'cs'] as const) {
      const fields = trust.getByTestId(`trust-update-${locale}`);
      await fields.getByLabel(t('en', 'app.trust.update.message')).fill(updateTexts[locale].message);
      await fields
        .getByLabel(t('en', 'app.trust.update.customerActions'))
        .fill(locale === 'en' ? 'Change your password first.' : updateTexts[locale].actions);
    }
    await trust.getByTestId('trust-update-save').click();
    await update(writerPage).waitFor();
    expect(await update(writerPage).getAttribute('data-state')).toBe('draft');
    // The promise is read in the organization's zone (UTC here, the setup's default) as typed.
    expect(await update(writerPage).locator('time').last().getAttribute('datetime')).toMatch(/^2030-05-01T/);

    // A draft can still change: its words are the ones previewed, approved and published.
    await update(writerPage).getByTestId('trust-edit').click();
    const edit = update(writerPage).locator('.trust-update-edit');
    expect(await edit.getByLabel(t('en', 'app.trust.update.nextUpdateBy')).inputValue()).toBe(
      '2030-05-01T14:30',
    );
    const actions = edit
      .getByTestId(/^trust-edit-.*-en$/)
      .getByLabel(t('en', 'app.trust.update.customerActions'));
    expect(await actions.inputValue()).toBe('Change your password first.');
    await actions.fill(updateTexts.en.actions);
    await edit.getByRole('button', { name: t('en', 'app.trust.update.saveEdit') }).click();
    await edit.waitFor({ state: 'detached' });
    await update(writerPage).getByText(updateTexts.en.actions).waitFor();

    await update(writerPage).getByTestId('trust-preview-toggle').click();
    const en = writerPage.frameLocator('[data-testid="trust-preview-en"]');
    await en.getByText(updateTexts.en.message).waitFor();
    await en.getByText(updateTexts.en.actions).waitFor();
    const ar = writerPage.frameLocator('[data-testid="trust-preview-ar"]');
    expect(await ar.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await ar.locator('html').getAttribute('lang')).toBe('ar');
    await ar.getByText(t('ar', 'trust.site.pendingShort'), { exact: false }).first().waitFor();
    await writerPage
      .frameLocator('[data-testid="trust-preview-cs"]')
      .getByText(updateTexts.cs.message)
      .waitFor();
    await update(writerPage).screenshot({ path: path.join(SCREENSHOTS, 'trust-admin-preview.png') });
  });

  it("the author's approval is refused, clearly", async () => {
    const approve = update(writerPage).getByTestId('trust-approve');
    expect(await approve.isDisabled()).toBe(true);
    await update(writerPage).getByText(t('en', 'app.trust.update.authorCannotApprove')).waitFor();
    const view = (await (await writerPage.request.get(`/api${incidentPath}/trust`)).json()) as {
      updates: { id: string }[];
    };
    const refused = await apiPost(rig, writerPage, `/api/trust/updates/${view.updates[0]!.id}/approve`, {});
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('author_cannot_approve');
    // Publishing before approval is not offered.
    expect(await update(writerPage).getByTestId('trust-publish').isDisabled()).toBe(true);
  });

  it('a lawyer approves; communications publishes after confirming what goes public', async () => {
    await legalPage.goto(incidentPath);
    await update(legalPage).getByTestId('trust-approve').click();
    await stateOf(legalPage, 'approved').waitFor();

    await writerPage.reload();
    await stateOf(writerPage, 'approved').waitFor();
    await update(writerPage).getByTestId('trust-publish').click();
    const question = update(writerPage).getByTestId('trust-publish-question');
    const text = (await question.textContent()) ?? '';
    expect(text).toContain(`${rig.origin}/trust/${SLUG}/`);
    expect(text).toContain('English');
    expect(text).toContain('Czech');
    expect(text).toContain(t('en', 'app.trust.publish.pending', { languages: 'Arabic' }));
    await update(writerPage).getByTestId('trust-publish-confirm').click();
    await stateOf(writerPage, 'published').waitFor();
  });

  it('the admin screens read in English, Czech and Arabic', async () => {
    for (const locale of LOCALES) {
      await switchLanguage(writerPage, locale);
      const card = writerPage.locator('section.card', { has: section(writerPage) });
      await card.getByRole('heading', { level: 2, name: t(locale, 'app.trust.incident.title') }).waitFor();
      await card.screenshot({ path: path.join(SCREENSHOTS, `trust-admin-${locale}.png`) });
    }
    await switchLanguage(writerPage, 'en');
  });

  it('a visitor reads it without JavaScript, in English, Czech and Arabic (right to left, translation pending)', async () => {
    visitor = await rig.browser.newContext({
      baseURL: rig.origin,
      javaScriptEnabled: false,
      locale: 'cs-CZ',
      viewport: { width: 1024, height: 800 },
    });
    const p = await visitor.newPage();
    // The site's address without a language follows the reader's.
    await p.goto(`/trust/${SLUG}/`);
    expect(new URL(p.url()).pathname).toBe(`/trust/${SLUG}/cs/`);
    for (const locale of LOCALES) {
      await p.goto(`/trust/${SLUG}/${locale}/`);
      expect(await p.locator('html').getAttribute('lang')).toBe(locale);
      expect(await p.locator('html').getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
      const title = locale === 'cs' ? pageTexts.cs.title : pageTexts.en.title;
      const link = p.getByRole('link', { name: title });
      await link.waitFor();
      await p.screenshot({ path: path.join(SCREENSHOTS, `trust-public-home-${locale}.png`), fullPage: true });
      await link.click();
      await p.waitForURL(/\/incidents\//);
      incidentLink = new URL(p.url()).pathname.replace(`/${locale}/`, '/{locale}/');
      const body = (await p.locator('body').textContent()) ?? '';
      if (locale === 'ar') {
        expect(body).toContain(t('ar', 'trust.site.pending', { language: 'en' }));
        expect(body).toContain(updateTexts.en.message);
      } else {
        expect(body).toContain(updateTexts[locale].message);
        expect(body).toContain(updateTexts[locale].actions);
        expect(body).not.toContain(t(locale, 'trust.site.pendingShort'));
      }
      expect(body).toContain(t(locale, 'trust.site.status.identified'));
      await p.screenshot({
        path: path.join(SCREENSHOTS, `trust-public-incident-${locale}.png`),
        fullPage: true,
      });
    }
    expect(await p.locator('script').count()).toBe(0);
  });

  it('axe-core finds no serious or critical violation on the public pages', async () => {
    const { page: p } = await rig.newPage();
    const findings: string[] = [];
    for (const locale of LOCALES) {
      for (const address of [`/trust/${SLUG}/${locale}/`, incidentLink.replace('{locale}', locale)]) {
        await p.goto(address);
        await p.locator('h1').first().waitFor();
        if (!(await p.evaluate('typeof window.axe === "object"'))) await p.evaluate(AXE_SOURCE);
        const violations = (await p.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
          r.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', targets: v.nodes.map((n) => n.target.join(' ')) })))`)) as {
          id: string;
          impact: string;
          targets: string[];
        }[];
        for (const v of violations)
          if (v.impact === 'serious' || v.impact === 'critical')
            findings.push(`${address}: ${v.id} (${v.impact}) ${v.targets.join(', ')}`);
      }
    }
    expect(findings).toEqual([]);
  });
});
