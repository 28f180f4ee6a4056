import PgBoss from 'pg-boss';
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { asApp, type Database, type Sql } from './db.js';
import type { Logger } from './logger.js';

export interface Jobs {
  boss: PgBoss;
  stop(): Promise<void>;
  /** Jobs waiting in each queue this process works. */
  queueDepths(): Promise<Record<string, number>>;
  /** When each timer or queue last finished a run in this process. */
  lastRuns: ReadonlyMap<string, Date>;
}

/**
 * pg-boss's way into our database: an open transaction (a job sent with the change that causes
 * it), or the database itself. On the embedded engine a call without parameters goes to exec(),
 * which runs several statements (pg-boss's own migrations) and returns the last one's rows.
 */
export function jobExecutor(sql: Sql | Database): PgBoss.Db {
  const pglite = 'pglite' in sql ? sql.pglite : undefined;
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (pglite && !values?.length) {
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      }
      return { rows: await sql.query(text, values) };
    },
  };
}

/** pg-boss on the same PostgreSQL (a pool of its own on a server); on the embedded engine, ours. */
export function createBoss(
  db: Database,
  databaseUrl: string | undefined,
  options: Omit<PgBoss.ConstructorOptions, 'db' | 'connectionString'> = {},
): PgBoss {
  if (databaseUrl || !db.pglite) return new PgBoss({ connectionString: databaseUrl, max: 4, ...options });
  return new PgBoss({ db: jobExecutor(db), ...options });
}

/** How a job starts, is retried and is kept: pg-boss's send options, without the connection. */
export type JobOptions = Omit<PgBoss.SendOptions, 'db'>;

/** A kind of job as its senders know it: the queue, the shape of its data, its send options. */
export interface JobType<S extends TSchema = TSchema> {
  readonly name: string;
  readonly schema: S;
  readonly options?: JobOptions;
}

/** A job a worker runs: its queue, schema and handler, worked by startJobs as a queue (no cron). */
export interface JobDefinition<S extends TSchema = TSchema> extends ModuleTimer {
  readonly schema: S;
}

const validators = new WeakMap<TSchema, ReturnType<typeof Compile>>();

function assertJobData(job: JobType, data: unknown, where: string): void {
  let validator = validators.get(job.schema);
  if (!validator) validators.set(job.schema, (validator = Compile(job.schema)));
  if (validator.Check(data)) return;
  // Where and why, never the values: a job's data holds an organization's identifiers.
  const problems = [...validator.Errors(data)]
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new Error(
    `${where}: the data of a ${job.name} job does not match its schema (${problems.join('; ')})`,
  );
}

/**
 * A typed job (as Documenso's job definitions): its data is checked against the schema when the
 * job is sent (sendJob) and again when it runs, before the handler sees it.
 */
export function defineJob<S extends TSchema>(
  name: string,
  schema: S,
  handler: (data: Static<S>, jobId: string) => Promise<number>,
): JobDefinition<S> {
  return {
    name,
    schema,
    async run(data, jobId = 'unknown') {
      assertJobData({ name, schema }, data, `job ${jobId}`);
      return handler(data as Static<S>, jobId);
    },
  };
}

// pg-boss for its SQL only: never started (it polls nothing), and every send names its connection.
const sender = new PgBoss({
  db: { executeSql: () => Promise.reject(new Error('A job is sent with a transaction: sendJob(tx, …)')) },
});

/**
 * Queues a job with the transaction of the change that causes it: the job exists once that
 * transaction commits, and never if it rolls back. Runs as whoever the transaction acts as (the
 * request role has INSERT on pgboss.job: candor_grant_job_rights()).
 */
export async function sendJob<S extends TSchema>(
  tx: Sql,
  job: JobType<S>,
  data: Static<S>,
  options: JobOptions = {},
): Promise<string> {
  assertJobData(job, data, 'sendJob');
  const id = await sender.send(job.name, data as object, { ...job.options, ...options, db: jobExecutor(tx) });
  // pg-boss inserts through a join with its queue table: no row means no such queue.
  if (!id) throw new Error(`The ${job.name} job was not queued: its queue does not exist on this database`);
  return id;
}

/**
 * The request role's rights on pg-boss's tables (migrations/20261207030000_jobs_in_transaction.sql):
 * granted after pg-boss has created or migrated them, since it does so after our migrations ran.
 */
async function grantJobRights(db: Database): Promise<void> {
  await db.query('SELECT candor_grant_job_rights()');
}

/**
 * For a process that sends jobs but works none (CANDOR_ROLE=web): pg-boss's schema installed or
 * migrated, the queues it sends to made and the request role's rights granted, so that a request
 * can queue its job before any worker has started (the job then waits for one).
 */
export async function prepareJobs(deps: {
  db: Database;
  databaseUrl: string | undefined;
  logger: Logger;
  jobs: readonly Pick<JobType, 'name'>[];
}): Promise<void> {
  const boss = createBoss(deps.db, deps.databaseUrl, { supervise: false, schedule: false });
  boss.on('error', (error: unknown) => deps.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  try {
    for (const job of deps.jobs) await boss.createQueue(job.name);
  } finally {
    await boss.stop({ graceful: false });
  }
  await grantJobRights(deps.db);
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

/** Every queue a worker with these timers works: the platform's timers and the modules'. */
export function jobQueues(timers: readonly ModuleTimer[] = []): { name: string }[] {
  return [...Object.keys(TIMERS), ...timers.map((t) => t.name)].map((name) => ({ name }));
}

export async function startJobs(deps: {
  db: Database;
  databaseUrl: string | undefined;
  logger: Logger;
  timers?: readonly ModuleTimer[];
  /**
   * The owner already made pg-boss's schema, the queues and the grants (prepareJobs on
   * CANDOR_MIGRATION_DATABASE_URL): this process logs in as a role that may work jobs (a member of
   * candor_jobs) but not create tables or grant rights.
   */
  prepared?: boolean;
}): Promise<Jobs> {
  const boss = createBoss(deps.db, deps.databaseUrl);
  boss.on('error', (error: unknown) => deps.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  // Every queue before any worker: a job queues others in its transaction (a send its chunks), and
  // a queue not made yet would fail it.
  const names = jobQueues(deps.timers).map((q) => q.name);
  if (!deps.prepared) {
    for (const name of names) await boss.createQueue(name);
    await grantJobRights(deps.db);
  }
  const lastRuns = new Map<string, Date>();
  for (const [name, timer] of Object.entries(TIMERS)) {
    await boss.schedule(name, timer.cron);
    await boss.work(name, async () => {
      const rows = await asApp(deps.db, (tx) => tx.query<{ n: number }>(timer.sql));
      deps.logger.info({ job: name, affected: rows[0]?.n ?? 0 }, 'timer ran');
      lastRuns.set(name, new Date());
    });
  }
  for (const timer of deps.timers ?? []) {
    if (timer.cron) await boss.schedule(timer.name, timer.cron);
    // A queue fed by requests takes what is waiting in batches (pg-boss pauses between fetches);
    // a batch that fails is retried whole, so its jobs must be safe to run again.
    const options = timer.cron ? {} : { batchSize: 20, pollingIntervalSeconds: 1 };
    await boss.work(timer.name, options, async (jobs) => {
      for (const job of jobs) {
        const affected = await timer.run(job.data, job.id);
        if (affected > 0) deps.logger.info({ job: timer.name, affected }, 'timer ran');
      }
      lastRuns.set(timer.name, new Date());
    });
  }
  return {
    boss,
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }),
    lastRuns,
    async queueDepths() {
      const depths: Record<string, number> = {};
      for (const name of names) depths[name] = await boss.getQueueSize(name);
      return depths;
    },
  };
}
