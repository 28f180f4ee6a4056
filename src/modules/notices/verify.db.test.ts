import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { asApp, withOrg } from '../../platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import {
  CODE_ALPHABET,
  locateVerification,
  maskRecipient,
  newVerificationCode,
  normalizeVerificationCode,
  verificationKeys,
  verificationRecorder,
} from './notice-verification.js';
import { VERIFY_LIMIT_PER_IP } from './verify-routes.js';
import { rotateKeys, runReencryption } from '../keys/key-rotation.js';

const t = await createTestApp();
const origin = t.config.publicUrl.origin;
const record = verificationRecorder(t.config.secrets, organizationKeyring(masterKeyFrom(t.config.secrets)));

let ipCounter = 0;
/** Each test from its own address, so the per-IP limit of one does not touch another. */
const freshIp = () => `198.51.100.${++ipCounter}`;

const verify = (code: string, ip: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/public/verify',
    headers: { origin },
    payload: { code },
    remoteAddress: ip,
  });

/** A notice delivered by e-mail, recorded as the delivery engine records it at sending. */
async function delivered(options: { organization?: string; channel?: 'email' | 'sms' } = {}) {
  const organizationName = options.organization ?? `Lékárna ${randomBytes(3).toString('hex')}`;
  const organizationId = await createOrganization(t, { name: organizationName });
  const code = newVerificationCode();
  const deliveryId = randomUUID();
  const address =
    options.channel === 'sms'
      ? sensitive('+420601234512')
      : sensitive(`jana.${randomBytes(3).toString('hex')}@example.cz`);
  const subject = sensitive(`Jana ${randomBytes(3).toString('hex')}, your data was part of a breach`);
  const sentAt = new Date('2026-11-20T09:30:00Z');
  await withOrg(t.db, organizationId, (tx) =>
    record(tx, {
      organizationId,
      deliveryId,
      code,
      channel: options.channel ?? 'email',
      subject,
      subjectLocale: 'cs',
      sentAt,
      maskedRecipient: maskRecipient(options.channel ?? 'email', address),
    }),
  );
  return { organizationId, organizationName, code, deliveryId, subject, sentAt };
}

describe('verification codes', () => {
  it('are 12 Crockford base32 characters in three groups: 60 bits, typed by people', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = newVerificationCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(2000);
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it('are read case-insensitively, with O as 0 and I or L as 1, spaces and dashes anywhere', () => {
    expect(normalizeVerificationCode('k7qf-2m9x-d4ta')).toBe('K7QF-2M9X-D4TA');
    expect(normalizeVerificationCode(' K7QF 2M9X D4TA ')).toBe('K7QF-2M9X-D4TA');
    expect(normalizeVerificationCode('K7QF2M9XD4TA')).toBe('K7QF-2M9X-D4TA');
    expect(normalizeVerificationCode('oIlO-0000-1111')).toBe('0110-0000-1111');
    expect(normalizeVerificationCode('K7QF-2M9X-D4T')).toBeUndefined();
    expect(normalizeVerificationCode('K7QF-2M9X-D4TU')).toBeUndefined();
    expect(normalizeVerificationCode('K7QF-2M9X-D4TA-')).toBe('K7QF-2M9X-D4TA');
  });

  it('mask the recipient so its owner recognises it', () => {
    expect(maskRecipient('email', 'jana@example.cz')).toBe('j•••@e•••.cz');
    expect(maskRecipient('sms', '+420601234512')).toBe('+420 •••• ••12');
    expect(maskRecipient('sms', '+14155550100')).toBe('+1 •••• ••00');
    expect(maskRecipient('sms', '+966501234567')).toBe('+966 •••• ••67');
    expect(maskRecipient('sms', '+447700900123')).toBe('+44 •••• ••23');
    expect(maskRecipient('webhook', 'https://hooks.example.com/candor/x')).toBe('https://h•••.com/•••');
  });
});

describe('POST /api/public/verify', () => {
  it('confirms a real code: organization, subject, date, channel and masked recipient', async () => {
    const notice = await delivered();
    // The page shows the organization's brand with the answer.
    await withOrg(t.db, notice.organizationId, (tx) =>
      tx.query("UPDATE organizations SET brand_color = '#0B5CAD'"),
    );
    const ip = freshIp();
    for (const typed of [notice.code, notice.code.toLowerCase().replace(/-/g, ' ')]) {
      const response = await verify(typed, ip);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.json()).toEqual({
        status: 'genuine',
        organization: notice.organizationName,
        brand: { name: notice.organizationName, color: '#0B5CAD', logoUrl: null },
        subject: notice.subject,
        subjectLocale: 'cs',
        sentAt: notice.sentAt.toISOString(),
        channel: 'email',
        maskedRecipient: expect.stringMatching(/^j•••@e•••\.cz$/),
      });
    }
    // Counted and audited in the organization, without the code or the recipient.
    const rows = await withOrg(
      t.db,
      notice.organizationId,
      (tx) =>
        tx.query<{ checked_count: number; action: string; data: Record<string, unknown> }>(
          `SELECT v.checked_count, a.action, a.data FROM notice_verifications v
           JOIN audit_events a ON a.organization_id = v.organization_id AND a.action = 'notice.verification_checked'
           WHERE v.delivery_id = $1`,
          [notice.deliveryId],
        ),
      { system: true },
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.checked_count).toBe(2);
    expect(rows[0]!.data).toEqual({ channel: 'email' });
  });

  it('stores neither the code nor the subject in clear', async () => {
    const notice = await delivered({ channel: 'sms' });
    const row = (
      await withOrg(t.db, notice.organizationId, (tx) =>
        tx.query<Record<string, unknown>>('SELECT * FROM notice_verifications WHERE delivery_id = $1', [
          notice.deliveryId,
        ]),
      )
    )[0]!;
    const stored = JSON.stringify(row, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    for (const secret of [notice.code, notice.code.replace(/-/g, ''), notice.subject, '+420', '••12']) {
      expect(stored).not.toContain(secret);
    }
  });

  it('answers "unknown" to a guessed code, and to a code of another install', async () => {
    await delivered();
    const ip = freshIp();
    for (const guess of ['K7QF-2M9X-D4TA', newVerificationCode()]) {
      const response = await verify(guess, ip);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ status: 'unknown' });
    }
  });

  it('refuses what cannot be a code, saying where and why', async () => {
    const response = await verify('not-a-code', freshIp());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        code: 'validation_failed',
        details: { where: 'body/code', problem: expect.stringContaining('12 letters and digits') },
      },
    });
  });

  it(`limits guessing to ${VERIFY_LIMIT_PER_IP} checks an hour per IP, with Retry-After; other IPs go on`, async () => {
    const notice = await delivered();
    const ip = freshIp();
    for (let i = 0; i < VERIFY_LIMIT_PER_IP; i++) {
      const response = await verify(newVerificationCode(), ip);
      expect(response.statusCode, response.body).toBe(200);
    }
    // Over the limit even a real code is refused: guessing gets no answer at all.
    const limited = await verify(notice.code, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const elsewhere = await verify(notice.code, freshIp());
    expect(elsewhere.json()).toMatchObject({ status: 'genuine' });
  });

  it('still confirms a code after the data keys were rotated and its record re-sealed', async () => {
    const notice = await delivered();
    await rotateKeys({ db: t.db, secrets: t.config.secrets });
    await runReencryption({ db: t.db, secrets: t.config.secrets }, { settleMs: 0 });
    const versions = await withOrg(t.db, notice.organizationId, (tx) =>
      tx.query<{ key_version: number }>(
        'SELECT key_version FROM notice_verifications WHERE delivery_id = $1',
        [notice.deliveryId],
      ),
    );
    expect(versions).toEqual([{ key_version: 2 }]);
    const response = await verify(notice.code, freshIp());
    expect(response.json()).toMatchObject({ status: 'genuine', subject: notice.subject });
  });

  it('finds a code recorded under the master key that was replaced, while it is kept as a previous key', async () => {
    const notice = await delivered();
    const canonical = normalizeVerificationCode(notice.code)!;
    const replacement = randomBytes(32);
    const afterReplacement = verificationKeys({
      masterKey: replacement,
      previousMasterKeys: [t.config.secrets.masterKey],
    });
    const found = await asApp(t.db, (tx) => locateVerification(tx, afterReplacement, canonical));
    expect(found?.organizationId).toBe(notice.organizationId);
    const forgotten = verificationKeys({ masterKey: replacement, previousMasterKeys: [] });
    expect(await asApp(t.db, (tx) => locateVerification(tx, forgotten, canonical))).toBeUndefined();
  });
});
