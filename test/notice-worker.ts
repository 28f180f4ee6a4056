import { afterAll } from 'vitest';
import { createNoticeWorker } from '../src/modules/notices/delivery-worker.js';
import { startJobs } from '../src/platform/jobs.js';
import { testLogger, type TestApp } from './app.js';

type WorkerOptions = Parameters<typeof createNoticeWorker>[0];

/**
 * The notice engine as a worker runs it, on the test app's database, outbox and SMTP server:
 * attached to the outbox, its jobs started, both stopped after the file's tests.
 */
export async function startTestNoticeWorker(
  t: TestApp,
  options: Pick<WorkerOptions, 'channels' | 'overrides'> = {},
) {
  const logger = testLogger(t);
  const worker = createNoticeWorker({
    db: t.db,
    config: t.config,
    logger,
    outbox: t.outbox,
    smtpUrl: t.smtp.url,
    ...options,
  });
  worker.attach();
  const jobs = await startJobs({ db: t.db, databaseUrl: t.databaseUrl, logger, timers: worker.timers });
  afterAll(async () => {
    await jobs.stop();
    await worker.close();
  });
  return { worker, logger };
}
