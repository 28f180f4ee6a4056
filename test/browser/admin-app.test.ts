import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t, type Locale } from '../../src/platform/i18n.js';
import { freshTotpCode } from '../factories.js';
import { sensitive } from '../secrets.js';
import { linkIn } from '../smtp.js';
import { addVirtualAuthenticator } from './browser.js';
import {
  enrolTotp,
  heading,
  screenshot,
  submitInvitationForm,
  submitSetupForm,
  useBrowserRig,
  type EnrolmentScreen,
} from './session.js';

/**
 * The admin web app in a real browser against a real server: first-time
 * setup, second factors, password reset by e-mail, invitations, languages.
 * The tests run in order and share the admin's browser session.
 */

const admin = {
  organizationName: 'Acme Trust & Safety',
  displayName: 'Alice Admin',
  email: sensitive('alice@acme.example'),
  password: sensitive<string>('correct horse battery staple'),
  totpSecret: '',
  recoveryCodes: [] as string[],
};

// Passwords, e-mail addresses, TOTP secrets and tokens typed in the browser never reach a log line.
const rig = useBrowserRig();
let page: Page;

beforeAll(async () => {
  const opened = await rig.newPage();
  page = opened.page;
  await addVirtualAuthenticator(opened.context, page);
});

/** Polls from the test (a page-side waitForFunction would need eval, which the CSP forbids). */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function signedInAs(p: Page, organizationName: string) {
  await p.getByTestId('organization-name').filter({ hasText: organizationName }).waitFor();
}

async function signOut(p: Page) {
  await p.locator('.user-menu summary').click();
  await p.getByRole('button', { name: 'Sign out', exact: true }).click();
  await heading(p, 'Sign in to Candor').waitFor();
}

/** Looks at each screen of an enrolment in `locale`: the QR code, the secret, ten recovery codes. */
function inspectEnrolment(p: Page, locale: Locale) {
  return async (screen: EnrolmentScreen) => {
    if (screen === 'methods') await screenshot(p, `enroll-${locale}`);
    if (screen === 'totp') {
      const qr = p.getByRole('img', { name: t(locale, 'app.totp.qrAlt') });
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      const secret = ((await p.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await screenshot(p, `enroll-totp-${locale}`);
    }
    if (screen === 'recovery-codes') {
      const recoveryCodes = await p.getByTestId('recovery-codes').locator('li code').allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      await screenshot(p, `recovery-codes-${locale}`);
    }
  };
}

describe('admin web app', () => {
  it('sets up the organization through the printed link and enrols an authenticator app', async () => {
    await page.goto(rig.setupLink);
    await heading(page, 'Set up Candor').waitFor();
    // The one-time token leaves the address bar as soon as the page has read it.
    await page.waitForURL((url) => url.pathname === '/setup' && url.hash === '');
    await submitSetupForm(page, admin);

    const enrolled = await enrolTotp(page, { at: inspectEnrolment(page, 'en') });
    admin.totpSecret = enrolled.secret;
    admin.recoveryCodes = enrolled.recoveryCodes;
    await signedInAs(page, admin.organizationName);
    await heading(page, 'Overview').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    for (const link of ['Overview', 'Audit log', 'Users', 'API tokens', 'Organization', 'Your account']) {
      await page.getByRole('navigation').getByRole('link', { name: link }).waitFor();
    }
  });

  it('signs out, and signs in again with the password and an authenticator code', async () => {
    await signOut(page);
    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, 'Confirm it is you').waitFor();
    await screenshot(page, 'mfa-en');
    await page.getByLabel('Code from your authenticator app').fill(freshTotpCode(admin.totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, admin.organizationName);
  });

  it('shows the app in English, Czech and Arabic, with the navigation on the right in Arabic', async () => {
    await heading(page, 'Overview').waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
    await screenshot(page, 'app-en');

    await page.getByTestId('language').selectOption('cs');
    await heading(page, 'Přehled').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('cs');
    await screenshot(page, 'app-cs');

    await page.getByTestId('language').selectOption('ar');
    await heading(page, 'نظرة عامة').waitFor();
    const html = page.locator('html');
    expect(await html.getAttribute('dir')).toBe('rtl');
    expect(await html.getAttribute('lang')).toBe('ar');
    const nav = (await page.getByRole('navigation').boundingBox())!;
    const main = (await page.getByRole('main').boundingBox())!;
    expect(nav.x).toBeGreaterThan(main.x);
    expect(nav.x).toBeGreaterThanOrEqual(main.x + main.width - 1);
    await screenshot(page, 'app-ar');

    // The choice is saved on the account: a reload keeps it.
    await page.reload();
    await heading(page, 'نظرة عامة').waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'المستخدمون' }).click();
    await heading(page, 'المستخدمون').waitFor();
    await screenshot(page, 'users-ar');

    await page.getByTestId('language').selectOption('en');
    await heading(page, 'Users').waitFor();
    expect(await html.getAttribute('dir')).toBe('ltr');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'users-narrow-en');
    await page.setViewportSize({ width: 1280, height: 860 });

    // Before sign-in the language follows the browser's.
    const { page: visitor } = await rig.newPage({ locale: 'ar' });
    await visitor.goto('/sign-in');
    await heading(visitor, 'تسجيل الدخول إلى Candor').waitFor();
    expect(await visitor.locator('html').getAttribute('dir')).toBe('rtl');
    await screenshot(visitor, 'sign-in-ar');
    await visitor.close();
  });

  it('registers a passkey and signs in with it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Your account' }).click();
    await heading(page, 'Your account').waitFor();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByLabel('Name of this passkey').fill('Work laptop');
    await page.getByRole('button', { name: 'Create passkey' }).click();
    await page.getByTestId('passkey').filter({ hasText: 'Work laptop' }).waitFor();
    await screenshot(page, 'account-en');

    await signOut(page);
    await screenshot(page, 'sign-in-en');
    await page.getByTestId('passkey-sign-in').click();
    await signedInAs(page, admin.organizationName);
    await heading(page, 'Overview').waitFor();
  });

  it('asks for the password again when the server wants a recent proof before a factor change', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Your account' }).click();
    await heading(page, 'Your account').waitFor();
    // The browser cannot wait out the server's five minutes: its first answer stands in for that
    // (account-security.db.test.ts shows the server giving it); everything after it is real.
    await page.route(
      '**/api/me/mfa/recovery-codes',
      (route) =>
        route.fulfill({
          status: 403,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'reauthentication_required',
              message: t('en', 'error.reauthentication_required'),
              requestId: 'browser-test',
            },
          }),
        }),
      { times: 1 },
    );
    await page.getByRole('button', { name: 'Generate new codes' }).click();
    await page.getByRole('button', { name: 'Generate new codes' }).click();
    const prompt = page.getByTestId('reauthenticate');
    await prompt.getByRole('heading', { name: t('en', 'app.account.reauth.title') }).waitFor();
    await screenshot(page, 'reauthenticate-en');
    await prompt.getByLabel('Password', { exact: true }).fill('not the password at all');
    await prompt.getByRole('button', { name: t('en', 'app.account.reauth.submit') }).click();
    await prompt.getByText(t('en', 'error.invalid_credentials')).waitFor();
    await prompt.getByLabel('Password', { exact: true }).fill(admin.password);
    await prompt.getByRole('button', { name: t('en', 'app.account.reauth.submit') }).click();
    await page.getByTestId('recovery-codes').waitFor();
    expect(await prompt.count()).toBe(0);
    admin.recoveryCodes = await page.getByTestId('recovery-codes').locator('li code').allTextContents();
    expect(admin.recoveryCodes).toHaveLength(10);
    await page.getByRole('button', { name: t('en', 'app.recovery.saved') }).click();

    // The browser reports the two refused requests itself; those lines are expected.
    const refused = rig.problems.consoleErrors.splice(0);
    expect(refused).toEqual([expect.stringMatching(/status of 403/), expect.stringMatching(/status of 401/)]);
  });

  it('resets a forgotten password through the e-mailed link, then signs in with a recovery code', async () => {
    await signOut(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await heading(page, 'Reset your password').waitFor();
    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('a link is on its way').waitFor();

    const mail = await rig.smtp.waitFor(admin.email);
    expect(mail.parsed.subject).toBe('Reset your Candor password');
    await page.goto(linkIn(mail, '/reset-password'));
    await heading(page, 'Choose a new password').waitFor();
    admin.password = sensitive('a brand new passphrase, nobody guesses');
    await page.getByLabel('New password').fill(admin.password);
    await page.getByLabel('Repeat the password').fill(admin.password);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password was changed.').waitFor();
    await page.getByRole('link', { name: 'Go to sign-in' }).click();

    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading(page, 'Confirm it is you').waitFor();
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(admin.recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await signedInAs(page, admin.organizationName);
  });

  it('invites a person who accepts the invitation, enrols and sees only what their roles allow', async () => {
    const invitee = {
      email: sensitive('ivan@acme.example'),
      password: sensitive('a long passphrase for the new hire'),
    };
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
    await heading(page, 'Users').waitFor();
    await page.getByLabel('E-mail address').fill(invitee.email);
    await page.getByRole('checkbox', { name: 'Incident manager' }).check();
    await page.getByLabel('Language of the invitation').selectOption('cs');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${invitee.email}.`).waitFor();
    await page.getByTestId(`invitation-${invitee.email}`).waitFor();

    // The invitee reads Czech: the e-mail in the language chosen for it, the app in the browser's.
    const mail = await rig.smtp.waitFor(invitee.email);
    expect(mail.parsed.subject).toBe(
      t('cs', 'mail.invitation.subject', { organization: admin.organizationName }),
    );
    const { page: theirs } = await rig.newPage({ locale: 'cs-CZ' });
    await theirs.goto(linkIn(mail, '/accept-invitation'));
    await heading(theirs, 'Připojte se ke svému týmu v Candoru').waitFor();
    expect(await theirs.locator('html').getAttribute('lang')).toBe('cs');
    expect(await theirs.getByTestId('invited-email').textContent()).toBe(invitee.email);
    await theirs.getByText('Jste zváni do organizace Acme Trust & Safety.').waitFor();
    await screenshot(theirs, 'invitation-cs');
    await submitInvitationForm(theirs, { displayName: 'Ivan Incident', password: invitee.password }, 'cs');
    await enrolTotp(theirs, { locale: 'cs', at: inspectEnrolment(theirs, 'cs') });
    await signedInAs(theirs, admin.organizationName);
    const nav = theirs.getByRole('navigation');
    await nav.getByRole('link', { name: 'Auditní záznam' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Uživatelé' }).count()).toBe(0);
    await theirs.goto('/users');
    await heading(theirs, 'Pro vás nedostupné').waitFor();

    await page.reload();
    const row = page.getByTestId(`user-${invitee.email}`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Incident manager');
    expect(await page.getByTestId(`invitation-${invitee.email}`).count()).toBe(0);
  });

  it('creates an API token shown once, lists and revokes it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'API tokens' }).click();
    await heading(page, 'API tokens').waitFor();
    await page.getByLabel('Name').fill('SIEM export');
    await page.getByRole('checkbox', { name: 'Read the audit log' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = sensitive((await page.getByTestId('new-token').textContent()) ?? '');
    expect(token).toMatch(/^cnd_/);
    await screenshot(page, 'tokens-en');
    const listed = page.getByTestId('token-SIEM export');
    await listed.waitFor();
    expect(await listed.textContent()).not.toContain(token);

    const response = await page.request.get('/api/audit?limit=1', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status()).toBe(200);

    await listed.getByRole('button', { name: 'Revoke' }).click();
    await listed.getByRole('button', { name: 'Revoke' }).click();
    await listed.getByText('Revoked').waitFor();
  });

  it('lists, filters and exports the audit log', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await heading(page, 'Audit log').waitFor();
    const actions = page.locator('.table-audit tbody td:nth-child(2) code');
    await actions.first().waitFor();
    expect(await actions.allTextContents()).toContain('organization.created');

    await page.getByLabel('Action').fill('invitation.');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await until(async () => (await actions.allTextContents()).every((a) => a.startsWith('invitation.')));
    expect(await actions.allTextContents()).toEqual(['invitation.created']);
    await page.getByRole('button', { name: 'Details' }).first().click();
    await page.getByText('Chain hash').waitFor();
    await screenshot(page, 'audit-en');

    // The pages the "load older events" button walks through: limit and before arrive as query text.
    const first = await page.request.get('/api/audit?limit=2');
    const firstPage = (await first.json()) as { events: { seq: number }[]; nextBefore: number };
    expect(firstPage.events).toHaveLength(2);
    const older = await page.request.get(`/api/audit?limit=2&before=${firstPage.nextBefore}`);
    const olderPage = (await older.json()) as { events: { seq: number }[] };
    expect(olderPage.events.map((e) => e.seq)).toEqual([firstPage.nextBefore - 1, firstPage.nextBefore - 2]);

    const href = await page.getByTestId('audit-export').getAttribute('href');
    expect(href).toBe('/api/audit/export?action=invitation.');
    const exported = await page.request.get(href!);
    expect(exported.status()).toBe(200);
    const lines = (await exported.text()).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { action: string }).action)).toEqual([
      'invitation.created',
    ]);
  });

  it('changes the organization settings', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Organization' }).click();
    await heading(page, 'Organization').waitFor();
    await page.getByLabel('Organization name').fill('Acme Security');
    // The support contact notices name: a number as people write it is kept in E.164.
    await page.getByLabel('Support e-mail').fill('help@acme.example');
    await page.getByLabel('Support phone').fill('601 234 567');
    await page.getByText('Write the number in international format').waitFor();
    expect(await page.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);
    await page.getByLabel('Support phone').fill('+420 601 234 567');
    await page.getByLabel('Opening hours – English').fill('Mon–Fri 9–17');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Settings saved.').waitFor();
    await signedInAs(page, 'Acme Security');
    await page.reload();
    await heading(page, 'Organization').waitFor();
    await page.getByLabel('Support phone').waitFor();
    expect(await page.getByLabel('Support phone').inputValue()).toBe('+420601234567');
    expect(await page.getByLabel('Support e-mail').inputValue()).toBe('help@acme.example');
    expect(await page.getByLabel('Opening hours – English').inputValue()).toBe('Mon–Fri 9–17');
  });

  it('shows an API error as the server worded it in the interface language, with its request id', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Your account' }).click();
    await page.getByTestId('language').selectOption('cs');
    await heading(page, 'Váš účet').waitFor();
    await page.getByLabel('Současné heslo').fill('not the password at all');
    await page.getByLabel('Nové heslo').fill('another long passphrase here');
    await page.getByLabel('Zopakujte heslo').fill('another long passphrase here');
    await page.getByRole('button', { name: 'Změnit heslo' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(t('cs', 'error.invalid_credentials')).waitFor();
    expect(await alert.textContent()).toMatch(/ID požadavku: [0-9a-f-]{36}/);
    await page.getByTestId('language').selectOption('en');
    await heading(page, 'Your account').waitFor();

    // The browser reports the refused request itself; that one line is expected.
    const refused = rig.problems.consoleErrors.splice(0);
    expect(refused).toEqual([expect.stringMatching(/status of 401/)]);
  });

  it('opens the sign-in page with only its own script and one language, compressed and cached', async () => {
    const { context, page: fresh } = await rig.newPage({ locale: 'cs-CZ' });
    const scripts: string[] = [];
    fresh.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await fresh.goto(`${rig.origin}/sign-in`);
    await heading(fresh, t('cs', 'app.signIn.title')).waitFor();
    const names = scripts.map((script) => script.replace(/^\/assets\/|-[\w-]{8}\.js$/g, ''));
    // The entry, the Czech catalog, nothing of the pages behind the sign-in.
    expect(names).toContain('index');
    expect(names.filter((name) => ['en', 'cs', 'ar'].includes(name))).toEqual(['cs']);
    expect(names.filter((name) => /page|shell/.test(name))).toEqual([]);

    const entry = scripts.find((script) => script.startsWith('/assets/index-'))!;
    const asset = await fresh.request.get(`${rig.origin}${entry}`, { headers: { 'accept-encoding': 'br' } });
    expect(asset.headers()['content-encoding']).toBe('br');
    expect(asset.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    const shell = await fresh.request.get(`${rig.origin}/sign-in`);
    expect(shell.headers()['cache-control']).toBe('no-cache');
    await context.close();
  });
});
