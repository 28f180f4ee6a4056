import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, sessionFor } from '../../../test/factories.js';
import { sensitive } from '../../../test/secrets.js';
import { withOrg } from '../../platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../../platform/keys.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../platform/paths.js';
import { CHANNELS, type Channel } from './notice-contracts.js';
import {
  SUPPRESSION_REASONS,
  addressIndex,
  isSuppressed,
  scopeFor,
  suppress,
  suppressedIndexes,
  unsubscribeToken,
  type SuppressionReason,
} from './suppression.js';

const t = await createTestApp();
const org = await createOrganization(t);
const other = await createOrganization(t);
const admin = await sessionFor(t, await createUser(t, org, ['admin'], { totp: false }));
const manager = await sessionFor(t, await createUser(t, org, ['incident_manager'], { totp: false }));
const keyring = organizationKeyring(masterKeyFrom(t.config.secrets));

const bounced = sensitive('Eva.Dvorakova@Example.CZ');
const phone = sensitive('+420 601 111 222');
const webhook = 'https://hooks.example.com/candor#frag';

const inOrg = <T>(orgId: string, fn: (tx: Parameters<Parameters<typeof withOrg>[2]>[0]) => Promise<T>) =>
  withOrg(t.db, orgId, fn, { system: true });

describe('suppression list', () => {
  it('suppresses by blind index, matching the address however it is written, only in its organization', async () => {
    await inOrg(org, async (tx) => {
      const keys = await keyring.get(tx, org);
      expect(await suppress(tx, keys, org, 'email', bounced, 'hard_bounce', { source: 'dsn' })).toBe(true);
      // A second report of the same address keeps the first reason (a narrower one never replaces a wider).
      expect(await suppress(tx, keys, org, 'email', ' eva.dvorakova@example.cz', 'complaint')).toBe(false);
      expect(await suppress(tx, keys, org, 'sms', phone, 'permanent_failure', { source: 'sms' })).toBe(true);
      expect(await suppress(tx, keys, org, 'webhook', webhook, 'permanent_failure')).toBe(true);
      await expect(suppress(tx, keys, org, 'email', 'not an address', 'hard_bounce')).rejects.toThrow(
        /not a valid email address/,
      );
    });
    await inOrg(org, async (tx) => {
      const keys = await keyring.get(tx, org);
      expect(await isSuppressed(tx, keys, 'email', 'EVA.DVORAKOVA@example.cz')).toBe(true);
      expect(await isSuppressed(tx, keys, 'sms', bounced)).toBe(false);
      expect(await isSuppressed(tx, keys, 'sms', '+420601111222')).toBe(true);
      expect(await isSuppressed(tx, keys, 'webhook', 'https://HOOKS.example.com:443/candor')).toBe(true);
      expect(await isSuppressed(tx, keys, 'email', 'someone@example.cz')).toBe(false);
      const wanted = [addressIndex(keys, 'email', bounced)!, addressIndex(keys, 'email', 'x@example.org')!];
      expect([...(await suppressedIndexes(tx, 'email', wanted, 'mandatory'))]).toEqual([wanted[0]]);
    });
    await inOrg(other, async (tx) => {
      expect(await isSuppressed(tx, await keyring.get(tx, other), 'email', bounced)).toBe(false);
    });
    // Never the address in clear: the stored index is an HMAC.
    const rows = await t.db.query<{ address_index: string }>('SELECT address_index FROM suppressions');
    expect(JSON.stringify(rows)).not.toMatch(/dvorakova|601/i);
  });

  it('lets an admin list, find and remove an entry (audited); other roles may not', async () => {
    expect((await manager.get('/api/suppressions')).statusCode).toBe(403);
    const list = await admin.get('/api/suppressions?channel=email');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toEqual([
      expect.objectContaining({ channel: 'email', reason: 'hard_bounce', source: 'dsn' }),
    ]);
    expect((await admin.get('/api/suppressions')).json()).toHaveLength(3);
    const found = await admin.post('/api/suppressions/search', {
      channel: 'email',
      address: 'eva.DVORAKOVA@example.cz',
    });
    expect(found.json()).toHaveLength(1);
    const bad = await admin.post('/api/suppressions/search', { channel: 'sms', address: '12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual({ field: 'address' });
    const id = found.json<{ id: string }[]>()[0]!.id;
    expect((await admin.delete(`/api/suppressions/${id}`)).statusCode).toBe(204);
    expect((await admin.delete(`/api/suppressions/${id}`)).statusCode).toBe(404);
    expect(
      (await admin.post('/api/suppressions/search', { channel: 'email', address: bounced })).json(),
    ).toEqual([]);
    const audit = await t.db.query<{ data: unknown }>(
      `SELECT data FROM audit_events WHERE organization_id = $1 AND action = 'suppression.removed'`,
      [org],
    );
    expect(audit.map((a) => a.data)).toEqual([{ channel: 'email', reason: 'hard_bounce' }]);
  });

  it('one-click unsubscribe (RFC 8058) suppresses the address with reason unsubscribed; a forged token does nothing', async () => {
    const reader = sensitive('reader@example.org');
    const token = await inOrg(org, async (tx) => unsubscribeToken(await keyring.get(tx, org), org, reader));
    expect(token).not.toContain('reader');
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const post = (tok: string) =>
      t.app.inject({
        method: 'POST',
        url: `/unsubscribe/${tok}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
    expect((await post(forged)).statusCode).toBe(404);
    const done = await post(token);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ status: 'unsubscribed' });
    expect((await post(token)).statusCode).toBe(200);
    await inOrg(org, async (tx) => {
      const keys = await keyring.get(tx, org);
      // Optional updates stop; a mandatory breach notice still goes to the address.
      expect(await isSuppressed(tx, keys, 'email', 'Reader@example.org', 'optional')).toBe(true);
      expect(await isSuppressed(tx, keys, 'email', 'Reader@example.org', 'mandatory')).toBe(false);
    });
    const entries = (await admin.get('/api/suppressions?channel=email')).json<
      { reason: string; scope: string; source: string }[]
    >();
    expect(entries).toEqual([
      expect.objectContaining({ reason: 'unsubscribed', scope: 'optional', source: 'unsubscribe' }),
    ]);
  });

  it('scopes: a hard bounce or a permanent failure stops every notice, an e-mail unsubscribe or a complaint optional ones; SMS STOP every one', () => {
    expect(scopeFor('email', 'hard_bounce')).toBe('all');
    expect(scopeFor('email', 'permanent_failure')).toBe('all');
    expect(scopeFor('webhook', 'permanent_failure')).toBe('all');
    expect(scopeFor('email', 'unsubscribed')).toBe('optional');
    expect(scopeFor('email', 'complaint')).toBe('optional');
    expect(scopeFor('sms', 'unsubscribed')).toBe('all');
  });

  it('the migration gave existing suppressions the same scopes as the rule', async () => {
    const source = readFileSync(
      path.join(projectRoot, 'migrations', '20261207000000_report_scope.sql'),
      'utf8',
    );
    const update = /UPDATE suppressions SET scope = 'optional'\s+WHERE ([^;]+);/.exec(source)![1]!;
    // The migration's rule, run against every (channel, reason), agrees with scopeFor.
    const cases = CHANNELS.flatMap((channel) => SUPPRESSION_REASONS.map((reason) => ({ channel, reason })));
    const migrated = await t.db.query<{ channel: Channel; reason: SuppressionReason; optional: boolean }>(
      `SELECT c.channel, c.reason, (${update.replace(/\breason\b/g, 'c.reason').replace(/\bchannel\b/g, 'c.channel')}) AS optional
       FROM json_to_recordset($1::json) AS c(channel text, reason text)`,
      [JSON.stringify(cases)],
    );
    for (const m of migrated) {
      expect(m.optional ? 'optional' : 'all', `${m.channel} ${m.reason}`).toBe(scopeFor(m.channel, m.reason));
    }
  });
});
