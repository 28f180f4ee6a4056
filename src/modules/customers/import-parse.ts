import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse, type Options as CsvOptions } from 'csv-parse';
import { IMPORT_DELIMITERS, type ImportDelimiter } from './customer-model.js';
import { ImportRefused } from './import-decode.js';

/* Text to source rows: CSV (delimiter detected from the header line) or JSON Lines. */

export interface SourceRow {
  line: number;
  raw: string;
  /** Column name -> value; undefined when the line could not be read at all. */
  values?: Map<string, string>;
  /** Why the line could not be read as a record. */
  problem?: { column: string | null; reason: string };
}

const HEAD_LIMIT = 64 * 1024;

/** The delimiter the header line uses most, outside quotes. */
export function detectDelimiter(headerLine: string): ImportDelimiter {
  const counts = new Map<ImportDelimiter, number>(IMPORT_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as ImportDelimiter))
      counts.set(ch as ImportDelimiter, counts.get(ch as ImportDelimiter)! + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

export async function* csvRows(
  text: AsyncGenerator<string>,
  chosen: ImportDelimiter | undefined,
  onDelimiter: (d: ImportDelimiter) => void,
): AsyncGenerator<SourceRow> {
  let head = '';
  let next = await text.next();
  while (!next.done) {
    head += next.value;
    if (head.includes('\n') || head.length > HEAD_LIMIT) break;
    next = await text.next();
  }
  if (!head.trim()) throw new ImportRefused('empty_file');
  const delimiter = chosen ?? detectDelimiter(head.slice(0, head.indexOf('\n') >>> 0));
  onDelimiter(delimiter);
  async function* rest() {
    yield head;
    for await (const chunk of text) yield chunk;
  }
  const skipped: SourceRow[] = [];
  const csvOptions: CsvOptions = {
    delimiter,
    record_delimiter: '\n',
    info: true,
    raw: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      const text = raw ?? '';
      skipped.push({
        line: Math.max(1, Number(error?.lines ?? 1) - (text.match(/\n/g)?.length ?? 0)),
        raw: text.replace(/\n+$/, ''),
        problem: { column: null, reason: 'unreadable_line' },
      });
      return undefined;
    },
  };
  const parser = Readable.from(rest()).pipe(parse(csvOptions));
  let header: string[] | undefined;
  for await (const item of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
    raw: string;
  }>) {
    let newlines = 0;
    for (const v of item.record)
      for (let at = v.indexOf('\n'); at >= 0; at = v.indexOf('\n', at + 1)) newlines++;
    const line = item.info.lines - newlines;
    const raw = item.raw.replace(/^\n+|\n+$/g, '');
    if (!header) {
      header = item.record.map((h) => h.trim());
      if (header.length < 2 && !header[0]) throw new ImportRefused('no_header');
      continue;
    }
    yield* skipped.splice(0);
    if (item.record.length !== header.length) {
      yield {
        line,
        raw,
        problem: {
          column: null,
          reason: item.record.length > header.length ? 'too_many_columns' : 'too_few_columns',
        },
      };
      continue;
    }
    const values = new Map<string, string>();
    for (let i = 0; i < header.length; i++) values.set(header[i]!, item.record[i]!);
    yield { line, raw, values };
  }
  if (!header) throw new ImportRefused('empty_file');
  yield* skipped.splice(0);
}

export async function* jsonlRows(text: AsyncGenerator<string>): AsyncGenerator<SourceRow> {
  let line = 0;
  for await (const raw of createInterface({ input: Readable.from(text), crlfDelay: Infinity })) {
    line++;
    if (!raw.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      yield { line, raw, problem: { column: null, reason: 'invalid_json' } };
      continue;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      yield { line, raw, problem: { column: null, reason: 'not_an_object' } };
      continue;
    }
    const values = new Map<string, string>();
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null || v === undefined) continue;
      values.set(k, Array.isArray(v) ? v.join('|') : String(v));
    }
    yield { line, raw, values };
  }
}
