import { describe, expect, it } from 'vitest';
import { createTestApp, testLogger } from '../../test/app.js';
import { createOrganization } from '../../test/factories.js';
import { sensitive } from '../../test/secrets.js';
import { withOrg } from './db.js';
import { startJobs } from './jobs.js';
import { deliveryBacklog } from './outbox.js';

const t = await createTestApp();
await t.outbox.stop(); // the deliveries below stay due

const scrape = async () =>
  (
    await t.app.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${t.config.secrets.metricsToken}` },
    })
  ).body;

describe('the queue gauges on /metrics', () => {
  it('show deliveries due and the age of the oldest, pg-boss queue depths and the last run of each timer', async () => {
    const org = await createOrganization(t);
    for (const key of ['a', 'b', 'c']) {
      await withOrg(t.db, org, (tx) =>
        t.outbox.enqueueEmail(tx, org, {
          purpose: 'test',
          idempotencyKey: key,
          message: { to: sensitive(`${key}@example.test`), subject: 'S', text: 'T', html: '<p>T</p>' },
        }),
      );
    }
    // Due a minute ago: the oldest has waited at least that long.
    await withOrg(t.db, org, (tx) =>
      tx.query(
        "UPDATE deliveries SET next_attempt_at = now() - interval '60 seconds' WHERE idempotency_key = 'a'",
      ),
    );

    const jobs = await startJobs({ db: t.db, databaseUrl: t.databaseUrl, logger: testLogger(t) });
    try {
      await jobs.boss.send('audit-checkpoint', {});
      t.app.deps.metrics.watchQueues({
        backlog: () => deliveryBacklog(t.db),
        queueDepths: () => jobs.queueDepths(),
        timerRuns: () => jobs.lastRuns,
      });
      const before = await scrape();
      expect(before).toMatch(/^candor_deliveries_due\{kind="mail"\} 3$/m);
      const age = Number(
        /^candor_deliveries_oldest_due_age_seconds\{kind="mail"\} ([\d.]+)$/m.exec(before)?.[1],
      );
      expect(age).toBeGreaterThanOrEqual(60);
      expect(before).toMatch(/^candor_job_queue_depth\{queue="audit-checkpoint"\} [1-9]\d*$/m);
      expect(before).not.toMatch(/^candor_timer_last_run_timestamp_seconds\{/m);

      // The queued run is worked: the timer's last run appears, its queue empties.
      const deadline = Date.now() + 30_000;
      while (!jobs.lastRuns.has('audit-checkpoint') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const after = await scrape();
      const ran = Number(
        /^candor_timer_last_run_timestamp_seconds\{timer="audit-checkpoint"\} ([\d.]+)$/m.exec(after)?.[1],
      );
      expect(Math.abs(ran - Date.now() / 1000)).toBeLessThan(60);
      expect(after).toMatch(/^candor_job_queue_depth\{queue="audit-checkpoint"\} 0$/m);
    } finally {
      await jobs.stop();
    }
  }, 60_000);
});
