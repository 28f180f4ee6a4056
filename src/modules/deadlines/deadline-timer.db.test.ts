import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/app.js';
import { createIncident, createOrganization, createUser } from '../../../test/factories.js';
import { withOrg } from '../../platform/db.js';
import { startJobs } from '../../platform/jobs.js';
import { createLogger } from '../../platform/logger.js';
import { moduleTimers } from '../index.js';

const t = await createTestApp();
const logger = createLogger({ level: 'silent' });
const jobs = await startJobs({
  db: t.db,
  databaseUrl: t.databaseUrl,
  logger,
  timers: moduleTimers({ db: t.db, config: t.config, outbox: t.outbox, logger }),
});
afterAll(() => jobs.stop());

describe('the deadline scheduler', () => {
  it('runs every minute from a pg-boss timer and warns the owners of every organization', async () => {
    const schedules = await jobs.boss.getSchedules();
    expect(schedules.map((s) => [s.name, s.cron])).toContainEqual(['deadline-warnings', '* * * * *']);

    const aware = new Date(Date.now() - 40 * 3_600_000);
    const managers = [];
    for (let i = 0; i < 2; i++) {
      const org = await createOrganization(t);
      const manager = await createUser(t, org, ['incident_manager'], { totp: false });
      await createIncident(
        t,
        org,
        {
          dataCategories: ['contact_details'],
          moments: { aware: aware.toISOString() },
          jurisdictions: [{ code: 'CZ', estimatedAffected: 10 }],
        },
        manager,
      );
      managers.push(manager);
    }
    await jobs.boss.send('deadline-warnings', {});
    for (const manager of managers) {
      const mail = await t.smtp.waitFor(manager.email, 30_000);
      expect(mail.parsed.subject).toMatch(/GDPR|NIS2|Czech/);
      const warnings = await withOrg(
        t.db,
        manager.organizationId,
        (tx) => tx.query<{ threshold: string }>('SELECT threshold FROM deadline_warnings WHERE sent'),
        { system: true },
      );
      // GDPR Art. 33 (72 h) is past half; the 24-hour NIS2 and Czech clocks have run out.
      expect(warnings.map((w) => w.threshold).sort()).toEqual(expect.arrayContaining(['50', 'missed']));
    }
  });
});
