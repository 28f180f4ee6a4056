import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { lockHolder } from '../platform/data-dir.js';
import { createLogger } from '../platform/logger.js';
import { PREVIOUS_MASTER_KEYS_VARIABLE, SECRET_VARIABLES, SECRETS_FILE } from '../platform/secrets.js';
import type { CommandContext, CommandResult } from './command-types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `candor keys …` and `candor org delete`, run locally or inside the server (control socket). */
export async function runKeysCommand(ctx: CommandContext, argv: string[]): Promise<CommandResult> {
  const [group, name, ...args] = argv;
  // Loaded when a keys command runs, not when the CLI registers it.
  const { keyStatus, rotateKeys, deleteOrganization, DeletionRefused } =
    await import('../modules/keys/index.js');
  const deps = { db: ctx.db, secrets: ctx.config.secrets };
  switch (`${group} ${name}`) {
    case 'keys rotate': {
      const report = await rotateKeys(deps);
      const lines = [
        `Re-wrapped ${report.rewrapped} organization keys under the master key in use.`,
        ...Object.entries(report.resealed).map(
          ([column, n]) => `Re-sealed ${n} values of ${column} from a previous master key.`,
        ),
        ...(report.unreadable
          ? [`${report.unreadable} values open under no configured master key; they were left as they are.`]
          : []),
        report.organizations.length
          ? `New data key version for ${report.organizations.length} organizations:`
          : 'No organization holds keys yet: nothing to re-encrypt.',
        ...report.organizations.map((o) => `  ${o.id}  version ${o.version}`),
        ...(report.organizations.length
          ? [
              'The worker re-encrypts their data in the background (job keys-reencrypt, every minute);',
              'old versions are destroyed once nothing uses them. Progress: candor keys status',
            ]
          : []),
      ];
      return { exitCode: 0, output: `${lines.join('\n')}\n` };
    }
    case 'keys status': {
      const status = await keyStatus(ctx.db);
      if (args.includes('--json')) {
        return { exitCode: 0, output: `${JSON.stringify({ organizations: status }, null, 2)}\n` };
      }
      if (!status.length) return { exitCode: 0, output: 'No organization holds keys yet.\n' };
      const lines = status.map((s) => {
        const remaining = Object.values(s.remaining).reduce((a, b) => a + b, 0);
        const tables = Object.entries(s.remaining)
          .filter(([, n]) => n > 0)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ');
        return (
          `${s.organizationId}  data key version ${s.currentVersion}` +
          (s.versions.length > 1 ? ` (older still held: ${s.versions.slice(0, -1).join(', ')})` : '') +
          `  rows to re-encrypt: ${remaining}${tables ? ` (${tables})` : ''}`
        );
      });
      return { exitCode: 0, output: `${lines.join('\n')}\n` };
    }
    case 'org delete': {
      const id = args[0];
      const at = args.indexOf('--confirm');
      const confirmation = at >= 0 ? args[at + 1] : undefined;
      if (!id || !UUID.test(id) || confirmation === undefined) {
        return fail('Usage: candor org delete ORGANIZATION_ID --confirm "ORGANIZATION NAME"\n');
      }
      try {
        const receipt = await deleteOrganization(ctx.db, id, confirmation);
        // The organization's own audit chain went with it: this log line is the record that stays.
        createLogger({ level: ctx.config.logLevel, destination: pino.destination(2) }).info(
          { receipt },
          'organization deleted',
        );
        const rows = Object.entries(receipt.rows).map(([t, n]) => `  ${t}: ${n}`);
        return {
          exitCode: 0,
          output:
            `Deleted organization ${receipt.organizationId} at ${receipt.deletedAt}.\n` +
            `Destroyed ${receipt.keysDestroyed} organization keys first; its leftover ciphertext can no longer be decrypted.\n` +
            `Rows deleted:\n${rows.join('\n')}\n` +
            'Backups made before now still hold its data and keys: destroy them as your retention policy says.\n',
        };
      } catch (error) {
        if (error instanceof DeletionRefused) return fail(`${error.message}\n`);
        throw error;
      }
    }
    default:
      return fail(`Unknown command: ${argv.join(' ')}\n`);
  }
}

const fail = (error: string): CommandResult => ({ exitCode: 1, output: '', error });

/**
 * `--new-master-key` on an embedded install: a new master key into secrets.json, the old one kept
 * as previous (it still unwraps until the rotation has re-wrapped everything). Candor must be
 * stopped, so that no process keeps using the old key alone.
 */
export function replaceMasterKeyFile(env: Record<string, string | undefined> = process.env): string {
  const config = loadConfig(env);
  if (config.databaseUrl || env[SECRET_VARIABLES.masterKey]) {
    throw new Error(
      `--new-master-key replaces the key in ${SECRETS_FILE} of an embedded install. Your master key comes from ` +
        `${SECRET_VARIABLES.masterKey}: stop Candor, run candor keys rotate with the new key there and the old one ` +
        `in ${PREVIOUS_MASTER_KEYS_VARIABLE}, then start Candor with the new key.`,
    );
  }
  const pid = lockHolder(config.dataDir);
  if (pid !== undefined) {
    throw new Error(
      `Candor is running on ${config.dataDir} (process ${pid}). Stop it before you replace the master key.`,
    );
  }
  const file = path.join(config.dataDir, SECRETS_FILE);
  // loadConfig above read (or created) it, so it holds a master key.
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & {
    masterKey: string;
    previousMasterKeys?: string[];
  };
  const next = {
    ...stored,
    masterKey: randomBytes(32).toString('base64'),
    previousMasterKeys: [stored.masterKey, ...(stored.previousMasterKeys ?? [])],
  };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(next, null, 2), { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
  return file;
}

export function addKeysCommands(cli: Command, dispatch: (argv: string[]) => Promise<void>): void {
  const keys = cli.command('keys').description('The keys that encrypt customer data');
  keys
    .command('rotate')
    .description(
      'Re-wrap every organization key under the current master key, start a new data key version for every ' +
        'organization, and let the worker re-encrypt the data to it in the background',
    )
    .option(
      '--new-master-key',
      `embedded install: first generate a new master key into ${SECRETS_FILE}, keeping the old one as previous ` +
        '(Candor must be stopped)',
    )
    .action(async (options: { newMasterKey?: boolean }) => {
      if (options.newMasterKey) {
        const file = replaceMasterKeyFile();
        process.stdout.write(`New master key written to ${file}; the old one is kept there as previous.\n`);
      }
      await dispatch(['keys', 'rotate']);
    });
  keys
    .command('status')
    .description('Per organization: the data key version in use and the rows still to re-encrypt')
    .option('--json', 'print the status as JSON')
    .action((options: { json?: boolean }) =>
      dispatch(['keys', 'status', ...(options.json ? ['--json'] : [])]),
    );

  const org = cli.command('org').description('Organizations');
  org
    .command('delete')
    .argument('<organization-id>', 'the organization to delete, with all its data')
    .requiredOption('--confirm <name>', 'the organization’s exact name, typed again')
    .description(
      'Delete an organization and destroy its keys first (crypto-shredding): afterwards its data cannot be decrypted',
    )
    .action((id: string, options: { confirm: string }) =>
      dispatch(['org', 'delete', id, '--confirm', options.confirm]),
    );
}
