import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from 'commander';
// The model files only: main.ts registers these commands at every start (--help, --version), so
// nothing here may load the customers module, the database or the keys.
import {
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  type ImportDelimiter,
  type ImportEncoding,
  type ImportField,
} from '../modules/customers/customer-model.js';
import type { ColumnMapping as ImportMapping } from '../modules/customers/import-mapping-model.js';

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

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/* ---------- the command line ---------- */

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The exit codes of `candor customers import` (docs/OPERATIONS.md says the same). */
export const IMPORT_EXIT = { allImported: 0, nothingImported: 1, someRejected: 2 } as const;

const IMPORT_HELP = `
Columns: a field the options do not map is read from the column named like it, as on the import
page: external_id, externalId, id or customer id; name; email or e-mail; phone or mobile; country;
language; tags; and their Czech and Arabic names (cislo zakaznika, jméno, telefon, رقم العميل, …).

Exit codes:
  ${IMPORT_EXIT.allImported}  every row was imported (or the file had no rows)
  ${IMPORT_EXIT.someRejected}  some rows were imported, some rejected: see the error report
  ${IMPORT_EXIT.nothingImported}  nothing was imported: every row was rejected, the file was refused whole,
     or the command line or the organization was wrong

The organization id is shown on the import page of the admin app (Customers, Import).`;

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
      `${IMPORT_ENCODINGS.join(', ')} (default: a byte-order mark decides, else detected from the first 64 KiB)`,
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
    .addHelpText('after', IMPORT_HELP)
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
