import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, expect } from 'vitest';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Database } from '../src/platform/db.js';
import { createLogger, type Logger } from '../src/platform/logger.js';
import { smtpMailer } from '../src/platform/mailer.js';
import { masterKeyFrom, organizationKeyring } from '../src/platform/keys.js';
import { createMetrics } from '../src/platform/metrics.js';
import { createOutbox, type Outbox } from '../src/platform/outbox.js';
import { projectRoot } from '../src/platform/paths.js';
import { cloneTestDatabase, testDbKind } from './db.js';
import { leaksIn, sensitive } from './secrets.js';
import { startTestSmtp, type TestSmtp } from './smtp.js';

export interface TestApp {
  app: App;
  /** The owner's connection, to arrange and inspect; the app itself uses the login role (test/db.ts). */
  db: Database;
  config: Config;
  smtp: TestSmtp;
  outbox: Outbox;
  logs: string[];
  /** For a server: the owner's URL (what CANDOR_MIGRATION_DATABASE_URL names). */
  databaseUrl?: string;
  /** For a server: the login role's URL (what DATABASE_URL names for a started process). */
  appDatabaseUrl?: string;
}

/** Fresh secrets for a test install, each registered for the log scan. */
export function testSecretsEnv(): Record<string, string> {
  return {
    CANDOR_SESSION_SECRET: sensitive(randomBytes(32).toString('base64')),
    CANDOR_MASTER_KEY: sensitive(randomBytes(32).toString('base64')),
    CANDOR_AUDIT_KEY: sensitive(randomBytes(32).toString('base64')),
    CANDOR_METRICS_TOKEN: sensitive(randomBytes(24).toString('base64url')),
  };
}

/**
 * The whole app on this file's own database with a real SMTP server. Its
 * log output is captured and, after the file's tests, scanned for every
 * secret and personal value the tests registered.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const tdb = await cloneTestDatabase();
  const smtp = await startTestSmtp();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'candor-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    CANDOR_DATA_DIR: dataDir,
    CANDOR_PUBLIC_URL: 'http://localhost:3000',
    CANDOR_SMTP_URL: smtp.url,
    LOG_LEVEL: 'info',
    ...testSecretsEnv(),
    ...env,
  });
  const logs: string[] = [];
  const logDir = path.join(projectRoot, 'test-results', 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(
    logDir,
    `${testDbKind}-${path.basename(expect.getState().testPath ?? 'unknown')}.log`,
  );
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      appendFileSync(logFile, chunk);
      done();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const metrics = createMetrics();
  const mailer = smtpMailer(smtp.url);
  const outbox = createOutbox({ config, db: tdb.appDb, logger, metrics, mailer: () => mailer, pollMs: 100 });
  const keyring = organizationKeyring(masterKeyFrom(config.secrets));
  const app = await buildApp({ config, db: tdb.appDb, logger, outbox, metrics, keyring });
  await app.ready();
  outbox.start();

  afterAll(async () => {
    await app.close();
    await outbox.stop();
    await mailer.close();
    await smtp.close();
    await tdb.drop();
    rmSync(dataDir, { recursive: true, force: true });
    const leaks = leaksIn(logs.join(''));
    expect(leaks, `secrets or personal data in the logs of ${logFile}`).toEqual([]);
  });
  return { app, db: tdb.db, config, smtp, outbox, logs, databaseUrl: tdb.url, appDatabaseUrl: tdb.appUrl };
}

/** Another app built from the same dependencies (a test that adds routes to its own copy). */
export const rebuildApp = (t: Pick<TestApp, 'app'>): Promise<App> => buildApp(t.app.deps);

/**
 * A logger for workers and job runners a test starts itself: its lines join
 * t.logs, so the scan after the file's tests covers them too.
 */
export function testLogger(t: Pick<TestApp, 'logs'>): Logger {
  return createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        t.logs.push(chunk.toString());
        done();
      },
    }),
  });
}

/** How a Candor process a test starts reaches this file's server database: as production does, the login role for its work and the owner for migrations. */
export function processDatabaseEnv(
  t: Pick<TestApp, 'databaseUrl' | 'appDatabaseUrl'>,
): Record<string, string> {
  if (!t.databaseUrl || !t.appDatabaseUrl) throw new Error('only on a PostgreSQL server');
  return { DATABASE_URL: t.appDatabaseUrl, CANDOR_MIGRATION_DATABASE_URL: t.databaseUrl };
}
