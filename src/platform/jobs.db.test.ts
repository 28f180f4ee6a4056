import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/app.js';
import { createOrganization, createUser } from '../../test/factories.js';
import { withOrg } from './db.js';
import { startJobs, TIMERS } from './jobs.js';
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
