import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { t, type Locale, type MessageKey } from '../../src/platform/i18n.js';
import { freshTotpCode } from '../factories.js';
import { leaksIn, sensitive } from '../secrets.js';
import { linkIn } from '../smtp.js';
import { SCREENSHOTS, startRig, type BrowserRig } from './browser.js';

/**
 * The steps the browser tests share: one rig a file, the first-time setup through the one-time
 * link, joining by invitation, TOTP enrolment, a call from a page's session. Each step drives the
 * real UI as a person would; the tests keep what they check.
 */

export interface Person {
  displayName: string;
  email: string;
  password: string;
}

/** The first admin, who creates the organization. */
export interface Founder extends Person {
  organizationName: string;
}

/**
 * Starts the file's rig before its tests and stops it after them, checking that no personal
 * value typed in the browser reached the server's output; after each test, that no page had a
 * CSP violation or a console error. The rig's members are there once the tests run.
 */
export function useBrowserRig(
  options: { leakCheck?: 'stdout' | 'stdout and stderr'; env?: Record<string, string> } = {},
): BrowserRig {
  const rig = {} as BrowserRig;
  let started = false;
  beforeAll(async () => {
    Object.assign(rig, await startRig({ env: options.env }));
    started = true;
  });
  afterAll(async () => {
    if (!started) return;
    await rig.close();
    const output =
      options.leakCheck === 'stdout and stderr' ? rig.server.stdout + rig.server.stderr : rig.server.stdout;
    expect(leaksIn(output)).toEqual([]);
  });
  afterEach(() => {
    if (!started) return;
    const { violations, consoleErrors } = rig.problems;
    const found = { violations: [...violations], consoleErrors: [...consoleErrors] };
    violations.length = 0;
    consoleErrors.length = 0;
    expect(found).toEqual({ violations: [], consoleErrors: [] });
  });
  return rig;
}

export const heading = (p: Page, name: string) => p.getByRole('heading', { level: 1, name });

export async function screenshot(p: Page, name: string) {
  await p.evaluate('window.scrollTo(0, 0)');
  await p.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Picks the interface language and waits until the navigation's `navLink` reads in it. */
export async function switchLanguage(p: Page, locale: Locale, navLink: MessageKey = 'app.nav.incidents') {
  await p.getByTestId('language').selectOption(locale);
  await p
    .getByRole('navigation')
    .getByRole('link', { name: t(locale, navLink) })
    .waitFor();
}

/** A call from the page's session, as the app makes it: own origin, the session's CSRF token. */
export async function apiPost(rig: BrowserRig, p: Page, url: string, data: unknown) {
  const session = (await (await p.request.get('/api/auth/session')).json()) as { csrfToken?: string };
  return p.request.post(url, {
    headers: { origin: rig.origin, 'x-csrf-token': session.csrfToken ?? '' },
    data,
  });
}

/** The screens of the enrolment, for a test that looks at each one. */
export type EnrolmentScreen = 'methods' | 'totp' | 'recovery-codes';

/**
 * Enrols an authenticator app from the enrolment page and leaves it with the recovery codes
 * saved; `at` is called on each screen before the enrolment moves on from it.
 */
export async function enrolTotp(
  p: Page,
  options: { locale?: Locale; at?: (screen: EnrolmentScreen) => Promise<void> } = {},
) {
  const { locale = 'en', at = async () => undefined } = options;
  await heading(p, t(locale, 'app.enroll.title')).waitFor();
  await at('methods');
  await p.getByRole('button', { name: t(locale, 'app.enroll.totp') }).click();
  await p.getByRole('button', { name: t(locale, 'app.totp.start') }).click();
  const secret = sensitive(((await p.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, ''));
  await at('totp');
  await p.getByLabel(t(locale, 'app.totp.code')).fill(freshTotpCode(secret));
  await p.getByRole('button', { name: t(locale, 'app.totp.confirm') }).click();
  await p.getByTestId('recovery-codes').waitFor();
  const recoveryCodes = await p.getByTestId('recovery-codes').locator('li code').allTextContents();
  await at('recovery-codes');
  await p.getByRole('button', { name: t(locale, 'app.recovery.saved') }).click();
  return { secret, recoveryCodes };
}

/** Fills the first-time setup form (already open) with the founder's details and sends it. */
export async function submitSetupForm(p: Page, founder: Founder) {
  await p.getByLabel(t('en', 'app.field.organizationName')).fill(founder.organizationName);
  await p.getByLabel(t('en', 'app.field.displayName')).fill(founder.displayName);
  await p.getByLabel(t('en', 'app.field.email')).fill(founder.email);
  await p.getByLabel(t('en', 'app.field.password'), { exact: true }).fill(founder.password);
  await p.getByLabel(t('en', 'app.field.confirmPassword')).fill(founder.password);
  await p.getByRole('button', { name: t('en', 'app.setup.submit') }).click();
}

/**
 * The first-time setup through the one-time link the server printed: the founder creates the
 * organization, enrols an authenticator app and lands on the overview.
 */
export async function setUpOrganization(rig: BrowserRig, p: Page, founder: Founder) {
  await p.goto(rig.setupLink);
  await heading(p, 'Set up Candor').waitFor();
  await submitSetupForm(p, founder);
  const enrolled = await enrolTotp(p);
  await heading(p, 'Overview').waitFor();
  return enrolled;
}

/** Fills the invitation's form (already open) with the invitee's name and password and sends it. */
export async function submitInvitationForm(p: Page, who: Omit<Person, 'email'>, locale: Locale = 'en') {
  await p.getByLabel(t(locale, 'app.field.displayName')).fill(who.displayName);
  await p.getByLabel(t(locale, 'app.field.password'), { exact: true }).fill(who.password);
  await p.getByLabel(t(locale, 'app.field.confirmPassword')).fill(who.password);
  await p.getByRole('button', { name: t(locale, 'app.invitation.accept') }).click();
}

/**
 * The admin (signed in on `adminPage`) invites the person with these roles; the person opens the
 * e-mailed link on `theirPage`, creates their account, enrols and lands on the overview.
 */
export async function joinByInvitation(
  rig: BrowserRig,
  adminPage: Page,
  theirPage: Page,
  who: Person,
  roles: string[],
) {
  const invited = await apiPost(rig, adminPage, '/api/invitations', { email: who.email, roles });
  expect(invited.status()).toBe(201);
  const mail = await rig.smtp.waitFor(who.email);
  await theirPage.goto(linkIn(mail, '/accept-invitation'));
  await submitInvitationForm(theirPage, who);
  await enrolTotp(theirPage);
  await heading(theirPage, 'Overview').waitFor();
}
