import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/platform/i18n.js';
import { sensitive } from '../secrets.js';
import { SCREENSHOTS } from './browser.js';
import { heading, setUpOrganization, useBrowserRig, type Founder } from './session.js';

/**
 * E-mail for notices in a real browser against a real server: the admin saves the From address
 * and a DKIM selector, and the page shows the DKIM TXT record exactly as the API gives it (the
 * record the channel's signatures verify against in channel-email.db.test.ts), split into
 * strings of at most 255 characters, with SPF and DMARC guidance; the suppression list finds
 * no entry for an address.
 */

const admin: Founder = {
  organizationName: 'Obchod Example s.r.o.',
  displayName: 'Eva Správcová',
  email: sensitive('eva@obchod.example'),
  password: sensitive<string>('a long and careful passphrase'),
};

const rig = useBrowserRig();
let page: Page;

beforeAll(async () => {
  page = (await rig.newPage()).page;
});

describe('E-mail for notices', () => {
  it('shows the exact DKIM record after the From address and selector are saved', async () => {
    await setUpOrganization(rig, page, admin);

    await page.getByRole('link', { name: t('en', 'app.nav.emailSettings') }).click();
    await heading(page, t('en', 'app.emailSettings.title')).waitFor();
    await page.getByLabel(t('en', 'app.emailSettings.fromAddress')).fill('notices@obchod.example');
    await page.getByLabel(t('en', 'app.emailSettings.fromName')).fill('Obchod Example');
    await page.getByLabel(t('en', 'app.emailSettings.selector')).fill('candor2026');
    await page.getByRole('button', { name: t('en', 'app.emailSettings.save') }).click();

    const dkim = page.getByTestId('dns-dkim');
    await dkim.waitFor();
    const api = (await (await page.request.get('/api/email-settings')).json()) as {
      dns: { dkim: { name: string; value: string; strings: string[] } };
    };
    expect(api.dns.dkim.name).toBe('candor2026._domainkey.obchod.example');
    expect(await dkim.locator('.dns-name').textContent()).toBe(api.dns.dkim.name);
    expect(await dkim.locator('.dns-value').textContent()).toBe(api.dns.dkim.value);
    expect(await dkim.locator('.dns-zone').textContent()).toBe(
      `${api.dns.dkim.name}. IN TXT ${api.dns.dkim.strings.map((s) => `"${s}"`).join(' ')}`,
    );
    expect(api.dns.dkim.strings.every((s) => s.length <= 255)).toBe(true);
    expect(await page.getByTestId('dkim-aligned').textContent()).toContain('d=obchod.example');
    expect(await page.getByTestId('dns-spf').locator('.dns-value').textContent()).toMatch(/^v=spf1 /);
    expect(await page.getByTestId('dns-dmarc').locator('.dns-name').textContent()).toBe(
      '_dmarc.obchod.example',
    );

    await page
      .getByLabel(t('en', 'app.emailSettings.suppressions.address'), { exact: true })
      .fill('nobody@example.org');
    await page.getByRole('button', { name: t('en', 'app.emailSettings.suppressions.find') }).click();
    await page.getByTestId('suppression-not-found').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'email-settings-en.png'), fullPage: true });
  });
});
