import { writeFileSync } from 'node:fs';
import { locate, withOrg } from '../platform/db.js';
import { issueSetupLink, resetMfa } from '../modules/accounts/index.js';
import { appendAudit, systemActor, verifyAuditChains } from '../modules/audit/index.js';
import { migrate } from '../platform/migrations.js';
import { masterKeyFrom, organizationKeyring } from '../platform/keys.js';
import { exportCustomer, resolveCustomerId } from '../modules/customers/index.js';
import { backupTarget, BackupError, writeBackup, type BackupTarget } from './backup.js';
import { runKeysCommand } from './keys-commands.js';
import { listAuditEvents } from './cli-repo.js';
import { customersImport, customersImportErrors, type ImportEvent } from './customers-import.js';

import { CONTROL_NDJSON, type CommandContext, type CommandResult } from './command-types.js';

export type { CommandContext, CommandResult };
export { CONTROL_NDJSON };

/** What a long command reports while it runs (the CLI draws it; the control socket streams it). */
export type CommandEvent = ImportEvent;

export interface CommandIO {
  progress?: (event: CommandEvent) => void;
}

/**
 * The commands that need the database. The CLI runs them on its own
 * connection, or, when a server holds the embedded database, inside that
 * server through the control socket: the same code either way.
 */
export async function runCommand(
  ctx: CommandContext,
  argv: string[],
  io: CommandIO = {},
): Promise<CommandResult> {
  if (argv[0] === 'keys' || argv[0] === 'org') return runKeysCommand(ctx, argv);
  // Only these groups have subcommands; the others take their arguments directly (backup FILE).
  const grouped = argv[0] === 'admin' || argv[0] === 'audit' || argv[0] === 'customers';
  const key = grouped ? argv.slice(0, 2).join(' ') : (argv[0] ?? '');
  const args = argv.slice(grouped ? 2 : 1);
  switch (key) {
    case 'migrate': {
      const ran = await migrate(ctx.db);
      return ok(ran.length ? `Applied ${ran.join(', ')}\n` : 'The database is up to date.\n');
    }
    case 'admin create': {
      const link = await issueSetupLink(ctx.db, ctx.config.publicUrl);
      return ok(
        `Open this one-time link (valid 60 minutes) to create an organization and its first admin:\n\n  ${link}\n`,
      );
    }
    case 'admin reset-mfa': {
      const email = args[0];
      if (!email) return fail('Usage: candor admin reset-mfa EMAIL\n');
      const user = await locate(ctx.db, 'candor_find_user_by_email', email);
      if (!user) return fail(`No user has the e-mail address ${email}.\n`);
      await withOrg(ctx.db, user.organization_id, async (tx) => {
        await resetMfa(tx, user.id);
        await appendAudit(tx, ctx.config.secrets.auditKey, user.organization_id, systemActor(), {
          action: 'user.mfa_reset',
          targetType: 'user',
          targetId: user.id,
          data: { via: 'cli' },
        });
      });
      return ok(`Second factors removed for ${email}; they enrol again at their next sign-in.\n`);
    }
    case 'audit verify': {
      const reports = await verifyAuditChains(ctx.db, ctx.config.secrets.auditKey);
      const broken = reports.filter((r) => !r.ok).length;
      const lines = reports.map((r) =>
        r.ok
          ? `ok      organization ${r.organizationId}: ${r.events} events, chain intact`
          : `BROKEN  organization ${r.organizationId}: ${r.problem}`,
      );
      // The report is the answer either way; a broken chain also fails the command, on stderr.
      const output = args.includes('--json')
        ? `${JSON.stringify({ ok: broken === 0, organizations: reports }, null, 2)}\n`
        : `${lines.join('\n') || 'No organizations yet.'}\n`;
      if (!broken) return ok(output);
      return {
        exitCode: 1,
        output,
        error: `The audit chain of ${broken} ${broken === 1 ? 'organization is' : 'organizations are'} broken.\n`,
      };
    }
    case 'audit export': {
      const file = args[0];
      const rows = await listAuditEvents(ctx.db);
      const jsonl = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
      if (!file) return ok(jsonl);
      writeFileSync(file, jsonl, { mode: 0o600 });
      return ok(`Wrote ${rows.length} audit events to ${file}\n`);
    }
    case 'customers export': {
      const orgAt = args.indexOf('--org');
      const organizationId = orgAt >= 0 ? args[orgAt + 1] : undefined;
      const who = args.find((a, i) => i !== orgAt && i !== orgAt + 1);
      if (!who || !organizationId || !/^[0-9a-f-]{36}$/i.test(organizationId))
        return fail('Usage: candor customers export EXTERNAL_ID_OR_ID --org ORGANIZATION_ID\n');
      const keyring = organizationKeyring(masterKeyFrom(ctx.config.secrets));
      const exported = await withOrg(
        ctx.db,
        organizationId,
        async (tx) => {
          const id = await resolveCustomerId(tx, who);
          if (!id) return undefined;
          const result = await exportCustomer(tx, await keyring.get(tx, organizationId), id);
          if (!result) return undefined;
          await appendAudit(tx, ctx.config.secrets.auditKey, organizationId, systemActor(), {
            action: 'customer.exported',
            targetType: 'customer',
            targetId: id,
            data: { reason: 'data_subject_request', via: 'cli', incidents: result.incidents.length },
          });
          return result;
        },
        { system: true },
      );
      if (!exported) return fail(`No customer ${who} in organization ${organizationId}.\n`);
      return ok(`${JSON.stringify(exported, null, 2)}\n`);
    }
    case 'customers import':
      return customersImport(ctx, args, io.progress);
    case 'customers import-errors':
      return customersImportErrors(ctx, args);
    case 'backup': {
      const file = args[0];
      if (!file || file.startsWith('--'))
        return fail('Usage: candor backup FILE --recipient AGE_PUBLIC_KEY… | --unencrypted\n');
      if (!ctx.db.pglite)
        return fail('candor backup is for the embedded database; use pg_dump for a PostgreSQL server.\n');
      const recipients = args.flatMap((arg, i) => (args[i - 1] === '--recipient' ? [arg] : []));
      let target: BackupTarget;
      try {
        target = backupTarget(recipients, args.includes('--unencrypted'));
      } catch (error) {
        if (error instanceof BackupError) return fail(`${error.message}\n`);
        throw error;
      }
      await writeBackup(ctx.db.pglite, file, target);
      return ok(
        'recipients' in target
          ? `Backup written to ${file}, encrypted to ${target.recipients.join(', ')}\n`
          : `Backup written to ${file}, NOT encrypted (--unencrypted): keep it as safe as the data itself\n`,
      );
    }
    default:
      return fail(`Unknown command: ${argv.join(' ')}\n`);
  }
}

const ok = (output: string): CommandResult => ({ exitCode: 0, output });
const fail = (error: string): CommandResult => ({ exitCode: 1, output: '', error });
