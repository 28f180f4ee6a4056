import { randomUUID } from 'node:crypto';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from 'commander';
import { AppError } from '../platform/errors.js';
import { catalogs, t, type MessageKey } from '../platform/i18n.js';
import { withOrg } from '../platform/db.js';
import { masterKeyFrom, organizationKeyring } from '../platform/keys.js';
import { appendAudit, systemActor } from '../modules/audit/index.js';
import {
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  findImport,
  loadMapping,
  openErrorReport,
  runImport,
  saveMapping,
  type ImportDelimiter,
  type ImportEncoding,
  type ImportField,
  type ImportMapping,
  type ImportOptions,
  type ImportSummary,
} from '../modules/customers/index.js';
import type { CommandContext, CommandResult } from './command-types.js';

/* ---------- what travels from the import to the terminal (also over the control socket) ---------- */

export interface ImportCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  batches: number;
  byteOffset: number;
}

export type ImportEvent =
  | {
      kind: 'import.started';
      importId: string;
      fileBytes: number;
      format: 'csv' | 'jsonl';
      resumed: boolean;
      /** Rows an interrupted import had already committed (resumed): not this run's work. */
      alreadyRead: number;
    }
  | { kind: 'import.batch'; counts: ImportCounts };

/**
 * Test hook (honoured only with NODE_ENV=test): after this many batches committed by this run
 * the import stops making progress and waits for ever, so a test can SIGKILL the process at a
 * known number of committed rows.
 */
export const PAUSE_HOOK = 'CANDOR_TEST_PAUSE_IMPORT_AFTER_BATCHES';

const MAX_BATCH_SIZE = 100_000;

/* ---------- the arguments, checked the same way in the CLI and in a server that runs them ---------- */

export interface ImportRequest {
  file: string;
  organizationId: string;
  format: 'csv' | 'jsonl';
  delimiter?: ImportDelimiter;
  encoding?: ImportEncoding;
  defaultCountry?: string;
  mappingName?: string;
  columns?: ImportMapping;
  saveMappingAs?: string;
  resume?: string;
  batchSize?: number;
  /** The summary as JSON. */
  json?: boolean;
}

/** A mistake in the command line: the message names the option and what it accepts. */
export class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ENCODING_ALIASES: Record<string, ImportEncoding> = {
  utf8: 'utf-8',
  cp1250: 'windows-1250',
  cp1256: 'windows-1256',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
};

function formatOf(file: string): 'csv' | 'jsonl' | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

/** `customers import` arguments after the subcommand: FILE and the options. */
export function parseImportArgs(args: string[]): ImportRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        org: { type: 'string' },
        format: { type: 'string' },
        delimiter: { type: 'string' },
        encoding: { type: 'string' },
        'default-country': { type: 'string' },
        mapping: { type: 'string' },
        map: { type: 'string', multiple: true },
        'save-mapping': { type: 'string' },
        resume: { type: 'string' },
        'batch-size': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('Give exactly one FILE to import.');
  if (!values.org || !UUID.test(values.org)) {
    throw new UsageError('--org must be the id of an organization (a UUID).');
  }
  const format = (values.format ?? formatOf(file)) as string | undefined;
  if (format === undefined) {
    throw new UsageError(
      `Cannot tell the format of ${path.basename(file)} from its extension: add --format csv or --format jsonl.`,
    );
  }
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be csv or jsonl.');
  const request: ImportRequest = { file, organizationId: values.org.toLowerCase(), format };

  if (values.delimiter !== undefined) {
    const d = values.delimiter === 'tab' || values.delimiter === '\\t' ? '\t' : values.delimiter;
    if (!(IMPORT_DELIMITERS as readonly string[]).includes(d)) {
      throw new UsageError(`--delimiter must be "," or ";" or tab (got "${values.delimiter}").`);
    }
    if (format !== 'csv') throw new UsageError('--delimiter is for CSV files.');
    request.delimiter = d as ImportDelimiter;
  } else if (format === 'csv' && path.extname(file).toLowerCase() === '.tsv') {
    request.delimiter = '\t';
  }
  if (values.encoding !== undefined) {
    const e = values.encoding.toLowerCase();
    const name = ENCODING_ALIASES[e] ?? e;
    if (!(IMPORT_ENCODINGS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--encoding must be one of ${IMPORT_ENCODINGS.join(', ')} (got "${values.encoding}").`,
      );
    }
    request.encoding = name as ImportEncoding;
  }
  const country = values['default-country'];
  if (country !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(country)) {
      throw new UsageError(
        `--default-country must be a two-letter ISO 3166-1 code such as CZ (got "${country}").`,
      );
    }
    request.defaultCountry = country.toUpperCase();
  }
  const validName = (option: string, name: string) => {
    if (!name.trim() || name.length > 100)
      throw new UsageError(`${option} must be a name of 1 to 100 characters.`);
    return name.trim();
  };
  if (values.map?.length) {
    if (values.mapping !== undefined) throw new UsageError('Use either --mapping NAME or --map, not both.');
    const columns: ImportMapping = {};
    for (const item of values.map) {
      const at = item.indexOf('=');
      const field = at > 0 ? item.slice(0, at).trim() : '';
      const column = at > 0 ? item.slice(at + 1).trim() : '';
      if (!(IMPORT_FIELDS as readonly string[]).includes(field) || !column || column.length > 200) {
        throw new UsageError(
          `--map ${item}: write FIELD=COLUMN, where FIELD is one of ${IMPORT_FIELDS.join(', ')} and COLUMN a column of the file.`,
        );
      }
      columns[field as ImportField] = column;
    }
    request.columns = columns;
  }
  if (values.mapping !== undefined) request.mappingName = validName('--mapping', values.mapping);
  if (values['save-mapping'] !== undefined) {
    if (!request.columns)
      throw new UsageError('--save-mapping saves the columns given with --map: add them.');
    request.saveMappingAs = validName('--save-mapping', values['save-mapping']);
  }
  if (values.resume !== undefined) {
    if (!UUID.test(values.resume)) throw new UsageError('--resume must be an import id (a UUID).');
    request.resume = values.resume.toLowerCase();
  }
  if (values['batch-size'] !== undefined) {
    const n = Number(values['batch-size']);
    if (!/^\d+$/.test(values['batch-size']) || n < 1 || n > MAX_BATCH_SIZE) {
      throw new UsageError(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}.`);
    }
    request.batchSize = n;
  }
  if (values.json) request.json = true;
  return request;
}

/* ---------- the command, run here or inside the server ---------- */

/**
 * Why a file was refused whole, by the importer's reason code: the catalog's words where they fit
 * a terminal too; the encoding is chosen with an option here, not in a form.
 */
export function refusalMessage(reason: string | null): string {
  if (reason === 'unknown_encoding') {
    return (
      'The file is not UTF-8 and has no byte-order mark. Name its encoding with --encoding ' +
      '(windows-1250 for Czech Excel, windows-1256 for Arabic Excel, utf-16le, utf-16be).'
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
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return usageFail(`${file} is not a file.`);
    fileBytes = stat.size;
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
      const found = await tx.query('SELECT 1 FROM organizations WHERE id = $1', [org]);
      if (!found.length) return { problem: `No organization ${org}.` };
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
    ...(request.encoding ? { encoding: request.encoding } : {}),
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
  return { exitCode: 0, output: request.json ? summaryJson(summary, org) : summaryText(summary, org) };
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
    lines.push(
      '',
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
      const summary = await findImport(tx, importId);
      if (!summary) return undefined;
      const errors = await openErrorReport(tx, await keyring.get(tx, org), summary.id);
      await appendAudit(tx, ctx.config.secrets.auditKey, org, systemActor(), {
        action: 'customers.import_errors_downloaded',
        targetType: 'import',
        targetId: summary.id,
        data: { rows: errors.length, via: 'cli' },
      });
      return errors;
    },
    { system: true },
  );
  if (!report) return usageFail(`No import ${importId} in organization ${org}.`);
  const jsonl = report.map((e) => JSON.stringify(e)).join('\n') + (report.length ? '\n' : '');
  if (!values.output) return { exitCode: 0, output: jsonl };
  writeFileSync(path.resolve(values.output), jsonl, { mode: 0o600 });
  return { exitCode: 0, output: `Wrote ${report.length} rejected rows to ${path.resolve(values.output)}\n` };
}

/* ---------- progress on the terminal ---------- */

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(h ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h ? `${h}:${mmss}` : mmss;
}

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} kB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Draws the import's progress on standard error: a bar redrawn in place on a terminal (at most ten
 * times a second), otherwise a plain line for the first batch and then at most one a second; the
 * last state is always drawn at the end.
 */
export function importProgress(
  out: { write(text: string): unknown; isTTY?: boolean; columns?: number },
  now: () => number = () => performance.now(),
) {
  let started = 0;
  let fileBytes = 0;
  let lastLine = 0;
  let shown = false;
  let last: ImportCounts | undefined;
  let alreadyRead = 0;
  let importId: string | undefined;
  let pending = false;
  let drawn = false;

  const line = (c: ImportCounts) => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? (c.read - alreadyRead) / seconds : 0;
    const byteRate = seconds > 0 ? c.byteOffset / seconds : 0;
    const share = fileBytes > 0 ? Math.min(1, c.byteOffset / fileBytes) : 1;
    const eta = byteRate > 0 ? (fileBytes - c.byteOffset) / byteRate : Number.NaN;
    const counts =
      `inserted ${n(c.inserted)}, updated ${n(c.updated)}, unchanged ${n(c.unchanged)}, ` +
      `rejected ${n(c.rejected)}`;
    const text =
      `${String(Math.floor(share * 100)).padStart(3)}%  ${n(c.read)} rows  ${n(Math.round(rate))} rows/s  ` +
      `ETA ${duration(eta)}  ${counts}`;
    if (!out.isTTY) return text;
    const width = 24;
    const filled = Math.round(share * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`;
  };

  const draw = (c: ImportCounts) => {
    if (out.isTTY) {
      const text = line(c);
      const max = (out.columns ?? 0) > 20 ? out.columns! - 1 : text.length;
      out.write(`\r\x1b[2K${text.slice(0, max)}`);
      drawn = true;
    } else {
      out.write(`progress: ${line(c)}\n`);
    }
    lastLine = now();
    shown = true;
    pending = false;
  };

  const finish = () => {
    if (pending && last) draw(last);
    if (drawn) out.write('\n');
    drawn = false;
  };

  return {
    event(e: ImportEvent) {
      if (e.kind === 'import.started') {
        started = now();
        importId = e.importId;
        fileBytes = e.fileBytes;
        alreadyRead = e.alreadyRead;
        out.write(
          `${e.resumed ? 'Resuming' : 'Starting'} import ${e.importId} (${e.format}, ${size(e.fileBytes)}). ` +
            `Interrupted, it continues with --resume ${e.importId}.\n`,
        );
        return;
      }
      last = e.counts;
      if (!shown || now() - lastLine >= (out.isTTY ? 100 : 1000)) draw(e.counts);
      else pending = true;
    },
    /** Ends the progress display before the summary is printed. */
    finish,
    /** Ctrl-C: the display ends, and how the import goes on is said. */
    interrupted(inServer: boolean) {
      finish();
      if (!importId) return;
      out.write(
        inServer
          ? `Interrupted. Import ${importId} goes on inside the running Candor (GET /api/imports/${importId}).\n`
          : `Interrupted with ${n(last?.read ?? alreadyRead)} rows committed: continue with --resume ${importId} (the same file).\n`,
      );
    },
  };
}

/* ---------- the command line ---------- */

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Adds `import` and `import-errors` to `candor customers`; `run` dispatches the argv. */
export function addImportCommands(customers: Command, run: (argv: string[]) => Promise<void>): void {
  customers
    .command('import')
    .argument('<file>', 'a CSV or JSON Lines file (format from the extension: .csv .tsv .txt .jsonl .ndjson)')
    .requiredOption('--org <organization-id>', 'the organization whose customers these are')
    .option('--format <format>', 'csv or jsonl, when the extension does not tell')
    .option('--delimiter <delimiter>', 'CSV delimiter: "," ";" or tab (default: detected from the header)')
    .option(
      '--encoding <encoding>',
      `${IMPORT_ENCODINGS.join(', ')} (default: a byte-order mark decides, else UTF-8)`,
    )
    .option(
      '--default-country <code>',
      'ISO 3166-1 country for phone numbers without a country code, e.g. CZ',
    )
    .option('--mapping <name>', 'use a saved column mapping')
    .option(
      '--map <field=column>',
      `map a field to a column of the file (repeatable); fields: ${IMPORT_FIELDS.join(', ')}`,
      collect,
    )
    .option('--save-mapping <name>', 'save the --map columns under this name for next time')
    .option('--resume <import-id>', 'continue an import that was interrupted (the same file)')
    .option('--batch-size <n>', 'rows per committed batch')
    .option('--json', 'print the summary as JSON')
    .description(
      'Import customers into the vault: upsert by external id, progress on standard error, summary on ' +
        'standard output; rejected rows go to an error report (audited)',
    )
    .action(async (file: string, options: Record<string, string | string[] | boolean | undefined>) => {
      const argv = ['customers', 'import', path.resolve(file)];
      for (const [key, flag] of [
        ['org', '--org'],
        ['format', '--format'],
        ['delimiter', '--delimiter'],
        ['encoding', '--encoding'],
        ['defaultCountry', '--default-country'],
        ['mapping', '--mapping'],
        ['saveMapping', '--save-mapping'],
        ['resume', '--resume'],
        ['batchSize', '--batch-size'],
      ] as const) {
        const value = options[key];
        if (typeof value === 'string') argv.push(`${flag}=${value}`);
      }
      for (const item of (options.map as string[] | undefined) ?? []) argv.push(`--map=${item}`);
      if (options.json) argv.push('--json');
      // Checked here too, before any database is opened.
      parseImportArgs(argv.slice(2));
      await run(argv);
    });

  customers
    .command('import-errors')
    .argument('<import-id>', 'the import whose rejected rows to show')
    .requiredOption('--org <organization-id>', 'the organization of the import')
    .option('--output <file>', 'write the report (JSON Lines, mode 0600) to this file')
    .description(
      'The error report of an import: line, column, reason and raw line of each rejected row (audited)',
    )
    .action((importId: string, options: { org: string; output?: string }) =>
      run([
        'customers',
        'import-errors',
        importId,
        '--org',
        options.org,
        ...(options.output ? ['--output', path.resolve(options.output)] : []),
      ]),
    );
}
