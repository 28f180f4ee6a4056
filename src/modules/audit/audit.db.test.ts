import { describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createOrganization, createUser, signIn } from '../../../test/factories.js';
import { asApp, withOrg } from '../../platform/db.js';
import { runCommand } from '../../cli/commands.js';
import { appendAudit, CHECKPOINT_EVERY, systemActor } from './audit-service.js';
import { eventHash } from './audit-chain.js';
import { verifyChain } from './audit-verify.js';

const t = await createTestApp();
const key = t.config.secrets.auditKey;

async function orgWithEvents(count: number): Promise<string> {
  const org = await createOrganization(t);
  await withOrg(t.db, org, async (tx) => {
    for (let i = 0; i < count; i++) {
      await appendAudit(tx, key, org, systemActor(), {
        action: 'test.event',
        targetId: String(i),
        data: { i },
      });
    }
  });
  return org;
}

describe('audit chain', () => {
  it('chains events per organization, in order, under concurrent appends', async () => {
    const org = await createOrganization(t);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withOrg(t.db, org, (tx) =>
          appendAudit(tx, key, org, systemActor(), { action: 'parallel', data: { i } }),
        ),
      ),
    );
    const report = await verifyChain(t.db, key, org);
    expect(report).toEqual({ organizationId: org, events: 20, ok: true });
  });

  it('the app role cannot UPDATE or DELETE audit rows', async () => {
    const org = await orgWithEvents(2);
    await expect(
      withOrg(t.db, org, (tx) =>
        tx.query(`UPDATE audit_events SET action = 'x' WHERE organization_id = $1`, [org]),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withOrg(t.db, org, (tx) => tx.query('DELETE FROM audit_events WHERE organization_id = $1', [org])),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withOrg(t.db, org, (tx) => tx.query('DELETE FROM audit_checkpoints WHERE organization_id = $1', [org])),
    ).rejects.toThrow(/permission denied/);
  });

  it('verify names the row altered by a direct UPDATE', async () => {
    const org = await orgWithEvents(5);
    await t.db.query(`UPDATE audit_events SET target_id = 'forged' WHERE organization_id = $1 AND seq = 3`, [
      org,
    ]);
    const report = await verifyChain(t.db, key, org);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatch(/^row 3 was altered/);
  });

  it('verify names a row removed from the middle and an inserted one', async () => {
    const org = await orgWithEvents(5);
    await t.db.query('DELETE FROM audit_events WHERE organization_id = $1 AND seq = 2', [org]);
    expect((await verifyChain(t.db, key, org)).problem).toMatch(/^row 2 was removed/);

    const other = await orgWithEvents(3);
    // A forged row 4 with a correct content hash but not signed by the head.
    const row = (
      await t.db.query<Record<string, unknown>>(
        'SELECT * FROM audit_events WHERE organization_id = $1 AND seq = 3',
        [other],
      )
    )[0]!;
    const forged = {
      organizationId: other,
      seq: 4,
      occurredAt: new Date(),
      actorType: 'system',
      actorId: null,
      action: 'forged',
      targetType: null,
      targetId: null,
      requestId: null,
      data: {},
      prevHash: row.hash as string,
    };
    await t.db.query(
      `INSERT INTO audit_events (organization_id, seq, occurred_at, actor_type, action, data, prev_hash, hash)
       VALUES ($1, 4, $2, 'system', 'forged', '{}', $3, $4)`,
      [other, forged.occurredAt, forged.prevHash, eventHash(forged)],
    );
    expect((await verifyChain(t.db, key, other)).problem).toMatch(/row 4 was inserted after the signed head/);
  });

  it('verify detects a deleted last row (a truncated tail)', async () => {
    const org = await orgWithEvents(4);
    await t.db.query('DELETE FROM audit_events WHERE organization_id = $1 AND seq = 4', [org]);
    const report = await verifyChain(t.db, key, org);
    expect(report.problem).toMatch(/tail was truncated: rows 4 to 4 are missing/);
  });

  it('verify detects a chain re-hashed after a checkpoint, even with the head re-hashed too', async () => {
    const org = await orgWithEvents(CHECKPOINT_EVERY + 5);
    const checkpoints = await t.db.query<{ seq: number }>(
      'SELECT seq FROM audit_checkpoints WHERE organization_id = $1',
      [org],
    );
    expect(checkpoints.map((c) => c.seq)).toEqual([CHECKPOINT_EVERY]);
    // An attacker with database access alters row 50 and recomputes every hash after it.
    const rows = await t.db.query<Record<string, unknown>>(
      'SELECT * FROM audit_events WHERE organization_id = $1 ORDER BY seq',
      [org],
    );
    let prev = '';
    for (const r of rows) {
      const seq = r.seq as number;
      if (seq < 50) {
        prev = r.hash as string;
        continue;
      }
      const event = {
        organizationId: org,
        seq,
        occurredAt: r.occurred_at as Date,
        actorType: r.actor_type as string,
        actorId: r.actor_id as string | null,
        action: r.action as string,
        targetType: r.target_type as string | null,
        targetId: seq === 50 ? 'rewritten' : (r.target_id as string | null),
        requestId: r.request_id as string | null,
        data: r.data as Record<string, unknown>,
        prevHash: prev,
      };
      prev = eventHash(event);
      await t.db.query(
        'UPDATE audit_events SET target_id = $3, prev_hash = $4, hash = $5 WHERE organization_id = $1 AND seq = $2',
        [org, seq, event.targetId, event.prevHash, prev],
      );
    }
    // The head is re-hashed too, but its signature needs a key the database never had.
    await t.db.query('UPDATE audit_heads SET hash = $2 WHERE organization_id = $1', [org, prev]);
    const report = await verifyChain(t.db, key, org);
    expect(report.ok).toBe(false);
    expect(report.problem).toBe(`the chain was re-hashed after the checkpoint at row ${CHECKPOINT_EVERY}`);
  });

  it('the hourly timer checkpoints every head through its named function', async () => {
    const org = await orgWithEvents(3);
    const added = await asApp(t.db, (tx) =>
      tx.query<{ n: number }>('SELECT candor_checkpoint_audit_heads() AS n'),
    );
    expect(added[0]!.n).toBeGreaterThan(0);
    const cps = await t.db.query<{ seq: number }>(
      'SELECT seq FROM audit_checkpoints WHERE organization_id = $1',
      [org],
    );
    expect(cps.map((c) => c.seq)).toEqual([3]);
  });

  it('candor audit verify reports each organization and fails on a broken chain', async () => {
    const fresh = await createTestApp();
    const org = await createOrganization(fresh);
    await withOrg(fresh.db, org, (tx) =>
      appendAudit(tx, fresh.config.secrets.auditKey, org, systemActor(), { action: 'a' }),
    );
    const good = await runCommand({ config: fresh.config, db: fresh.db }, ['audit', 'verify']);
    expect(good.exitCode).toBe(0);
    expect(good.output).toMatch(new RegExp(`ok +organization ${org}: 1 events`));
    await fresh.db.query(`UPDATE audit_events SET action = 'b' WHERE organization_id = $1`, [org]);
    const bad = await runCommand({ config: fresh.config, db: fresh.db }, ['audit', 'verify']);
    expect(bad.exitCode).toBe(1);
    expect(bad.output).toContain(`BROKEN  organization ${org}: row 1 was altered`);
    expect(bad.error).toBe('The audit chain of 1 organization is broken.\n');
    const json = await runCommand({ config: fresh.config, db: fresh.db }, ['audit', 'verify', '--json']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.output)).toEqual({
      ok: false,
      organizations: [
        { organizationId: org, events: 0, ok: false, problem: expect.stringContaining('row 1') },
      ],
    });
  });
});

describe('audit log API', () => {
  it('records sign-ins with actor, target and request id, filters them and exports JSON Lines', async () => {
    const org = await createOrganization(t);
    const admin = await createUser(t, org, ['admin']);
    const legal = await createUser(t, org, ['legal']);
    const agent = await signIn(t, admin);
    await signIn(t, legal);
    const all = await agent.get('/api/audit');
    expect(all.statusCode).toBe(200);
    const events = all.json<{
      events: { action: string; actorId: string; requestId: string; targetType: string }[];
    }>().events;
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['auth.password_accepted', 'auth.signed_in']),
    );
    expect(events.every((e) => typeof e.requestId === 'string' || e.requestId === null)).toBe(true);
    const mine = await agent.get(`/api/audit?actorId=${legal.id}&action=auth.signed_in`);
    expect(mine.json<{ events: unknown[] }>().events).toHaveLength(1);
    const exported = await agent.get('/api/audit/export');
    expect(exported.headers['content-type']).toContain('application/x-ndjson');
    const lines = exported.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; action: string });
    expect(lines.length).toBeGreaterThanOrEqual(events.length);
    expect(lines.map((l) => l.seq)).toEqual([...lines.map((l) => l.seq)].sort((a, b) => a - b));
    // Audit rows hold ids, never personal data.
    expect(exported.body).not.toContain(admin.email);
    expect(exported.body).not.toContain(legal.email);
  });
});
