import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { localMasterKey, organizationKeyring } from '../../platform/keys.js';
import { systemActor } from '../audit/audit-service.js';
import { openErrorReport, rowFingerprint, runImport } from './customer-import.js';
import { normalizeWebhookUrl, type CustomerInput } from './customer-repo.js';
import type { CustomerView } from './customer-schemas.js';

/**
 * A business customer's own webhook endpoint: sealed in the personal record, flagged in clear by
 * has_webhook, written through the API and the import (https only, at most 2048 characters),
 * shown only by a reveal and in the data-subject export.
 */
const t = await createTestApp();
const keyring = organizationKeyring(localMasterKey(t.config.secrets.masterKey));
const org = await createOrganization(t);
const manager = await sessionFor(t, await createUser(t, org, ['incident_manager'], { totp: false }));
const tag = randomBytes(4).toString('hex');
const endpoint = sensitive(`https://hooks.odberatel-${tag}.example/candor/notices?token=q${tag}`);

const stored = (externalId: string) =>
  withOrg(
    t.db,
    org,
    async (tx) =>
      (
        await tx.query<{ id: string; has_webhook: boolean; personal: string }>(
          `SELECT id, has_webhook, encode(personal, 'escape') AS personal FROM customers WHERE external_id = $1`,
          [externalId],
        )
      )[0],
  );

const reveal = async (id: string) => {
  const response = await manager.post(`/api/customers/${id}/reveal`, { reason: 'customer_request' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ personal: { webhookUrl: string | null; email: string | null } }>().personal;
};

describe('webhook endpoint of a customer', () => {
  it('normalizes: https only, absolute, no credentials, at most 2048 characters', () => {
    expect(normalizeWebhookUrl(' https://Hooks.Example.COM/a?b=1 ')).toBe('https://hooks.example.com/a?b=1');
    expect(normalizeWebhookUrl('https://příklad.cz/hook')).toMatch(/^https:\/\/xn--[a-z0-9-]+\.cz\/hook$/);
    expect(normalizeWebhookUrl(`https://h.example/${'a'.repeat(2048 - 18)}`)).toHaveLength(2048);
    for (const bad of [
      'http://hooks.example.com/x',
      'https://user:pw@hooks.example.com/x',
      'hooks.example.com/x',
      '/relative/path',
      'ftp://hooks.example.com/x',
      'https://hooks.example.com/a b',
      `https://h.example/${'a'.repeat(2048 - 17)}`,
    ])
      expect(normalizeWebhookUrl(bad), bad).toBeUndefined();
  });

  it('is written by the API sealed, flagged in clear, and shown by a reveal and the export', async () => {
    const created = await manager.post('/api/customers', {
      externalId: `b2b-${tag}`,
      email: sensitive(`ops-${tag}@odberatel.example`),
      webhookUrl: endpoint,
      consent: { email: false, sms: false, webhook: true },
    });
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json<CustomerView>();
    // The clear view names no personal field, the endpoint included.
    expect(created.body).not.toContain(`odberatel-${tag}`);
    const row = (await stored(`b2b-${tag}`))!;
    expect(row.has_webhook).toBe(true);
    expect(row.personal).not.toContain(`odberatel-${tag}`);
    expect((await reveal(view.id)).webhookUrl).toBe(endpoint);

    const exported = await manager.get(`/api/customers/${view.id}/export?reason=data_subject_request`);
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json<{ personal: { webhookUrl: string } }>().personal.webhookUrl).toBe(endpoint);

    // Replaced without one: the flag follows, the reveal says none.
    const replaced = await manager.post('/api/customers', { externalId: `b2b-${tag}` });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect((await stored(`b2b-${tag}`))!.has_webhook).toBe(false);
    expect((await reveal(view.id)).webhookUrl).toBeNull();
  });

  it.each([
    ['plain http', 'http://hooks.example.com/notices'],
    ['credentials', 'https://user:secret@hooks.example.com/notices'],
    ['not a URL', 'hooks example com'],
    ['too long', `https://hooks.example.com/${'x'.repeat(2030)}`],
  ])('the API refuses %s, naming the field', async (_what, url) => {
    const response = await manager.post('/api/customers', { externalId: `bad-${tag}`, webhookUrl: url });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.body).toContain('webhookUrl');
    expect(await stored(`bad-${tag}`)).toBeUndefined();
  });

  it('a customer without one reveals null and is not flagged', async () => {
    const created = await manager.post('/api/customers', { externalId: `plain-${tag}` });
    expect(created.statusCode, created.body).toBe(201);
    expect((await stored(`plain-${tag}`))!.has_webhook).toBe(false);
    expect((await reveal(created.json<CustomerView>().id)).webhookUrl).toBeNull();
  });
});

const importOrg = await createOrganization(t);

describe('webhook endpoint in the import', () => {
  const deps = { db: t.db, keyring, auditKey: t.config.secrets.auditKey };
  const good = sensitive(`https://b2b-${tag}.example/hooks/candor`);
  const other = sensitive(`https://b2b-${tag}.example/hooks/candor-v2`);
  const run = (csv: string) =>
    runImport(deps, importOrg, systemActor(), Readable.from([Buffer.from(csv)]), {
      format: 'csv',
      mapping: { externalId: 'id', webhookUrl: 'webhook_url' },
    });
  const file = (first: string) =>
    [
      'id,webhook_url',
      `w-1,${first}`,
      'w-2,http://insecure.example/hook',
      `w-3,https://long.example/${'y'.repeat(2040)}`,
      'w-4,not a url',
      'w-5,',
      '',
    ].join('\n');
  const flags = () =>
    withOrg(t.db, importOrg, (tx) =>
      tx.query<{ external_id: string; has_webhook: boolean }>(
        'SELECT external_id, has_webhook FROM customers ORDER BY external_id',
      ),
    );

  it('imports a good URL sealed and flagged; a bad one is a rejected row naming line, column and reason', async () => {
    const summary = await run(file(good));
    expect(summary).toMatchObject({ status: 'completed', read: 5, inserted: 2, rejected: 3 });
    expect(await flags()).toEqual([
      { external_id: 'w-1', has_webhook: true },
      { external_id: 'w-5', has_webhook: false },
    ]);
    const errors = await withOrg(t.db, importOrg, async (tx) =>
      openErrorReport(tx, await keyring.get(tx, importOrg), summary.id),
    );
    expect(errors.map(({ line, column, reason }) => ({ line, column, reason }))).toEqual([
      { line: 3, column: 'webhook_url', reason: 'invalid_webhook_url' },
      { line: 4, column: 'webhook_url', reason: 'too_long' },
      { line: 5, column: 'webhook_url', reason: 'invalid_webhook_url' },
    ]);
    const id = (
      await withOrg(t.db, importOrg, (tx) =>
        tx.query<{ id: string }>(`SELECT id FROM customers WHERE external_id = 'w-1'`),
      )
    )[0]!.id;
    const admin = await sessionFor(t, await createUser(t, importOrg, ['admin'], { totp: false }));
    const revealed = await admin.post(`/api/customers/${id}/reveal`, { reason: 'data_correction' });
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json<{ personal: { webhookUrl: string } }>().personal.webhookUrl).toBe(good);
  });

  it('the same file again is unchanged; another URL updates the row', async () => {
    expect(await run(file(good))).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, rejected: 3 });
    expect(await run(file(other))).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, rejected: 3 });
    // The URL dropped from the file: the row is updated and no longer flagged.
    expect(await run(file(''))).toMatchObject({ updated: 1, unchanged: 1 });
    expect(await flags()).toEqual([
      { external_id: 'w-1', has_webhook: false },
      { external_id: 'w-5', has_webhook: false },
    ]);
  });

  it('a row without a URL fingerprints as it did before customers had one', async () => {
    const keys = await withOrg(t.db, importOrg, (tx) => keyring.get(tx, importOrg));
    const before: CustomerInput = {
      externalId: 'x',
      personal: { name: 'N', email: null, phone: null, address: null, attributes: {} },
      language: null,
      timeZone: null,
      country: null,
      region: null,
      tags: [],
      attributes: {},
      consent: { email: false, sms: false, webhook: false },
    };
    const withNone = { ...before, personal: { ...before.personal, webhookUrl: null } };
    const withOne = { ...before, personal: { ...before.personal, webhookUrl: good } };
    expect(rowFingerprint(keys, withNone)).toBe(rowFingerprint(keys, before));
    expect(rowFingerprint(keys, withOne)).not.toBe(rowFingerprint(keys, before));
  });
});
