import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { controlSocketPath, lockHolder, openDatabase, pgDataPath } from '../platform/data-dir.js';
import { openServer } from '../platform/db.js';
import { projectRoot } from '../platform/paths.js';
import { migrate } from '../platform/migrations.js';
import { SECRET_VARIABLES, SECRETS_FILE } from '../platform/secrets.js';
import { CONTROL_NDJSON as NDJSON, type CommandResult } from './command-types.js';
import type { CommandEvent } from './commands.js';
import { addImportCommands } from './customers-import-args.js';
import { importProgress } from './import-progress.js';
import { addKeysCommands } from './keys-commands.js';
import { backupKeygen, readRecipientsFile } from './backup.js';
import { copyToServer, restoreBackup } from './transfer.js';

/** How long a graceful stop may take before the process exits regardless. */
const STOP_TIMEOUT_SECONDS = 30;

/** A server holds the embedded database: commands run inside it, through the control socket. */
const runsInServer = (config: Config) => !config.databaseUrl && lockHolder(config.dataDir) !== undefined;

/** Runs a database command in the running server if it holds the embedded database, else here. */
async function execute(
  argv: string[],
  progress?: (event: CommandEvent) => void,
  config = loadConfig(),
): Promise<CommandResult> {
  return runsInServer(config) ? viaControlSocket(config, argv, progress) : locally(config, argv, progress);
}

function print(result: CommandResult): void {
  process.stdout.write(result.output);
  if (result.error) process.stderr.write(result.error);
  process.exitCode = result.exitCode;
}

async function dispatch(argv: string[]): Promise<void> {
  print(await execute(argv));
}

/** An import draws its progress on standard error, then prints its summary. */
async function dispatchImport(argv: string[]): Promise<void> {
  const config = loadConfig();
  const drawn = importProgress(process.stderr);
  // Ctrl-C ends the display cleanly and says how the import goes on.
  const interrupt = () => {
    drawn.interrupted(runsInServer(config));
    process.exit(130);
  };
  process.once('SIGINT', interrupt);
  let result: CommandResult;
  try {
    result = await execute(argv, (event) => drawn.event(event), config);
  } finally {
    process.off('SIGINT', interrupt);
    drawn.finish();
  }
  print(result);
}

async function locally(
  config: Config,
  argv: string[],
  progress?: (event: CommandEvent) => void,
): Promise<CommandResult> {
  // The operator's tool acts as the owner of the tables (migrations, audit checks, key rotation):
  // CANDOR_MIGRATION_DATABASE_URL when the processes log in as a role of their own.
  const opened = await openDatabase({
    ...config,
    databaseUrl: config.migrationDatabaseUrl ?? config.databaseUrl,
  });
  try {
    if (argv[0] !== 'migrate') await migrate(opened.db);
    // Loaded when a command runs here: --help, --version and commands sent to a running server
    // start without the modules (each CLI start costs a second less CPU).
    const { runCommand } = await import('./commands.js');
    return await runCommand({ config, db: opened.db }, argv, progress ? { progress } : {});
  } finally {
    await opened.close();
  }
}

/**
 * The control socket: POST /run with {argv}. Asked for NDJSON, the server streams
 * {"progress":…} lines while the command runs, then one {"result":…} line.
 */
function viaControlSocket(
  config: Config,
  argv: string[],
  progress?: (event: CommandEvent) => void,
): Promise<CommandResult> {
  const socketPath = controlSocketPath(config.dataDir);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/run', method: 'POST', headers: { accept: NDJSON } }, (res) => {
      let buffered = '';
      let result: CommandResult | undefined;
      const take = (line: string) => {
        if (!line.trim()) return;
        const message = JSON.parse(line) as { progress?: CommandEvent; result?: CommandResult };
        if (message.progress) progress?.(message.progress);
        if (message.result) result = message.result;
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let at: number;
        while ((at = buffered.indexOf('\n')) >= 0) {
          take(buffered.slice(0, at));
          buffered = buffered.slice(at + 1);
        }
      });
      res.on('end', () => {
        take(buffered);
        if (result) resolve(result);
        else reject(new Error('The running Candor ended the command without an answer; see its log.'));
      });
    });
    req.on('error', (error) =>
      reject(
        new Error(
          `Candor is running on ${config.dataDir} but its control socket does not answer (${error.message}). ` +
            'Stop it and run the command again.',
        ),
      ),
    );
    req.end(JSON.stringify({ argv }));
  });
}

/** Checked before anything is opened (the URL is never echoed: it may hold a password). */
function postgresUrl(value: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    throw new Error('The database URL must look like postgres://user:password@host:5432/database');
  }
  return parsed;
}

function refuseWhileRunning(config: Config, what: string): void {
  const pid = lockHolder(config.dataDir);
  if (pid !== undefined) {
    throw new Error(`Candor is running on ${config.dataDir} (process ${pid}). Stop it before you ${what}.`);
  }
}

export function program(): Command {
  const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const cli = new Command('candor')
    .description('Candor: keep your customers’ trust through a cybersecurity incident.')
    .version(version, '-V, --version', 'print the version of Candor')
    .showHelpAfterError();

  cli
    .command('start')
    .description('Start Candor (web and worker; CANDOR_ROLE=web|worker splits them)')
    .action(async () => {
      // Handlers before anything starts: until a listener exists the OS default for SIGTERM
      // applies (death on the spot, data directory still locked). A signal during the start
      // (migrations, say) is handled once this synchronous code ends: it waits for the start,
      // then stops cleanly.
      // A signal while the server's code is still loading is kept and acted on once the start begins.
      let early: string | undefined;
      let onSignal: (signal: string) => void = (signal) => (early ??= signal);
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      const { startCandor } = await import('../server.js');
      const started = startCandor(loadConfig());
      let stopping = false;
      onSignal = (signal) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`\nCandor is shutting down (${signal})…\n`);
        setTimeout(() => {
          process.stderr.write(`Candor did not stop within ${STOP_TIMEOUT_SECONDS} s; exiting anyway.\n`);
          process.exit(1);
        }, STOP_TIMEOUT_SECONDS * 1000).unref();
        void started.then(
          (running) =>
            running.stop().then(
              () => process.exit(0),
              (error: unknown) => {
                process.stderr.write(`Candor did not stop cleanly: ${(error as Error).message}\n`);
                process.exit(1);
              },
            ),
          () => undefined, // the start failed: main() reports it and exits 1
        );
      };
      if (early) onSignal(early);
      await started;
    });

  cli
    .command('migrate')
    .description('Apply pending database migrations')
    .action(() => dispatch(['migrate']));

  const admin = cli.command('admin').description('Administration when nobody can sign in');
  admin
    .command('create')
    .description('Print a one-time link (valid 60 minutes) that creates an organization and its first admin')
    .action(() => dispatch(['admin', 'create']));
  admin
    .command('reset-mfa')
    .argument('<email>', 'the user whose second factors are removed')
    .description('Remove a user’s second factors (for the last admin who lost theirs)')
    .action((email: string) => dispatch(['admin', 'reset-mfa', email]));

  const audit = cli.command('audit').description('The audit log');
  audit
    .command('verify')
    .description('Verify every organization’s hash chain; names the first row altered, inserted or removed')
    .option('--json', 'print the report as JSON')
    .action((options: { json?: boolean }) =>
      dispatch(['audit', 'verify', ...(options.json ? ['--json'] : [])]),
    );
  audit
    .command('export')
    .argument('[file]', 'write JSON Lines to this file instead of standard output')
    .description('Export the audit log as JSON Lines')
    .action((file?: string) => dispatch(['audit', 'export', ...(file ? [path.resolve(file)] : [])]));

  const customers = cli.command('customers').description('The customer vault');
  customers
    .command('export')
    .argument('<customer>', 'the customer’s external id or id')
    .requiredOption('--org <organization-id>', 'the organization the customer belongs to')
    .description('Print everything held about one customer as JSON (a data-subject access request; audited)')
    .action((customer: string, options: { org: string }) =>
      dispatch(['customers', 'export', customer, '--org', options.org]),
    );

  addImportCommands(customers, dispatchImport);

  addKeysCommands(cli, dispatch);

  cli
    .command('backup')
    .argument('<file>', 'where to write the backup (age-encrypted; a gzipped tarball with --unencrypted)')
    .description('Back up the embedded database, encrypted to your age public key (works while Candor runs)')
    .option(
      '--recipient <age-public-key>',
      'encrypt to this age public key (age1…); repeat for more',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--recipients-file <file>', 'encrypt to the age public keys in this file, one a line')
    .option('--unencrypted', 'write the database unencrypted (refused unless asked for by name)')
    .action(
      (file: string, options: { recipient: string[]; recipientsFile?: string; unencrypted?: boolean }) => {
        const recipients = [
          ...options.recipient,
          ...(options.recipientsFile ? readRecipientsFile(options.recipientsFile) : []),
        ];
        return dispatch([
          'backup',
          path.resolve(file),
          ...recipients.flatMap((recipient) => ['--recipient', recipient]),
          ...(options.unencrypted ? ['--unencrypted'] : []),
        ]);
      },
    );

  cli
    .command('backup-keygen')
    .argument('<file>', 'where to write the private key (outside the data directory; never overwritten)')
    .description('Make an age key pair for backups: writes the private key, prints the public key')
    .action(async (file: string) => {
      const recipient = await backupKeygen(path.resolve(file), loadConfig().dataDir);
      process.stdout.write(`${recipient}\n`);
      process.stderr.write(
        `The private key is in ${file}: move it off this machine and keep it safe; without it no backup can be restored.\n` +
          `Back up with: candor backup FILE --recipient ${recipient}\n`,
      );
    });

  cli
    .command('restore')
    .argument('<file>', 'a backup made by candor backup')
    .description(
      'Replace the embedded database with a backup whose audit chain verifies (Candor must be stopped)',
    )
    .option('--identity <file>', 'the age private key file the backup was encrypted to')
    .action(async (file: string, options: { identity?: string }) => {
      const config = loadConfig();
      refuseWhileRunning(config, 'restore a backup');
      const kept = await restoreBackup(config.dataDir, path.resolve(file), {
        identityFile: options.identity ? path.resolve(options.identity) : undefined,
        auditKey: config.secrets.auditKey,
      });
      process.stdout.write(
        `Restored ${file}; its audit chain verifies.${kept ? ` The previous database is kept in ${kept}.` : ''}\n`,
      );
    });

  cli
    .command('copy-to-server')
    .argument('<database-url>', 'postgres://… of an empty database on a PostgreSQL server')
    .description('Copy the embedded database into a PostgreSQL server (Candor must be stopped)')
    .action(async (url: string) => {
      const shown = postgresUrl(url);
      const config = loadConfig({ ...process.env, DATABASE_URL: undefined });
      refuseWhileRunning(config, 'copy the database');
      // Opening a directory without a database would create an empty one and copy that.
      if (!existsSync(pgDataPath(config.dataDir))) {
        throw new Error(
          `No embedded database in ${pgDataPath(config.dataDir)}: set CANDOR_DATA_DIR to the data directory of the install to copy.`,
        );
      }
      const source = await openDatabase({ databaseUrl: undefined, dataDir: config.dataDir });
      const target = openServer(url);
      try {
        await copyToServer(source.db, target, (line) => process.stdout.write(`${line}\n`));
        // URL.origin is "null" for postgres: URLs; show the address without its password.
        if (shown.password) shown.password = '***';
        const variables = Object.entries(SECRET_VARIABLES).map(
          ([key, variable]) => `  ${variable}: "${key}"`,
        );
        process.stdout.write(
          `Done. Start Candor with DATABASE_URL=${shown.toString()} and the same secrets. With DATABASE_URL set\n` +
            `${path.join(config.dataDir, SECRETS_FILE)} is not read: copy its values into the environment:\n` +
            `${variables.join('\n')}\n`,
        );
      } finally {
        await target.close();
        await source.close();
      }
    });
  return cli;
}

export async function main(argv = process.argv): Promise<void> {
  // Whatever Candor writes (its data directory, backups, exports) is its user's alone.
  process.umask(0o077);
  try {
    await program().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
