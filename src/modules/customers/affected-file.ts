import { Readable } from 'node:stream';
import { parse, type Options as CsvOptions } from 'csv-parse';
import { AppError } from '../../platform/errors.js';
import { DATA_CATEGORIES, type DataCategory } from '../incidents/index.js';
import type { AffectedListRow, MarkResult } from './affected-repo.js';

/** Rows marked per call: the file is streamed and marked a chunk at a time. */
const CHUNK = 2000;
/** Problems listed in the answer; all of them are counted. */
const PROBLEMS_LISTED = 1000;
const DELIMITERS = [',', ';', '\t'] as const;

export interface FileProblem {
  line: number;
  column: string | null;
  reason:
    | 'unreadable_line'
    | 'too_many_columns'
    | 'no_identifier'
    | 'invalid_email'
    | 'invalid_category'
    | 'no_categories'
    | 'not_found';
}

export interface FileMarkResult {
  read: number;
  matched: number;
  rejected: number;
  unmatched: number;
  added: number;
  updated: number;
  problems: FileProblem[];
}

type Column = 'externalId' | 'email' | 'categories';

/** Header names understood, compared in lower case without spaces, dashes and underscores. */
const HEADERS: Record<string, Column> = {
  externalid: 'externalId',
  id: 'externalId',
  customerid: 'externalId',
  customer: 'externalId',
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  categories: 'categories',
  category: 'categories',
  datacategories: 'categories',
};
const headerKey = (cell: string) => cell.toLowerCase().replace(/[\s_-]+/g, '');

const refuse = (problem: string) => new AppError('bad_request', { problem });

/** UTF-8 text of the body (a BOM is dropped); a binary or non-UTF-8 file is refused whole. */
async function* utf8(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let first = true;
  for await (const chunk of source) {
    if (first && chunk.includes(0)) throw refuse('the file is not text: send a CSV file or a plain list');
    first = false;
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw refuse('the file is not UTF-8 text: save it as CSV UTF-8');
    }
  }
  try {
    yield decoder.decode();
  } catch {
    throw refuse('the file is not UTF-8 text: save it as CSV UTF-8');
  }
}

/** The delimiter the first line uses most, outside quotes; a one-column file has none. */
function detectDelimiter(line: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  return n > 0 ? best : ',';
}

function categoriesOf(cell: string): DataCategory[] | 'invalid' {
  const list = [
    ...new Set(
      cell
        .split(/[|,;\s]+/)
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (list.some((c) => !(DATA_CATEGORIES as readonly string[]).includes(c))) return 'invalid';
  return list as DataCategory[];
}

/**
 * Reads a file naming affected customers and marks them a chunk at a time through `mark`.
 * Either a CSV with a header (a column of external ids and/or e-mails, and optionally one of
 * categories: `contact_details|payment_card`), or a plain list, one identifier per line (an
 * e-mail when it holds "@") optionally followed by its categories. Rows without categories take
 * `defaults`. Every data row is accounted for: matched, rejected (with its line, column and
 * reason) or unmatched (line and `not_found`).
 */
export async function readMarkFile(
  source: AsyncIterable<Buffer>,
  defaults: DataCategory[],
  mark: (rows: AffectedListRow[]) => Promise<MarkResult>,
): Promise<FileMarkResult> {
  const text = utf8(source);
  let head = '';
  let next = await text.next();
  while (!next.done) {
    head += next.value;
    if (head.includes('\n') || head.length > 64 * 1024) break;
    next = await text.next();
  }
  if (!head.trim()) throw refuse('the file is empty');
  const delimiter = detectDelimiter(head.slice(0, head.indexOf('\n') >>> 0));
  async function* whole() {
    yield head;
    for await (const chunk of text) yield chunk;
  }

  const result: FileMarkResult = {
    read: 0,
    matched: 0,
    rejected: 0,
    unmatched: 0,
    added: 0,
    updated: 0,
    problems: [],
  };
  const problem = (p: FileProblem) => {
    if (p.reason === 'not_found') result.unmatched++;
    else result.rejected++;
    if (result.problems.length < PROBLEMS_LISTED) result.problems.push(p);
  };
  const options: CsvOptions = {
    delimiter,
    info: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      result.read++;
      problem({ line: Math.max(1, Number(error?.lines ?? 1)), column: null, reason: 'unreadable_line' });
      return undefined;
    },
  };

  let columns: (Column | undefined)[] | undefined;
  let names: string[] = [];
  let plain = false;
  let chunk: { row: AffectedListRow; line: number }[] = [];
  const flush = async () => {
    if (!chunk.length) return;
    const done = await mark(chunk.map((c) => c.row));
    result.added += done.added;
    result.updated += done.updated;
    for (const u of done.unmatched) {
      problem({
        line: chunk[u.position - 1]!.line,
        column: null,
        reason: u.reason === 'invalid_email' ? 'invalid_email' : u.reason,
      });
    }
    result.matched += chunk.length - done.unmatched.length;
    chunk = [];
  };

  const parser = Readable.from(whole()).pipe(parse(options));
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const newlines = item.record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
    const line = item.info.lines - newlines;
    const cells = item.record.map((c) => c.trim());
    if (!columns && !plain) {
      const known = cells.map((c) => HEADERS[headerKey(c)]);
      if (known.some((k) => k === 'externalId' || k === 'email')) {
        columns = known;
        names = cells;
        continue;
      }
      plain = true;
    }
    if (cells.every((c) => !c)) continue;
    result.read++;
    let externalId: string | undefined;
    let email: string | undefined;
    let categoriesCell: string | undefined;
    let categoriesColumn: string | null = null;
    if (plain) {
      if (cells.length > 2) {
        problem({ line, column: null, reason: 'too_many_columns' });
        continue;
      }
      if (cells[0]!.includes('@')) email = cells[0];
      else externalId = cells[0] || undefined;
      categoriesCell = cells[1];
    } else {
      if (cells.length > columns!.length) {
        problem({ line, column: null, reason: 'too_many_columns' });
        continue;
      }
      cells.forEach((cell, i) => {
        const column = columns![i];
        if (column === 'externalId' && cell) externalId = cell;
        else if (column === 'email' && cell) email = cell;
        else if (column === 'categories') {
          categoriesCell = cell;
          categoriesColumn = names[i]!;
        }
      });
    }
    if (!externalId && !email) {
      problem({ line, column: null, reason: 'no_identifier' });
      continue;
    }
    if (externalId && externalId.length > 200) {
      problem({ line, column: null, reason: 'no_identifier' });
      continue;
    }
    const categories = categoriesCell ? categoriesOf(categoriesCell) : [];
    if (categories === 'invalid') {
      problem({ line, column: categoriesColumn, reason: 'invalid_category' });
      continue;
    }
    const chosen = categories.length ? categories : defaults;
    if (!chosen.length) {
      problem({ line, column: categoriesColumn, reason: 'no_categories' });
      continue;
    }
    chunk.push({
      row: externalId ? { externalId, categories: chosen } : { email, categories: chosen },
      line,
    });
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  if (!columns && !plain) throw refuse('the file holds no rows');
  result.problems.sort((a, b) => a.line - b.line);
  return result;
}
