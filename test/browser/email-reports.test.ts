import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { t, type Locale } from '../../src/platform/i18n.js';
import { sensitive } from '../secrets.js';
import { SCREENSHOTS, type DomElement } from './browser.js';
import {
  apiPost,
  heading,
  joinByInvitation,
  screenshot,
  setUpOrganization,
  switchLanguage,
  useBrowserRig,
  type Founder,
  type Person,
} from './session.js';

/**
 * Bounces, complaints and the suppression list in a real browser against a real server: a breach
 * notice goes to two customers; the relay reports a bounce for one (suppressed for every notice)
 * and a complaint for the other (optional updates only), and two reports it cannot vouch for
 * (naming a third party's address; a return address with a made-up signature) are held. The admin
 * sees each suppression's scope, reads a held report as received (raw mail, left to right even in
 * Arabic) and marks the reports reviewed; the notice sent again (a new version) stops at the
 * bounced address and lists that customer with the channels on record to reach them another way.
 */

const webhookSecret = 'relay-secret-for-the-browser-test-0123';
const rig = useBrowserRig({ env: { CANDOR_BOUNCE_WEBHOOK_SECRET: webhookSecret } });

const admin: Founder = {
  organizationName: 'Knihkupectví Example s.r.o.',
  displayName: 'Jana Správcová',
  email: sensitive('jana@knihy.example'),
  password: sensitive<string>('a long and careful passphrase'),
};
const lawyer: Person = {
  displayName: 'Petr Právník',
  email: sensitive('petr@knihy.example'),
  password: sensitive<string>('another long careful passphrase'),
};
const bounced = { externalId: 'reader-0001', email: sensitive('gone.reader@example.org') };
const complained = { externalId: 'reader-0002', email: sensitive('annoyed.reader@example.org') };
const stranger = sensitive('someone.else@example.org');
// The viewer is far from the server's UTC: times on the page must be in the viewer's zone.
const TIME_ZONE = 'Asia/Tokyo';

let page: Page;
let lawyerPage: Page;
let incidentPath = '';
let noticeId = '';
const deliveries: Record<string, string> = {};
let bounceVerp = '';

async function api(p: Page, method: 'PUT' | 'POST', url: string, data: unknown) {
  if (method === 'POST') return apiPost(rig, p, url, data);
  const session = (await (await p.request.get('/api/auth/session')).json()) as { csrfToken?: string };
  return p.request.put(url, {
    headers: { origin: rig.origin, 'x-csrf-token': session.csrfToken ?? '' },
    data,
  });
}

interface Progress {
  status: string;
  totals: Record<string, number>;
}

async function sendAndWait(): Promise<{ id: string; progress: Progress }> {
  const sent = await api(page, 'POST', `/api/notices/${noticeId}/sends`, { channels: ['email'] });
  expect(sent.status(), await sent.text()).toBe(201);
  const { id } = (await sent.json()) as { id: string };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const progress = (await (await page.request.get(`/api/notice-sends/${id}/progress`)).json()) as Progress;
    if (progress.status === 'completed') return { id, progress };
    if (Date.now() > deadline) throw new Error(`send ${id} not completed: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const relay = (events: unknown[]) =>
  page.request.post('/api/bounces/events', {
    headers: { authorization: `Bearer ${webhookSecret}` },
    data: { events },
  });

const heldRow = (verdict: string) => page.locator(`[data-testid="held-report"][data-verdict="${verdict}"]`);

beforeAll(async () => {
  page = (await rig.newPage({ timezoneId: TIME_ZONE })).page;
  lawyerPage = (await rig.newPage()).page;
});

describe('bounces, complaints and the suppression list', () => {
  it('a breach notice, approved by a lawyer, goes to two customers', async () => {
    await setUpOrganization(rig, page, admin);
    await joinByInvitation(rig, page, lawyerPage, lawyer, ['legal']);
    const settings = await api(page, 'PUT', '/api/email-settings', {
      fromAddress: 'oznameni@knihy.example',
      dkimSelector: 'candor',
    });
    expect(settings.status()).toBe(200);
    const declared = await apiPost(rig, page, '/api/incidents', {
      title: 'Customer database copied',
      type: 'data_breach',
      severity: 'SEV2',
      dataCategories: ['contact_details'],
    });
    expect(declared.status()).toBe(201);
    incidentPath = `/incidents/${((await declared.json()) as { id: string }).id}`;
    // The bounced customer has a phone number on record too: another way to reach them.
    for (const [c, extra] of [
      [bounced, { phone: '+420601234567' }],
      [complained, {}],
    ] as const) {
      const created = await apiPost(rig, page, '/api/customers', {
        externalId: c.externalId,
        name: sensitive(`Reader ${c.externalId}`),
        email: c.email,
        language: 'cs',
        country: 'CZ',
        ...extra,
      });
      expect(created.status(), await created.text()).toBe(201);
    }
    const marked = await apiPost(rig, page, `/api${incidentPath}/affected-customers/by-list`, {
      rows: [bounced, complained].map((c) => ({ email: c.email, categories: ['contact_details'] })),
    });
    expect(marked.status()).toBe(200);
    const drafted = await apiPost(rig, page, `/api${incidentPath}/notices`, { kind: 'mandatory' });
    expect(drafted.status(), await drafted.text()).toBe(201);
    noticeId = ((await drafted.json()) as { id: string }).id;
    const approved = await apiPost(rig, lawyerPage, `/api/notices/${noticeId}/versions/1/approve`, {});
    expect(approved.status(), await approved.text()).toBe(200);

    const { id, progress } = await sendAndWait();
    expect(progress.totals.sent).toBe(2);
    const { recipients } = (await (await page.request.get(`/api/notice-sends/${id}/recipients`)).json()) as {
      recipients: { deliveryId: string; externalId: string }[];
    };
    for (const r of recipients) deliveries[r.externalId] = r.deliveryId;
    await rig.smtp.waitFor(complained.email);
    bounceVerp = (await rig.smtp.waitFor(bounced.email)).from;
    expect(bounceVerp).toMatch(/^bounces\+[0-9a-f]{32}\.[0-9a-f]{18}@/);
  });

  it('trusted reports suppress, with their scope shown; untrusted ones are held for review', async () => {
    const complaintVerp = (await rig.smtp.waitFor(complained.email)).from;
    const forged = bounceVerp.replace(/\.[0-9a-f]{18}@/, `.${'0'.repeat(18)}@`);
    const reported = await relay([
      {
        type: 'bounce',
        deliveryId: deliveries[bounced.externalId],
        status: '5.1.1',
        recipient: bounced.email,
      },
      { type: 'complaint', envelopeSender: complaintVerp, recipient: complained.email },
      // The relay names the complaining customer's delivery but someone else's address.
      { type: 'bounce', deliveryId: deliveries[complained.externalId], status: '5.1.1', recipient: stranger },
      { type: 'bounce', envelopeSender: forged, status: '5.1.1' },
    ]);
    expect(reported.status(), await reported.text()).toBe(200);
    expect(await reported.json()).toEqual({ outcomes: ['applied', 'applied', 'held', 'held'] });

    await page.getByRole('link', { name: t('en', 'app.nav.emailSettings') }).click();
    await heading(page, t('en', 'app.emailSettings.title')).waitFor();
    const scopes = page.getByTestId('suppression-scope');
    await scopes.first().waitFor();
    expect(
      (
        await scopes.evaluateAll((cells) =>
          cells.map((c) => (c as unknown as DomElement).getAttribute('data-scope')),
        )
      ).sort(),
    ).toEqual(['all', 'optional']);
    expect((await scopes.allTextContents()).sort()).toEqual(
      [t('en', 'app.emailSettings.scope.all'), t('en', 'app.emailSettings.scope.optional')].sort(),
    );

    const mismatch = heldRow('recipient_mismatch');
    await mismatch.waitFor();
    expect(await page.getByTestId('held-report').count()).toBe(2);
    expect(await mismatch.textContent()).toContain(
      t('en', 'app.emailSettings.reports.verdict.recipientMismatch'),
    );
    expect(await mismatch.textContent()).toContain(t('en', 'app.emailSettings.reports.kind.hard'));
    expect(await mismatch.getByTestId('held-report-addresses').textContent()).toBe(
      t('en', 'app.emailSettings.reports.addressCount', { recipients: 1, foreign: 1 }),
    );
    expect(await heldRow('bad_token').textContent()).toContain(
      t('en', 'app.emailSettings.reports.verdict.badToken'),
    );
    // In the viewer's zone, named, and the same instant the server recorded.
    const received = mismatch.getByTestId('held-report-received');
    expect(await received.textContent()).toContain('GMT+9');
    const at = (await received.getAttribute('datetime'))!;
    expect(await received.textContent()).toBe(
      await page.evaluate(
        (iso) =>
          new Intl.DateTimeFormat('en', {
            year: 'numeric',
            month: 'short',
            day: 'numeric',
            hour: 'numeric',
            minute: '2-digit',
            timeZone: 'Asia/Tokyo',
            timeZoneName: 'short',
          }).format(new Date(iso)),
        at,
      ),
    );

    // The report as received: the relay's event, naming the third party, always left to right.
    await mismatch.getByTestId('held-report-show').click();
    const message = page.getByTestId('held-report-message');
    await message.waitFor();
    expect(await message.getAttribute('dir')).toBe('ltr');
    expect(await message.textContent()).toContain(stranger);
    await screenshot(page, 'email-settings-reports-en');

    for (const locale of ['cs', 'ar'] as Locale[]) {
      await switchLanguage(page, locale, 'app.nav.emailSettings');
      await page.getByRole('heading', { level: 2, name: t(locale, 'app.emailSettings.reports') }).waitFor();
      expect(await scopes.allTextContents()).toContain(t(locale, 'app.emailSettings.scope.optional'));
      expect(await mismatch.textContent()).toContain(
        t(locale, 'app.emailSettings.reports.verdict.recipientMismatch'),
      );
      expect(await message.getAttribute('dir')).toBe('ltr');
      await screenshot(page, `email-settings-reports-${locale}`);
    }
    expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
    await switchLanguage(page, 'en', 'app.nav.emailSettings');

    await heldRow('bad_token').getByTestId('held-report-reviewed').click();
    await heldRow('bad_token').waitFor({ state: 'detached' });
    await mismatch.getByTestId('held-report-reviewed').click();
    await page.getByTestId('held-reports-none').waitFor();
    expect(await page.getByTestId('held-reports-none').textContent()).toBe(
      t('en', 'app.emailSettings.reports.none'),
    );
    const open = (await (await page.request.get('/api/inbound-reports?status=open')).json()) as unknown[];
    expect(open).toEqual([]);
  });

  it('the notice sent again stops at the bounced address and says how else to reach that customer', async () => {
    // A new version (one message per customer per version): edited, approved again, sent.
    const current = (await (await page.request.get(`/api/notices/${noticeId}`)).json()) as {
      latest: { content: unknown };
    };
    const edited = await api(page, 'PUT', `/api/notices/${noticeId}`, { content: current.latest.content });
    expect(edited.status(), await edited.text()).toBe(201);
    const approved = await apiPost(rig, lawyerPage, `/api/notices/${noticeId}/versions/2/approve`, {});
    expect(approved.status(), await approved.text()).toBe(200);
    const { progress } = await sendAndWait();
    // The bounce stops every notice; the complaint only optional updates, so this one still goes.
    expect(progress.totals).toMatchObject({ sent: 1, suppressed: 1 });

    await page.goto(incidentPath);
    await page
      .getByTestId('notices')
      .getByRole('button', { name: t('en', 'app.notices.open') })
      .click();
    const total = page.getByTestId('send-total-suppressed');
    await total.waitFor();
    expect(await total.textContent()).toBe(t('en', 'app.notices.delivery.suppressed', { count: 1 }));
    const send = page.getByTestId('send-progress').filter({ has: total });
    // Resending retries the suppressed too, and says so.
    expect(await send.getByTestId('send-resend-failed').textContent()).toBe(
      t('en', 'app.notices.progress.resendUnreached', { count: 1 }),
    );
    await total.click();
    await send.getByTestId('send-suppressed-explain').waitFor();
    const onRecord = send.getByTestId('send-recipient-on-record');
    expect(await onRecord.count()).toBe(1);
    const channels = (await onRecord.textContent()) ?? '';
    expect(channels).toContain(t('en', 'app.notices.channel.email'));
    expect(channels).toContain(t('en', 'app.notices.channel.sms'));
    expect(await send.getByTestId('send-recipients').textContent()).toContain(bounced.externalId);
    await send.screenshot({ path: path.join(SCREENSHOTS, 'send-progress-suppressed-en.png') });

    for (const locale of ['cs', 'ar'] as Locale[]) {
      await switchLanguage(page, locale);
      await send.getByText(t(locale, 'app.notices.progress.suppressedExplain')).waitFor();
      expect(await onRecord.textContent()).toContain(t(locale, 'app.notices.channel.sms'));
      expect(await send.getByTestId('send-recipients').textContent()).toContain(
        t(locale, 'app.notices.progress.suppressedReason'),
      );
      await send.screenshot({ path: path.join(SCREENSHOTS, `send-progress-suppressed-${locale}.png`) });
    }
    await switchLanguage(page, 'en');
  });
});
