import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { createEmailChannel, smtpResult, withDirection } from './channel-email.js';
import { parseVerp, verpValid } from './verp.js';
import type { EmailDnsGuidance } from './email-settings.js';
import type { NoticeKind, OutgoingNotice, RenderedNotice } from './notice-contracts.js';

const t = await createTestApp();
const org = await createOrganization(t);
const unset = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));
const orgKeys = () => withOrg(t.db, org, (tx) => keyring.get(tx, org), { system: true });

const saved = await admin.put('/api/email-settings', {
  fromAddress: 'Notices@Shop.Example',
  fromName: 'Shop Example',
  dkimSelector: 'candor2026',
});
expect(saved.statusCode, saved.body).toBe(200);

const channel = createEmailChannel({
  db: t.db,
  keyring,
  smtpUrl: t.smtp.url,
  email: t.config.email,
  publicUrl: t.config.publicUrl,
});
afterAll(() => channel.close());

const arabic: RenderedNotice = {
  locale: 'ar',
  direction: 'rtl',
  subject: 'إشعار بحادث أمني',
  text: 'نعتذر. رمز التحقق: K7QF-2M9X-D4TA',
  html: '<!doctype html><html lang="ar" dir="rtl"><body><p>نعتذر.</p></body></html>',
  sms: 'نعتذر',
  webhook: {},
};
const czech: RenderedNotice = {
  locale: 'cs',
  direction: 'ltr',
  subject: 'Novinky k bezpečnostnímu incidentu',
  text: 'Omlouváme se. Kód: K7QF-2M9X-D4TA',
  html: '<p>Omlouváme se.</p>',
  sms: 'Omlouváme se',
  webhook: {},
};

function notice(
  to: string,
  kind: NoticeKind,
  rendered: RenderedNotice,
  organizationId = org,
): OutgoingNotice {
  const deliveryId = randomUUID();
  return {
    deliveryId,
    organizationId,
    channel: 'email',
    kind,
    to,
    messageId: `<${deliveryId}@notices.candor.test>`,
    rendered,
  };
}

/** A DNS resolver that knows exactly the TXT record the admin app shows, nothing else. */
async function resolverFromSettings() {
  const shown = (await admin.get('/api/email-settings')).json<{ dns: EmailDnsGuidance }>();
  return {
    shown,
    resolver: async (name: string, type: string) => {
      if (type === 'TXT' && name === shown.dns.dkim.name) return [shown.dns.dkim.strings];
      throw Object.assign(new Error(`no ${type} record for ${name}`), { code: 'ENOTFOUND' });
    },
  };
}

describe('e-mail channel', () => {
  it('shows the exact DKIM TXT record, SPF and DMARC guidance; d= is the From domain', async () => {
    const { shown } = await resolverFromSettings();
    expect(shown.dns.dkim.name).toBe('candor2026._domainkey.shop.example');
    expect(shown.dns.dkim.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    // An RSA-2048 SPKI is longer than one DNS string: split at 255 octets, joined it is the value.
    expect(shown.dns.dkim.strings.length).toBeGreaterThan(1);
    expect(shown.dns.dkim.strings.every((s) => s.length <= 255)).toBe(true);
    expect(shown.dns.dkim.strings.join('')).toBe(shown.dns.dkim.value);
    expect(shown.dns.spf).toMatchObject({ name: 'shop.example', value: 'v=spf1 include:<your relay> ~all' });
    expect(shown.dns.dmarc.name).toBe('_dmarc.shop.example');
    expect(shown.dns.dmarc.value).toMatch(/^v=DMARC1; p=quarantine;.* rua=mailto:/);
    expect(shown.dns.aligned).toBe(true);
  });

  it('sends a mandatory notice DKIM-signed (verified independently), VERP envelope, stable Message-ID, RTL HTML, no List-Unsubscribe', async () => {
    const to = sensitive('layla.haddad@example.net');
    const message = notice(to, 'mandatory', arabic);
    expect(await channel.send(message)).toEqual(expect.objectContaining({ outcome: 'accepted' }));
    const mail = await t.smtp.waitFor(to);
    expect(mail.from).toMatch(
      new RegExp(`^bounces\\+${message.deliveryId.replace(/-/g, '')}\\.[0-9a-f]{18}@localhost$`),
    );
    const verp = parseVerp(mail.from)!;
    expect(verp).toMatchObject({ kind: 'bounce', deliveryId: message.deliveryId });
    expect(verpValid(await orgKeys(), verp)).toBe(true);
    expect(mail.parsed.messageId).toBe(message.messageId);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Shop Example', address: 'notices@shop.example' }]);
    expect(mail.parsed.subject).toBe(arabic.subject);
    expect(mail.parsed.text?.trim()).toBe(arabic.text);
    expect(mail.parsed.html).toContain('<html lang="ar" dir="rtl">');
    expect(mail.parsed.headers.get('content-language')).toBe('ar');
    expect(mail.parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(mail.parsed.headers.has('list-unsubscribe-post')).toBe(false);
    expect(mail.raw).not.toMatch(/list-unsubscribe/i);

    const { resolver } = await resolverFromSettings();
    const result = await dkimVerify(Buffer.from(mail.raw), { resolver });
    expect(result.results).toHaveLength(1);
    expect(result.results[0]).toMatchObject({
      signingDomain: 'shop.example',
      selector: 'candor2026',
      status: { result: 'pass', aligned: 'shop.example' },
    });
  });

  it('an optional update carries List-Unsubscribe (https one-click and mailto) and List-Unsubscribe-Post, and the one-click URL unsubscribes', async () => {
    const to = sensitive('petr.svoboda@example.cz');
    const message = notice(to, 'optional', czech);
    expect((await channel.send(message)).outcome).toBe('accepted');
    const mail = await t.smtp.waitFor(to);
    const header = String(mail.parsed.headers.get('list-unsubscribe') ?? '');
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im);
    // Unfolded (a long header is folded over lines).
    const unfolded = mail.raw.replace(/\r?\n[ \t]+/g, ' ');
    const raw = /^List-Unsubscribe: (.*)$/im.exec(unfolded)![1]!;
    const https = /<(http:\/\/localhost:3000\/unsubscribe\/[^>]+)>/.exec(raw)![1]!;
    const mailto = /<mailto:([^?>]+)\?subject=unsubscribe>/.exec(raw)![1]!;
    expect(parseVerp(mailto)).toMatchObject({ kind: 'unsubscribe', deliveryId: message.deliveryId });
    expect(verpValid(await orgKeys(), parseVerp(mailto)!)).toBe(true);
    expect(header + raw).not.toContain('petr');
    // The HTML part got the reader's direction and language though the rendering lacked them.
    expect(mail.parsed.html).toMatch(/<html lang="cs" dir="ltr">/);
    const { resolver } = await resolverFromSettings();
    const verified = await dkimVerify(Buffer.from(mail.raw), { resolver });
    expect(verified.results[0]?.status.result).toBe('pass');

    const click = await t.app.inject({
      method: 'POST',
      url: new URL(https).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(click.statusCode, click.body).toBe(200);
    const found = await admin.post('/api/suppressions/search', { channel: 'email', address: to });
    expect(found.json()).toEqual([expect.objectContaining({ reason: 'unsubscribed' })]);
  });

  it('maps SMTP replies: 421/451 temporary, 550 permanent and suppressed, 5.7.1 policy refusals not suppressed', async () => {
    const to = sensitive('temp@example.org');
    t.smtp.reject(451, 1);
    const temporary = await channel.send(notice(to, 'mandatory', czech));
    expect(temporary).toMatchObject({ outcome: 'temporary' });
    t.smtp.reject(421, 1);
    expect((await channel.send(notice(to, 'mandatory', czech))).outcome).toBe('temporary');
    t.smtp.reject(550, 1);
    const permanent = await channel.send(notice(to, 'mandatory', czech));
    expect(permanent).toMatchObject({ outcome: 'permanent', suppress: true });
    expect(JSON.stringify([temporary, permanent])).not.toContain('temp@');
    expect(
      smtpResult({ responseCode: 550, response: '550 5.7.1 Message rejected as spam' }, to),
    ).toMatchObject({
      outcome: 'permanent',
      suppress: false,
    });
    expect(smtpResult({ responseCode: 553, response: `553 5.1.3 <${to}> bad address syntax` }, to)).toEqual({
      outcome: 'permanent',
      suppress: true,
      error: '553 5.1.3 <[recipient]> bad address syntax',
    });
    expect(smtpResult({ responseCode: 554, response: '554 5.3.4 Message too big' }, to)).toMatchObject({
      suppress: false,
    });
    // After the refusals the server accepts again: the pool recovered.
    expect((await channel.send(notice(to, 'mandatory', czech))).outcome).toBe('accepted');
  });

  it('a relay that cannot be reached is a temporary failure; an organization without settings a permanent one', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const down = createEmailChannel({
      db: t.db,
      keyring,
      smtpUrl: `smtp://127.0.0.1:${closed}`,
      email: t.config.email,
      publicUrl: t.config.publicUrl,
    });
    const to = sensitive('nobody@example.org');
    const result = await down.send(notice(to, 'mandatory', czech));
    await down.close();
    expect(result.outcome).toBe('temporary');
    expect(JSON.stringify(result)).not.toContain('nobody@');
    expect(await channel.send(notice(to, 'mandatory', czech, unset))).toMatchObject({
      outcome: 'permanent',
      suppress: false,
    });
  });

  it('withDirection adds dir and lang only where missing', () => {
    expect(withDirection('<html><body>x</body></html>', 'ar', 'rtl')).toBe(
      '<html lang="ar" dir="rtl"><body>x</body></html>',
    );
    expect(withDirection('<html dir="rtl" lang="ar">', 'ar', 'rtl')).toBe('<html dir="rtl" lang="ar">');
  });

  it('settings: a bad From address or selector is refused naming the field; a rotation changes the key', async () => {
    const bad = await admin.put('/api/email-settings', { fromAddress: 'no-domain', dkimSelector: 'ok' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual({ field: 'fromAddress' });
    const badSelector = await admin.put('/api/email-settings', {
      fromAddress: 'notices@shop.example',
      dkimSelector: 'has space',
    });
    expect(badSelector.json().error.details).toEqual({ field: 'dkimSelector' });
    const before = (await admin.get('/api/email-settings')).json<{ settings: { publicKey: string } }>();
    const renamed = await admin.put('/api/email-settings', {
      fromAddress: 'notices@shop.example',
      fromName: 'Shop',
      dkimSelector: 'candor2026',
    });
    expect(renamed.json().settings.publicKey).toBe(before.settings.publicKey);
    const rotated = await admin.put('/api/email-settings', {
      fromAddress: 'notices@shop.example',
      dkimSelector: 'candor2027',
      rotateKey: true,
    });
    expect(rotated.json().settings.publicKey).not.toBe(before.settings.publicKey);
    const audit = await t.db.query<{ data: { keyGenerated: boolean } }>(
      `SELECT data FROM audit_events WHERE organization_id = $1 AND action = 'email_settings.updated' ORDER BY seq`,
      [org],
    );
    expect(audit.map((a) => a.data.keyGenerated)).toEqual([true, false, true]);
  });
});
