import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../platform/errors.js';
import { catalogs, t, type MessageKey } from '../platform/i18n.js';
import { withOrg } from '../platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../platform/keys.js';
import { appendAudit, systemActor } from '../modules/audit/index.js';
import {
  CHARSET_SAMPLE_BYTES,
  detectCharset,
  downloadErrorReport,
  findImport,
  loadMapping,
  runImport,
  saveMapping,
  type ImportEncoding,
  type ImportOptions,
  type ImportSummary,
} from '../modules/customers/index.js';
import { organizationExists } from './cli-repo.js';
import type { CommandContext, CommandResult } from './command-types.js';
import {
  IMPORT_EXIT,
  parseImportArgs,
  UsageError,
  UUID,
  type ImportRequest,
} from './customers-import-args.js';
import type { ImportCounts, ImportEvent, ImportReading } from './import-progress.js';

/*
 * `candor customers import` and `import-errors`, run here or inside the server: the arguments
 * and the commander definitions are in customers-import-args.ts, the progress display in
 * import-progress.ts.
 */

export { addImportCommands, parseImportArgs, UsageError } from './customers-import-args.js';
export type { ImportRequest } from './customers-import-args.js';
export { importProgress } from './import-progress.js';
export type { ImportCounts, ImportEvent } from './import-progress.js';

/**
 * Test hook (honoured only with NODE_ENV=test): after this many batches committed by this run
 * the import stops making progress and waits for ever, so a test can SIGKILL the process at a
 * known number of committed rows.
 */
export const PAUSE_HOOK = 'CANDOR_TEST_PAUSE_IMPORT_AFTER_BATCHES';

/* ---------- the command, run here or inside the server ---------- */

/**
 * Why a file was refused whole, by the importer's reason code: the catalog's words where they fit
 * a terminal too; the encoding is chosen with an option here, not in a form.
 */
export function refusalMessage(reason: string | null): string {
  if (reason === 'unknown_encoding') {
    return (
      'The file is not UTF-8, has no byte-order mark, and no code page reads it as words. Name its ' +
      'encoding with --encoding (windows-1250 for Czech Excel, windows-1256 for Arabic Excel, ' +
      'windows-1252 for Western Excel, iso-8859-2, utf-16le, utf-16be).'
    );
  }
  const key = `app.import.failure.${reason ?? ''}`;
  if (reason && reason !== 'other' && key in catalogs.en) return t('en', key as MessageKey);
  return `The file could not be read (${reason ?? 'no reason given'}).`;
}

const counted = (s: ImportSummary): ImportCounts => ({
  read: s.read,
  inserted: s.inserted,
  updated: s.updated,
  unchanged: s.unchanged,
  rejected: s.rejected,
  batches: s.batches,
  byteOffset: s.byteOffset,
});

const usageFail = (message: string): CommandResult => ({ exitCode: 1, output: '', error: `${message}\n` });

const alreadyCompleted = (id: string) =>
  `Import ${id} has already completed: there is nothing to resume. Import the file again without --resume.`;

const otherFormat = (id: string, format: string) =>
  `Import ${id} read a ${format} file: resume it with the same file and format.`;

/** The resume refusals of the importer, in words. */
function resumeProblem(error: AppError, request: ImportRequest): string | undefined {
  if (error.code === 'not_found') {
    return `No import ${request.resume} in organization ${request.organizationId}.`;
  }
  if (error.code === 'conflict' && error.details.status === 'completed')
    return alreadyCompleted(request.resume!);
  if (error.code === 'conflict' && typeof error.details.format === 'string')
    return otherFormat(request.resume!, error.details.format);
  return undefined;
}

export async function customersImport(
  ctx: CommandContext,
  args: string[],
  progress: (event: ImportEvent) => void = () => undefined,
): Promise<CommandResult> {
  let request: ImportRequest;
  try {
    request = parseImportArgs(args);
  } catch (error) {
    if (error instanceof UsageError) return usageFail(error.message);
    throw error;
  }
  // The server reads the file by its path: the CLI made it absolute, on this machine.
  const file = path.resolve(request.file);
  let fileBytes: number;
  let reading: ImportReading | undefined;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return usageFail(`${file} is not a file.`);
    fileBytes = stat.size;
    reading = readingOf(file, request.encoding);
  } catch {
    return usageFail(`Cannot read ${file}: no such file, or no permission.`);
  }
  const { config, db } = ctx;
  const auditKey = config.secrets.auditKey;
  const org = request.organizationId;
  const importId = request.resume ?? randomUUID();

  const prepared = await withOrg(
    db,
    org,
    async (tx) => {
      if (!(await organizationExists(tx, org))) return { problem: `No organization ${org}.` };
      let mapping = request.columns;
      if (request.columns && request.saveMappingAs) {
        await saveMapping(tx, org, request.saveMappingAs, request.columns);
      }
      if (request.mappingName !== undefined) {
        mapping = await loadMapping(tx, request.mappingName);
        if (!mapping)
          return { problem: `No saved column mapping "${request.mappingName}" in organization ${org}.` };
      }
      // Checked here too (the importer refuses them again), so that only real starts are audited.
      const previous = request.resume ? await findImport(tx, request.resume) : undefined;
      if (request.resume && !previous)
        return { problem: `No import ${request.resume} in organization ${org}.` };
      if (previous?.status === 'completed') return { problem: alreadyCompleted(previous.id) };
      if (previous && previous.format !== request.format)
        return { problem: otherFormat(previous.id, previous.format) };
      await appendAudit(tx, auditKey, org, systemActor(), {
        action: 'customers.import_started',
        targetType: 'import',
        targetId: importId,
        data: { via: 'cli', format: request.format, resume: request.resume !== undefined },
      });
      return { mapping, alreadyRead: previous?.read ?? 0 };
    },
    { system: true },
  );
  if ('problem' in prepared) return usageFail(prepared.problem!);

  const pauseAfter =
    config.nodeEnv === 'test' && process.env[PAUSE_HOOK] ? Number(process.env[PAUSE_HOOK]) : undefined;
  let batchesThisRun = 0;
  const options: ImportOptions = {
    format: request.format,
    ...(request.delimiter ? { delimiter: request.delimiter } : {}),
    // What is said is what is used: the importer gets the encoding told here (a BOM wins there too).
    ...(reading ? { encoding: reading.encoding } : {}),
    ...(request.defaultCountry ? { defaultCountry: request.defaultCountry } : {}),
    ...(prepared.mapping ? { mapping: prepared.mapping } : {}),
    ...(request.batchSize ? { batchSize: request.batchSize } : {}),
    importId,
    ...(request.resume ? { resume: true } : {}),
    createdBy: null,
    onBatch: async (summary) => {
      progress({ kind: 'import.batch', counts: counted(summary) });
      batchesThisRun++;
      if (pauseAfter !== undefined && batchesThisRun >= pauseAfter) {
        // The timer keeps the process alive once the database pool lets its idle connections go.
        await new Promise(() => setInterval(() => undefined, 60_000));
      }
    },
  };
  progress({
    kind: 'import.started',
    importId,
    fileBytes,
    format: request.format,
    resumed: request.resume !== undefined,
    alreadyRead: prepared.alreadyRead,
    ...(reading ? { reading } : {}),
  });
  const keyring = organizationKeyring(masterKeyFrom(config.secrets));
  let summary: ImportSummary;
  try {
    summary = await runImport({ db, keyring, auditKey }, org, systemActor(), createReadStream(file), options);
  } catch (error) {
    const problem = error instanceof AppError ? resumeProblem(error, request) : undefined;
    if (problem) return usageFail(problem);
    throw error;
  }
  if (summary.status !== 'completed') {
    return usageFail(
      `${file} was refused whole. ${refusalMessage(summary.failure)}\n` +
        `Nothing ${request.resume ? 'more ' : ''}was imported (import ${summary.id}, status ${summary.status}).`,
    );
  }
  const imported = summary.inserted + summary.updated + summary.unchanged;
  const exitCode =
    summary.rejected === 0
      ? IMPORT_EXIT.allImported
      : imported > 0
        ? IMPORT_EXIT.someRejected
        : IMPORT_EXIT.nothingImported;
  return { exitCode, output: request.json ? summaryJson(summary, org) : summaryText(summary, org) };
}

/**
 * How the file will be read: its byte-order mark, else --encoding, else what its first 64 KiB tell
 * (the detector the importer and the import page use). Undefined when nothing reads it as text:
 * the importer then refuses it with its reason.
 */
function readingOf(file: string, chosen: ImportEncoding | undefined): ImportReading | undefined {
  const head = Buffer.alloc(CHARSET_SAMPLE_BYTES);
  const fd = openSync(file, 'r');
  let length: number;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const found = detectCharset(head.subarray(0, length));
  if (found.by === 'bom') return { encoding: found.encoding, by: 'bom' };
  if (chosen) return { encoding: chosen, by: 'option' };
  return found.by === 'none' ? undefined : { encoding: found.encoding, by: 'detected' };
}

function summaryJson(s: ImportSummary, organizationId: string): string {
  const { id, status, format, read, inserted, updated, unchanged, rejected } = s;
  const summary = { id, organizationId, status, format, read, inserted, updated, unchanged, rejected };
  return `${JSON.stringify(summary, null, 2)}\n`;
}

const n = (value: number) => value.toLocaleString('en');

function summaryText(s: ImportSummary, org: string): string {
  const rows = (
    [
      ['read', s.read],
      ['inserted', s.inserted],
      ['updated', s.updated],
      ['unchanged', s.unchanged],
      ['rejected', s.rejected],
    ] as const
  ).map(([label, value]) => `  ${label.padEnd(10)} ${n(value)}`);
  const lines = [`Import ${s.id} completed.`, ...rows];
  if (s.rejected > 0) {
    const imported = s.inserted + s.updated + s.unchanged;
    lines.push(
      '',
      ...(imported === 0
        ? [
            'Nothing was imported: every row was rejected. If the reason is "required" in the column',
            'externalId, the file has no column for the external id: name it with --map externalId=COLUMN.',
            '',
          ]
        : []),
      `${n(s.rejected)} ${s.rejected === 1 ? 'row was' : 'rows were'} rejected. The error report gives line, column, reason ` +
        'and the raw line (personal data; every download is audited):',
      `  candor customers import-errors ${s.id} --org ${org} --output FILE`,
      `  or GET /api/imports/${s.id}/errors (customers.reveal permission)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `customers import-errors ID --org ORG [--output FILE]`: the sealed error report, opened and audited. */
export async function customersImportErrors(ctx: CommandContext, args: string[]): Promise<CommandResult> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { org: { type: 'string' }, output: { type: 'string' } },
    }));
  } catch (error) {
    return usageFail((error as Error).message);
  }
  const importId = positionals[0];
  if (!importId || !UUID.test(importId) || !values.org || !UUID.test(values.org)) {
    return usageFail('Usage: candor customers import-errors IMPORT_ID --org ORGANIZATION_ID [--output FILE]');
  }
  const org = values.org;
  const keyring = organizationKeyring(masterKeyFrom(ctx.config.secrets));
  const report = await withOrg(
    ctx.db,
    org,
    async (tx) => {
      const opened = await downloadErrorReport(
        tx,
        { keyring, auditKey: ctx.config.secrets.auditKey },
        { organizationId: org, actor: systemActor() },
        importId,
        'cli',
      );
      return opened?.errors;
    },
    { system: true },
  );
  if (!report) return usageFail(`No import ${importId} in organization ${org}.`);
  const jsonl = report.map((e) => JSON.stringify(e)).join('\n') + (report.length ? '\n' : '');
  if (!values.output) return { exitCode: 0, output: jsonl };
  writeFileSync(path.resolve(values.output), jsonl, { mode: 0o600 });
  return { exitCode: 0, output: `Wrote ${report.length} rejected rows to ${path.resolve(values.output)}\n` };
}
