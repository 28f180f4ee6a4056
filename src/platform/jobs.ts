import PgBoss from 'pg-boss';
import { asApp, type Database } from './db.js';
import type { Logger } from './logger.js';

export interface Jobs {
  boss: PgBoss;
  stop(): Promise<void>;
}

/** pg-boss on the same PostgreSQL; on the embedded engine through its executeSql adapter. */
export function createBoss(db: Database, databaseUrl: string | undefined): PgBoss {
  const pglite = db.pglite;
  if (databaseUrl || !pglite) return new PgBoss({ connectionString: databaseUrl, max: 4 });
  return new PgBoss({
    db: {
      async executeSql(text: string, values: unknown[]) {
        // exec() runs several statements when there are no parameters (pg-boss's own migrations).
        if (!values || values.length === 0) {
          const results = await pglite.exec(text);
          return { rows: results.at(-1)?.rows ?? [] };
        }
        return pglite.query(text, values);
      },
    },
  });
}

/** The timers every installation runs, each a named cross-organization function. */
export const TIMERS = {
  'audit-checkpoint': { cron: '0 * * * *', sql: 'SELECT candor_checkpoint_audit_heads() AS n' },
  'purge-expired': { cron: '*/15 * * * *', sql: 'SELECT candor_purge_expired() AS n' },
  // Import error reports hold personal data: deleted 30 days after they were written.
  'purge-import-errors': { cron: '17 * * * *', sql: 'SELECT candor_purge_import_errors() AS n' },
} as const;

/**
 * A module's timer: code of its own rather than one SQL function (e.g. the deadline warnings).
 * Without a cron it is a queue the app sends jobs to (e.g. the "Was I affected?" look-up).
 */
export interface ModuleTimer {
  name: string;
  cron?: string;
  /** Returns how much it did; logged when more than nothing. A sent job's data and id are passed. */
  run(data?: unknown, jobId?: string): Promise<number>;
}

export async function startJobs(deps: {
  db: Database;
  databaseUrl: string | undefined;
  logger: Logger;
  timers?: readonly ModuleTimer[];
}): Promise<Jobs> {
  const boss = createBoss(deps.db, deps.databaseUrl);
  boss.on('error', (error: unknown) => deps.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const [name, timer] of Object.entries(TIMERS)) {
    await boss.createQueue(name);
    await boss.schedule(name, timer.cron);
    await boss.work(name, async () => {
      const rows = await asApp(deps.db, (tx) => tx.query<{ n: number }>(timer.sql));
      deps.logger.info({ job: name, affected: rows[0]?.n ?? 0 }, 'timer ran');
    });
  }
  for (const timer of deps.timers ?? []) {
    await boss.createQueue(timer.name);
    if (timer.cron) await boss.schedule(timer.name, timer.cron);
    // A queue fed by requests takes what is waiting in batches (pg-boss pauses between fetches);
    // a batch that fails is retried whole, so its jobs must be safe to run again.
    const options = timer.cron ? {} : { batchSize: 20, pollingIntervalSeconds: 1 };
    await boss.work(timer.name, options, async (jobs) => {
      for (const job of jobs) {
        const affected = await timer.run(job.data, job.id);
        if (affected > 0) deps.logger.info({ job: timer.name, affected }, 'timer ran');
      }
    });
  }
  return {
    boss,
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
  };
}
