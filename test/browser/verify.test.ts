import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { t } from '../../src/platform/i18n.js';
import { SCREENSHOTS } from './browser.js';
import { useBrowserRig } from './session.js';

/**
 * The public /verify page in a real browser against a real server: a recipient of a suspicious
 * message opens the link it gave (code in the fragment or the query), in Arabic (right to left)
 * and in Czech, and is told the code is not ours, with advice on phishing; a mistyped code gets
 * the expected form. A genuine code's answer is covered by src/modules/notices/verify.db.test.ts
 * through the same API (the server here keeps its embedded database to itself).
 */

// Each test ends with no console error and no CSP violation: a guessed code is answered 200 "unknown".
const rig = useBrowserRig();

describe('/verify', () => {
  it('in Arabic, right to left: a code from the link is prefilled, and a guessed one is not ours', async () => {
    const { page } = await rig.newPage({ locale: 'ar-SA' });
    await page.goto('/verify#code=k7qf-2m9x-d4ta');
    await page.getByRole('heading', { level: 1, name: t('ar', 'verify.title') }).waitFor();
    expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
    expect(await page.evaluate('document.documentElement.lang')).toBe('ar');
    const field = page.getByLabel(t('ar', 'verify.code'));
    expect(await field.inputValue()).toBe('k7qf-2m9x-d4ta');
    // The code is Latin letters and digits: it stays left to right inside the Arabic page.
    expect(await field.getAttribute('dir')).toBe('ltr');
    await page.getByRole('button', { name: t('ar', 'verify.submit') }).click();
    const warning = page.getByTestId('verify-unknown');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(t('ar', 'verify.unknown.title'));
    const advice = await page.getByTestId('verify-advice').getByRole('listitem').allTextContents();
    expect(advice).toEqual([
      t('ar', 'verify.advice.links'),
      t('ar', 'verify.advice.secrets'),
      t('ar', 'verify.advice.contact'),
      t('ar', 'verify.advice.report'),
    ]);
    // Right to left for real: the advice's list starts at the right edge of the card.
    const box = await page.getByTestId('verify-advice').locator('li').first().boundingBox();
    const card = await page.locator('.auth-card').boundingBox();
    expect(box!.x + box!.width).toBeGreaterThan(card!.x + card!.width / 2);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'verify-unknown-ar.png'), fullPage: true });
  });

  it('in Czech, from ?code=: a mistyped code is told the expected form, then a guess is warned about', async () => {
    const { page } = await rig.newPage({ locale: 'cs-CZ' });
    await page.goto('/verify?code=K7QF-2M9X');
    await page.getByRole('heading', { level: 1, name: t('cs', 'verify.title') }).waitFor();
    expect(await page.evaluate('document.documentElement.dir')).toBe('ltr');
    const field = page.getByLabel(t('cs', 'verify.code'));
    expect(await field.inputValue()).toBe('K7QF-2M9X');
    await page.getByRole('button', { name: t('cs', 'verify.submit') }).click();
    await page.getByTestId('verify-malformed').waitFor();
    expect(await page.getByTestId('verify-malformed').textContent()).toBe(t('cs', 'verify.codeHint'));
    // Typed loosely: lower case, spaces, O for zero; read as a code all the same.
    await field.fill('k7qf 2m9x d4to');
    await page.getByRole('button', { name: t('cs', 'verify.submit') }).click();
    await page.getByTestId('verify-unknown').waitFor();
    expect(await page.getByTestId('verify-malformed').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'verify-unknown-cs.png'), fullPage: true });
  });
});
