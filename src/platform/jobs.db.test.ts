import { Type } from 'typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.js';
import { createOrganization, createUser } from '../../test/factories.js';
import { asApp, withOrg } from './db.js';
import { defineJob, prepareJobs, sendJob, startJobs, TIMERS, type JobType } from './jobs.js';
import { createLogger } from './logger.js';

const t = await createTestApp();
const jobs = await startJobs({
  db: t.db,
  databaseUrl: t.databaseUrl,
  logger: createLogger({ level: 'silent' }),
});
afterAll(() => jobs.stop());

describe('jobs and timers (pg-boss on the same PostgreSQL)', () => {
  it('schedules every timer', async () => {
    const schedules = await jobs.boss.getSchedules();
    expect(schedules.map((s) => [s.name, s.cron]).sort()).toEqual(
      Object.entries(TIMERS)
        .map(([name, timer]) => [name, timer.cron])
        .sort(),
    );
  });

  it('runs the purge timer: expired sessions are deleted, live ones kept', async () => {
    const org = await createOrganization(t);
    const user = await createUser(t, org, ['viewer'], { totp: false });
    await withOrg(t.db, org, (tx) =>
      tx.query(
        `INSERT INTO sessions (organization_id, user_id, token_hash, state, expires_at) VALUES
           ($1, $2, 'expired', 'active', now() - interval '1 minute'),
           ($1, $2, 'live', 'active', now() + interval '1 hour')`,
        [org, user.id],
      ),
    );
    await jobs.boss.send('purge-expired', {});
    const deadline = Date.now() + 20_000;
    let left: string[] = [];
    while (Date.now() < deadline) {
      left = (
        await withOrg(t.db, org, (tx) =>
          tx.query<{ t: string }>(
            `SELECT convert_from(token_hash, 'UTF8') AS t FROM sessions WHERE user_id = $1`,
            [user.id],
          ),
        )
      ).map((r) => r.t);
      if (!left.includes('expired')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(left).toEqual(['live']);
  });
});

describe('jobs as typed definitions, sent in the transaction of the change', () => {
  const Counted = Type.Object({ n: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
  const counted: JobType<typeof Counted> = { name: 'test-counted', schema: Counted };
  const jobsOf = async () =>
    (
      await t.db.query<{ data: { n: number } }>(
        'SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on',
        [counted.name],
      )
    ).map((j) => j.data.n);

  it('a web process prepares the queues it sends to; a job exists only if its transaction commits', async () => {
    await prepareJobs({
      db: t.db,
      databaseUrl: t.databaseUrl,
      logger: createLogger({ level: 'silent' }),
      jobs: [counted],
    });
    // As the request role (candor_app): the rights of migrations/20261207030000_jobs_in_transaction.sql.
    await expect(
      asApp(t.db, async (tx) => {
        await sendJob(tx, counted, { n: 1 });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await jobsOf()).toEqual([]);
    const id = await asApp(t.db, (tx) => sendJob(tx, counted, { n: 2 }));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await jobsOf()).toEqual([2]);
  });

  it('the request role may queue jobs, never read or work them', async () => {
    for (const sql of [
      'SELECT data FROM pgboss.job',
      'SELECT 1 FROM pgboss.archive',
      "UPDATE pgboss.job SET state = 'completed'",
      'DELETE FROM pgboss.job',
    ]) {
      await expect(
        asApp(t.db, (tx) => tx.query(sql)),
        sql,
      ).rejects.toThrow(/permission denied/);
    }
  });

  it('checks the data against the schema when a job is sent and when it runs; never echoes it', async () => {
    const wrong = { n: 'customer@example.test' } as unknown as { n: number };
    const refused = asApp(t.db, (tx) => sendJob(tx, counted, wrong));
    await expect(refused).rejects.toThrow(/test-counted job does not match its schema \(\/n /);
    await expect(refused).rejects.not.toThrow(/customer@example/);
    await expect(asApp(t.db, (tx) => sendJob(tx, counted, { n: 3, extra: true } as never))).rejects.toThrow(
      /does not match its schema/,
    );
    const seen: number[] = [];
    const job = defineJob(counted.name, counted.schema, async (data) => (seen.push(data.n), 1));
    expect(await job.run({ n: 4 }, 'job-1')).toBe(1);
    await expect(job.run({ n: -1 }, 'job-2')).rejects.toThrow(/job job-2: the data of a test-counted job/);
    expect(seen).toEqual([4]);
  });
});
