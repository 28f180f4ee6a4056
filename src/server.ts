import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { buildApp, type App } from './app.js';
import { CONTROL_NDJSON, runCommand, type CommandContext, type CommandResult } from './cli/commands.js';
import type { Config } from './config.js';
import { controlSocketPath, openDatabase } from './platform/data-dir.js';
import { openServer, type Database } from './platform/db.js';
import { connectionRole, roleEscapes } from './platform/db-roles.js';
import { jobQueues, prepareJobs, startJobs, type Jobs } from './platform/jobs.js';
import { createLogger, type Logger } from './platform/logger.js';
import { smtpMailer, startDevMailbox, type Mailer } from './platform/mailer.js';
import { createMetrics } from './platform/metrics.js';
import { migrate } from './platform/migrations.js';
import { createOutbox, deliveryBacklog, type Outbox } from './platform/outbox.js';
import { issueSetupLink, setupNeeded } from './modules/accounts/index.js';
import { moduleTimers, sentJobs } from './modules/index.js';
import { startBounceListener, createNoticeWorker } from './modules/notices/index.js';
import { masterKeyFrom, organizationKeyring } from './platform/keys.js';

export interface Running {
  config: Config;
  db: Database;
  app?: App;
  outbox: Outbox;
  url: string;
  stop(): Promise<void>;
}

/** What a person at the terminal must see; deliberately not a log line. */
export type Announce = (text: string) => void;
const toTerminal: Announce = (text) => process.stderr.write(`${text}\n`);

/**
 * Starts Candor: database (migrated), mail, outbox worker, jobs, HTTP — the
 * parts CANDOR_ROLE asks for — and, on the embedded database, the control
 * socket through which the command-line tool reaches this process.
 */
export async function startCandor(
  config: Config,
  options: { logger?: Logger; announce?: Announce } = {},
): Promise<Running> {
  const announce = options.announce ?? toTerminal;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // Checked before anything starts: on the embedded database the CLI needs this socket.
  const socketPath = config.databaseUrl ? undefined : controlSocketPath(config.dataDir);
  const opened = await openDatabase(config, {
    onMadePrivate: (paths) =>
      logger.warn(
        { dataDir: config.dataDir, changed: paths.length, first: paths.slice(0, 5) },
        'the data directory was readable by others: made it private (directories 0700, files 0600)',
      ),
  });
  const { db } = opened;
  const closers: (() => Promise<void>)[] = [];
  // The owner of the tables, for what only the owner may do (migrations, pg-boss's schema, its
  // queues and the grants on them, the first-time setup link); closed once the start is done.
  // Requests, jobs and deliveries only ever run on DATABASE_URL's connections.
  const ownerUrl = config.migrationDatabaseUrl;
  const owner = ownerUrl ? openServer(ownerUrl, { max: 2 }) : undefined;
  let ownerOpen = owner !== undefined;
  const closeOwner = async () => {
    if (!ownerOpen) return;
    ownerOpen = false;
    await owner!.close();
  };
  closers.push(closeOwner);
  try {
    const ran = await migrate(owner ?? db);
    if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
    if (db.kind === 'server') await refuseOwnerLogin(db, config, logger);

    let smtpUrl = config.smtpUrl;
    if (!smtpUrl) {
      const mailbox = await startDevMailbox(config.dataDir, (file) =>
        announce(`Candor sent an e-mail (no CANDOR_SMTP_URL set); it is saved in ${file}`),
      );
      closers.push(mailbox.close);
      smtpUrl = mailbox.url;
    }
    let mailer: Mailer | undefined;
    const metrics = createMetrics();
    // One cache of the organizations' keys for the whole process.
    const keyring = organizationKeyring(masterKeyFrom(config.secrets));
    const outbox = createOutbox({
      config,
      db,
      logger,
      metrics,
      mailer: () => (mailer ??= smtpMailer(smtpUrl)),
      noticeLoops: config.email.deliveryLoops,
    });
    closers.push(async () => mailer?.close());

    let jobs: Jobs | undefined;
    if (config.role !== 'web') {
      // The notice engine: its fan-out jobs, and the outbox's workers sending notices too.
      const notices = createNoticeWorker({ db, config, logger, outbox, smtpUrl, keyring });
      notices.attach();
      closers.push(() => notices.close());
      const timers = [...moduleTimers({ db, config, outbox, logger, keyring }), ...notices.timers].filter(
        (timer) => !config.testHooks.withoutTimers.includes(timer.name),
      );
      if (owner) {
        await prepareJobs({ db: owner, databaseUrl: ownerUrl, logger, jobs: jobQueues(timers) });
      }
      jobs = await startJobs({ db, databaseUrl: config.databaseUrl, logger, timers, prepared: !!owner });
      closers.push(() => jobs!.stop());
      outbox.start();
      closers.push(() => outbox.stop());
      if (config.email.bounceSmtpPort !== undefined) {
        const bounces = await startBounceListener({
          db,
          keyring,
          auditKey: config.secrets.auditKey,
          logger,
          host: config.email.bounceSmtpHost,
          port: config.email.bounceSmtpPort,
          bounceDomain: config.email.bounceDomain,
          reportsPerMinute: config.email.reportsPerMinute,
        });
        logger.info({ port: bounces.port }, 'bounce listener started');
        closers.push(bounces.close);
      }
    }

    // The queues' gauges on /metrics: the outbox in every process, jobs and timers where they run.
    metrics.watchQueues({
      backlog: () => deliveryBacklog(db),
      queueDepths: jobs ? () => jobs!.queueDepths() : undefined,
      timerRuns: jobs ? () => jobs!.lastRuns : undefined,
    });

    // A web process works no jobs but queues some (in its requests' transactions): their queues
    // must exist before the first request, whether or not a worker ever started.
    if (config.role === 'web') {
      await prepareJobs({
        db: owner ?? db,
        databaseUrl: ownerUrl ?? config.databaseUrl,
        logger,
        jobs: sentJobs,
      });
    }

    let app: App | undefined;
    let url = config.publicUrl.origin;
    if (config.role !== 'worker') {
      app = await buildApp({ config, db, logger, outbox, metrics, keyring });
      closers.push(() => app!.close());
      const address = await app.listen({ host: config.host, port: config.port });
      if (config.port === 0) url = address;
    }

    if (socketPath) {
      const control = await startControlSocket({ config, db }, socketPath);
      closers.push(() => new Promise<void>((resolve) => control.close(() => resolve())));
    }

    if (app) {
      announce(`\nCandor is running: open ${url}`);
      if (await setupNeeded(db)) {
        // The one-time setup token is the owner's to write (setup_tokens has no grant to candor_app).
        const link = await issueSetupLink(owner ?? db, config.publicUrl);
        announce(
          `\nFirst-time setup: no admin exists yet. Open this one-time link (valid 60 minutes) to create\n` +
            `your organization and its first admin:\n\n  ${link}\n\n` +
            `A new link: restart Candor, or run "npx candor admin create".\n`,
        );
      }
    }

    await closeOwner();

    // Migrations, the job queue's tables and the socket made files of their own since the open.
    opened.keepPrivate();

    // The one sign that a process is up, whatever its role (a worker serves no /readyz).
    logger.info(
      { role: config.role, database: config.databaseUrl ? 'server' : 'embedded', ...(app ? { url } : {}) },
      'Candor started',
    );

    let stopping: Promise<void> | undefined;
    return {
      config,
      db,
      app,
      outbox,
      url,
      stop() {
        stopping ??= (async () => {
          for (const close of closers.reverse())
            await close().catch((e: unknown) => logger.error({ err: e }, 'shutdown step failed'));
          await opened.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await opened.close();
    throw error;
  }
}

/**
 * The processes log in as a role that cannot step out of row-level security: not the owner of the
 * tables, no superuser, no BYPASSRLS, nor a member of any of them (so neither RESET ROLE nor
 * SET ROLE reaches their rights). With CANDOR_MIGRATION_DATABASE_URL set, anything else is a
 * mistake and stops the start; without it (one URL, the owner's: how installs began, and what the
 * re-encryption after a key rotation still needs) a warning says what to change.
 */
async function refuseOwnerLogin(db: Database, config: Config, logger: Logger): Promise<void> {
  const escape = roleEscapes(await connectionRole(db));
  if (!escape) return;
  const fix =
    'Give DATABASE_URL a login role that is a member of candor_app (and candor_jobs for a worker), and ' +
    'CANDOR_MIGRATION_DATABASE_URL the owner of the tables: docs/OPERATIONS.md, "Database roles".';
  if (config.migrationDatabaseUrl) {
    throw new Error(
      `DATABASE_URL logs in as a role that can step out of row-level security: ${escape}. ${fix}`,
    );
  }
  logger.warn(
    { reason: escape },
    `DATABASE_URL logs in as a role that can step out of row-level security. ${fix}`,
  );
}

/**
 * The command-line tool's way into a running embedded install: a Unix socket
 * in the data directory, readable only by the user who runs Candor. A client
 * that accepts NDJSON gets the command's progress as {"progress":…} lines, then
 * {"result":…}; any other gets the result alone as JSON.
 */
async function startControlSocket(ctx: CommandContext, socket: string): Promise<Server> {
  rmSync(socket, { force: true });
  const server = createServer((req, res) => {
    const streamed = req.headers.accept === CONTROL_NDJSON;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let result: CommandResult;
        try {
          const { argv } = JSON.parse(Buffer.concat(chunks).toString()) as { argv: string[] };
          if (streamed) res.writeHead(200, { 'content-type': CONTROL_NDJSON });
          result = await runCommand(
            ctx,
            argv,
            streamed ? { progress: (event) => res.write(`${JSON.stringify({ progress: event })}\n`) } : {},
          );
        } catch (error) {
          result = { exitCode: 1, output: '', error: `${(error as Error).message}\n` };
        }
        if (streamed) res.end(`${JSON.stringify({ result })}\n`);
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen({ path: socket }, resolve));
  const { chmodSync } = await import('node:fs');
  chmodSync(socket, 0o600);
  return server;
}
