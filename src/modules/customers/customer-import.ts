import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse, type Options as CsvOptions } from 'csv-parse';
import iconv from 'iconv-lite';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { deriveKey, hmac, open, seal } from '../../platform/crypto.js';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring, OrganizationKeys } from '../../platform/keys.js';
import { sealCustomerRecords } from '../keys/index.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import {
  emailIndex,
  MAX_WEBHOOK_URL,
  normalizeEmail,
  normalizePhone,
  normalizeWebhookUrl,
  personalRecord,
  phoneIndex,
  type CustomerInput,
} from './customer-repo.js';

export {
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  type ImportDelimiter,
  type ImportEncoding,
  type ImportField,
} from './customer-model.js';
import {
  IMPORT_DELIMITERS,
  type ImportDelimiter,
  type ImportEncoding,
  type ImportField,
} from './customer-model.js';
/** Target field -> source column (CSV header or JSON key). Unmapped fields match their own name. */
export type ImportMapping = Partial<Record<ImportField, string>>;

export interface ImportOptions {
  format: 'csv' | 'jsonl';
  /** Chosen; otherwise detected from the header line. */
  delimiter?: ImportDelimiter;
  /** Chosen; otherwise a BOM decides (UTF-8, UTF-16) and without one the file must be UTF-8. */
  encoding?: ImportEncoding;
  /** ISO 3166-1 country for phone numbers written without a country code. */
  defaultCountry?: string;
  mapping?: ImportMapping;
  batchSize?: number;
  /**
   * Stops (as if killed) once the import has this many committed batches (a resumed import's
   * earlier ones included): tests of re-runs and resumes.
   */
  stopAfterBatches?: number;
  /** The import's id: new, or with `resume` an existing one to continue. */
  importId?: string;
  /**
   * Continue the import `importId` (status 'running' or 'failed', e.g. its process was killed): the file
   * is read again from the start, the rows its committed batches counted are skipped, and the counting
   * goes on in the same import, so the summary ends as a clean run's would.
   */
  resume?: boolean;
  /** Called after every committed batch with the import's counts so far. */
  onBatch?: (progress: ImportSummary) => void | Promise<void>;
  createdBy?: string | null;
}

export interface ImportError {
  line: number;
  column: string | null;
  reason: string;
  raw: string;
  /** For a duplicate external id: the line that first brought it in this import. */
  firstLine?: number;
}

export interface ImportSummary {
  id: string;
  status: 'running' | 'completed' | 'failed';
  format: 'csv' | 'jsonl';
  encoding: string | null;
  delimiter: string | null;
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  byteOffset: number;
  batches: number;
  failure: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** A file refused whole (not text, unknown encoding, no header): its message code, nothing of its content. */
export class ImportRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImportRefused';
  }
}

export interface ImportDeps {
  db: Database;
  keyring: OrganizationKeyring;
  auditKey: Buffer;
}

interface SourceRow {
  line: number;
  raw: string;
  /** Column name -> value; undefined when the line could not be read at all. */
  values?: Map<string, string>;
  /** Why the line could not be read as a record. */
  problem?: { column: string | null; reason: string };
}

const BATCH = 2000;
const HEAD_LIMIT = 64 * 1024;

/* ---------- bytes to text ---------- */

interface Decoded {
  text: AsyncGenerator<string>;
  encoding: ImportEncoding;
  bytes: () => number;
}

async function decode(source: AsyncIterable<Buffer | string>, chosen?: ImportEncoding): Promise<Decoded> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 4096 && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  let encoding: ImportEncoding;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) encoding = 'utf-8';
  else if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
  else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
  else encoding = chosen ?? 'utf-8';
  if (!encoding.startsWith('utf-16') && head.includes(0)) throw new ImportRefused('not_text');
  if (encoding === 'utf-8' && !chosen) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    } catch {
      throw new ImportRefused('unknown_encoding');
    }
  }
  let bytes = 0;
  const decoder = iconv.getDecoder(encoding);
  async function* text(): AsyncGenerator<string> {
    bytes += head.length;
    let carry = '';
    const out = (s: string) => {
      // CRLF and lone CR become LF (also inside quoted fields); a CR at a chunk's end waits.
      let t = carry + s;
      carry = '';
      if (t.endsWith('\r')) {
        carry = '\r';
        t = t.slice(0, -1);
      }
      return t.replace(/\r\n?/g, '\n');
    };
    yield out(decoder.write(head));
    while (!done) {
      const next = await iterator.next();
      if (next.done) break;
      const chunk = Buffer.from(next.value);
      bytes += chunk.length;
      yield* pieces(out(decoder.write(chunk)));
    }
    yield out(decoder.end() ?? '') + carry.replace('\r', '\n');
  }
  return { text: text(), encoding, bytes: () => bytes };
}

const PIECE = 16 * 1024;

/**
 * Text in pieces of at most 16 Ki characters (never between the two halves of a surrogate pair):
 * the parser then works a few milliseconds at a time, and the batch being written meanwhile gets
 * its database answers without waiting for a whole large chunk to be parsed.
 */
function* pieces(text: string): Generator<string> {
  let at = 0;
  while (text.length - at > PIECE) {
    let end = at + PIECE;
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(at, end);
    at = end;
  }
  yield text.slice(at);
}

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

async function* csvRows(
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

async function* jsonlRows(text: AsyncGenerator<string>): AsyncGenerator<SourceRow> {
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

/* ---------- one row: normalized and validated with the vault's rules ---------- */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Remembers a pure function's answers: a file repeats its countries, zones and languages. */
function remembered<T>(fn: (raw: string) => T, limit = 4096): (raw: string) => T {
  const cache = new Map<string, T>();
  return (raw) => {
    if (cache.has(raw)) return cache.get(raw) as T;
    const value = fn(raw);
    if (cache.size >= limit) cache.clear();
    cache.set(raw, value);
    return value;
  };
}

const isoCountry = remembered((raw: string): string | undefined => {
  const code = raw.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && regionNames.of(code) !== code ? code : undefined;
});

const canonicalTimeZone = remembered((raw: string): string | undefined => {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: raw.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
});

const canonicalLanguage = remembered((raw: string): string | undefined => {
  try {
    const [tag] = Intl.getCanonicalLocales(raw.trim().replace(/_/g, '-'));
    return tag && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag) && tag.length <= 35 ? tag : undefined;
  } catch {
    return undefined;
  }
});

/** The vault's normalizePhone, with a quicker path for the usual number written in ASCII only. */
function vaultPhone(raw: string): string | undefined {
  if (!/^[\x20-\x7e]*$/.test(raw)) return normalizePhone(raw);
  const digits = raw.trim().replace(/[ .\-()/]/g, '');
  return /^\+[1-9][0-9]{6,14}$/.test(digits) ? digits : undefined;
}

/** E.164: the vault's rule for numbers written with "+", otherwise read with the default country. */
export function importPhone(raw: string, defaultCountry?: string): string | undefined {
  const direct = vaultPhone(raw);
  if (direct) return direct;
  // The vault's reading of any Unicode digits, applied to the number with a "+" put in front.
  const digits = vaultPhone(`+${raw.replace(/^\s*\+/, '')}`);
  const national = digits ? digits.slice(1) : raw;
  const parsed = parsePhoneNumberFromString(national, defaultCountry as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : undefined;
}

const TRUE = new Set(['1', 'true', 'yes', 'y', 'ano', 'a', 'نعم', 'x']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', 'ne', 'لا']);

type Checked = { input: CustomerInput } | { column: string | null; reason: string };

function checkRow(values: Map<string, string>, mapping: ImportMapping, defaultCountry?: string): Checked {
  const columnOf = (field: ImportField) => mapping[field] ?? field;
  const get = (field: ImportField) => values.get(columnOf(field))?.trim() ?? '';
  const fail = (field: ImportField, reason: string) => ({ column: columnOf(field), reason });

  const externalId = get('externalId');
  if (!externalId) return fail('externalId', 'required');
  if (externalId.length > 200) return fail('externalId', 'too_long');
  const name = get('name').normalize('NFC');
  if (name.length > 300) return fail('name', 'too_long');
  let email: string | null = null;
  if (get('email')) {
    email = normalizeEmail(get('email')) ?? null;
    if (!email) return fail('email', 'invalid_email');
  }
  let country: string | null = null;
  if (get('country')) {
    country = isoCountry(get('country')) ?? null;
    if (!country) return fail('country', 'invalid_country');
  }
  let region: string | null = null;
  if (get('region')) {
    region = get('region').toUpperCase();
    if (!/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(region) || !isoCountry(region.slice(0, 2)))
      return fail('region', 'invalid_region');
    if (country && region.slice(0, 2) !== country) return fail('region', 'region_not_in_country');
    country = region.slice(0, 2);
  }
  let phone: string | null = null;
  if (get('phone')) {
    phone = importPhone(get('phone'), country ?? defaultCountry) ?? null;
    if (!phone) return fail('phone', 'invalid_phone');
  }
  let webhookUrl: string | null = null;
  if (get('webhookUrl')) {
    if (get('webhookUrl').length > MAX_WEBHOOK_URL) return fail('webhookUrl', 'too_long');
    webhookUrl = normalizeWebhookUrl(get('webhookUrl')) ?? null;
    if (!webhookUrl) return fail('webhookUrl', 'invalid_webhook_url');
  }
  let language: string | null = null;
  if (get('language')) {
    language = canonicalLanguage(get('language')) ?? null;
    if (!language) return fail('language', 'invalid_language');
  }
  let timeZone: string | null = null;
  if (get('timeZone')) {
    timeZone = canonicalTimeZone(get('timeZone')) ?? null;
    if (!timeZone) return fail('timeZone', 'invalid_time_zone');
  }
  const tags = [
    ...new Set(
      get('tags')
        .split(/[|,]/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tags.length > 50 || tags.some((t) => t.length > 64)) return fail('tags', 'invalid_tags');
  const consent = { email: false, sms: false, webhook: false };
  for (const [field, key] of [
    ['consentEmail', 'email'],
    ['consentSms', 'sms'],
    ['consentWebhook', 'webhook'],
  ] as const) {
    const v = get(field).toLowerCase();
    if (TRUE.has(v)) consent[key] = true;
    else if (!FALSE.has(v)) return fail(field, 'invalid_boolean');
  }
  const street = get('street').normalize('NFC');
  const hasAddress = ['street', 'locality', 'postalCode', 'addressRegion', 'addressCountry'].some((f) =>
    get(f as ImportField),
  );
  return {
    input: {
      externalId,
      personal: {
        name: name || null,
        email,
        phone,
        address: hasAddress
          ? {
              lines: street
                ? street
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean)
                : [],
              locality: get('locality').normalize('NFC'),
              postalCode: get('postalCode'),
              region: get('addressRegion').normalize('NFC'),
              country: get('addressCountry').normalize('NFC'),
            }
          : null,
        attributes: {},
        webhookUrl,
      },
      language,
      timeZone,
      country,
      region,
      tags,
      attributes: {},
      consent,
    },
  };
}

/* ---------- one batch into the vault: checked in JS, written with one statement ---------- */

interface Candidate {
  line: number;
  input: CustomerInput;
  fingerprint: string;
}

interface Existing {
  id: string;
  external_id: string;
  import_fingerprint: string | null;
  last_import_id: string | null;
  last_import_line: number | null;
}

interface CheckedRow {
  row: SourceRow;
  result: Checked;
}

type Outcome = 'inserted' | 'updated' | 'unchanged' | ImportError;

const fingerprintKeys = new WeakMap<Buffer, Buffer>();

/**
 * Keyed fingerprint of the normalized row: equal rows give equal fingerprints, ciphertexts aside.
 * The webhook URL counts; a row without one fingerprints as before customers had one, so a file
 * imported then is still "unchanged".
 */
export function rowFingerprint(keys: OrganizationKeys, input: CustomerInput): string {
  let key = fingerprintKeys.get(keys.index);
  if (!key) fingerprintKeys.set(keys.index, (key = deriveKey(keys.index, 'customer-import-fingerprint')));
  const { webhookUrl, ...personal } = input.personal;
  return hmac(key, JSON.stringify(webhookUrl ? input : { ...input, personal }));
}

/**
 * The batch's rows as one JSON array (quicker to build here and to read there than one array per
 * column), inserted or, through the (organization, external id) index, updated with `set`.
 */
const upsertStatement = (set: string) => `
  INSERT INTO customers (id, organization_id, external_id, personal, key_version, email_index, phone_index,
    language, time_zone, country, region, tags, attributes, consent_email, consent_sms, consent_webhook,
    has_webhook, import_fingerprint, last_import_id, last_import_line)
  SELECT u.i, $1, u.e, decode(u.p, 'base64'), $2, u.m, u.h, u.l, u.z, u.c, u.r, u.t, u.a, u.ce, u.cs, u.cw,
    u.w, u.f, $3, u.n
  FROM json_to_recordset($4::json) AS u(i uuid, e text, p text, m text, h text, l text, z text, c text,
    r text, t text[], a jsonb, ce bool, cs bool, cw bool, w bool, f text, n int)
  ON CONFLICT (organization_id, external_id) DO UPDATE SET ${set}
  -- The record was sealed for the id read under lock: a row created meanwhile by someone else is left
  -- alone here and read again.
  WHERE customers.id = EXCLUDED.id
  RETURNING external_id, (xmax = 0) AS inserted`;

/** New and changed customers: every field replaced. */
const UPSERT = upsertStatement(`
    personal = EXCLUDED.personal, key_version = EXCLUDED.key_version, email_index = EXCLUDED.email_index,
    phone_index = EXCLUDED.phone_index, language = EXCLUDED.language, time_zone = EXCLUDED.time_zone,
    country = EXCLUDED.country, region = EXCLUDED.region, tags = EXCLUDED.tags,
    attributes = EXCLUDED.attributes, consent_email = EXCLUDED.consent_email,
    consent_sms = EXCLUDED.consent_sms, consent_webhook = EXCLUDED.consent_webhook,
    has_webhook = EXCLUDED.has_webhook, import_fingerprint = EXCLUDED.import_fingerprint,
    last_import_id = EXCLUDED.last_import_id, last_import_line = EXCLUDED.last_import_line, updated_at = now()`);

/**
 * Unchanged customers (locked, so they are there): only marked as brought by this import. Through
 * the same conflict index rather than an UPDATE … FROM, which the planner, without statistics on
 * a table a large import has just filled, runs as a scan of the organization's every row.
 */
const MARK_UNCHANGED = upsertStatement(
  'last_import_id = EXCLUDED.last_import_id, last_import_line = EXCLUDED.last_import_line',
);

/** One row of a batch's JSON: `personal` is the sealed record in base64. */
const record = (
  keys: OrganizationKeys,
  { id, candidate: { input, fingerprint, line } }: { id: string; candidate: Candidate },
  personal: string,
) => ({
  i: id,
  e: input.externalId,
  p: personal,
  m: personal && input.personal.email ? emailIndex(keys, input.personal.email) : null,
  h: personal && input.personal.phone ? phoneIndex(keys, input.personal.phone) : null,
  l: input.language,
  z: input.timeZone,
  c: input.country,
  r: input.region,
  t: input.tags,
  a: input.attributes,
  ce: input.consent.email,
  cs: input.consent.sms,
  cw: input.consent.webhook,
  w: !!input.personal.webhookUrl,
  f: fingerprint,
  n: line,
});

/**
 * Checks a batch's rows, then writes its new and changed customers with one statement and marks
 * its unchanged ones with another. A row whose external id an earlier row of this import already
 * brought (in this batch, an earlier one, or before a resume) is rejected as a duplicate.
 */
async function writeBatch(
  tx: Sql,
  keys: OrganizationKeys,
  organizationId: string,
  importId: string,
  batch: CheckedRow[],
  options: ImportOptions,
): Promise<{
  errors: ImportError[];
  step: { inserted: number; updated: number; unchanged: number; rejected: number };
}> {
  const outcomes: Outcome[] = new Array<Outcome>(batch.length);
  const position = new Map<string, number>();
  let pending: Candidate[] = [];
  const firstLines = new Map<string, number>();
  batch.forEach(({ row, result }, i) => {
    if (!('input' in result)) {
      outcomes[i] = { line: row.line, column: result.column, reason: result.reason, raw: row.raw };
      return;
    }
    const externalId = result.input.externalId;
    const first = firstLines.get(externalId);
    if (first !== undefined) {
      outcomes[i] = duplicate(row, options, first);
      return;
    }
    firstLines.set(externalId, row.line);
    position.set(externalId, i);
    pending.push({ line: row.line, input: result.input, fingerprint: rowFingerprint(keys, result.input) });
  });
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt === 3) throw new Error('Customers kept changing under the import: batch not written');
    const existing = new Map(
      (
        await tx.query<Existing>(
          // One look-up per id through the (organization, external id) index, whatever the planner
          // believes of a table that a large import has just filled (no statistics yet): with
          // `external_id = ANY (…)` it chose a scan of the organization's every row, once a batch.
          `SELECT c.* FROM unnest($1::text[]) AS x(external_id) CROSS JOIN LATERAL (
             SELECT id, external_id, import_fingerprint, last_import_id, last_import_line FROM customers
             WHERE customers.external_id = x.external_id FOR UPDATE) AS c`,
          [pending.map((c) => c.input.externalId)],
        )
      ).map((r) => [r.external_id, r]),
    );
    const unchanged: { id: string; candidate: Candidate }[] = [];
    const writes: { id: string; candidate: Candidate }[] = [];
    for (const candidate of pending) {
      const i = position.get(candidate.input.externalId)!;
      const found = existing.get(candidate.input.externalId);
      if (found && found.last_import_id === importId) {
        outcomes[i] = duplicate(batch[i]!.row, options, found.last_import_line);
      } else if (found && found.import_fingerprint === candidate.fingerprint) {
        unchanged.push({ id: found.id, candidate });
        outcomes[i] = 'unchanged';
      } else {
        writes.push({ id: found?.id ?? randomUUID(), candidate });
      }
    }
    if (unchanged.length) {
      // Nothing sealed: the record kept is the one stored.
      const marked = await tx.query<{ external_id: string; inserted: boolean }>(MARK_UNCHANGED, [
        organizationId,
        keys.dataVersion,
        importId,
        JSON.stringify(unchanged.map((w) => record(keys, w, ''))),
      ]);
      if (marked.length !== unchanged.length || marked.some((r) => r.inserted))
        throw new Error('Unchanged customers changed under their lock');
    }
    pending = [];
    if (!writes.length) break;
    const sealed = sealCustomerRecords(
      keys,
      writes.map((w) => ({ customerId: w.id, record: personalRecord(w.candidate.input.personal) })),
    );
    const records = writes.map((w, i) => record(keys, w, sealed[i]!.toString('base64')));
    const written = await tx.query<{ external_id: string; inserted: boolean }>(UPSERT, [
      organizationId,
      keys.dataVersion,
      importId,
      JSON.stringify(records),
    ]);
    const done = new Map(written.map((r) => [r.external_id, r.inserted]));
    for (const { candidate } of writes) {
      const inserted = done.get(candidate.input.externalId);
      if (inserted === undefined) pending.push(candidate);
      else outcomes[position.get(candidate.input.externalId)!] = inserted ? 'inserted' : 'updated';
    }
  }
  const step = { inserted: 0, updated: 0, unchanged: 0, rejected: 0 };
  const errors: ImportError[] = [];
  for (const outcome of outcomes) {
    if (typeof outcome === 'string') step[outcome]++;
    else {
      errors.push(outcome);
      step.rejected++;
    }
  }
  return { errors, step };
}

/** The later row of an external id this import already brought: rejected, naming the first line. */
function duplicate(row: SourceRow, options: ImportOptions, firstLine: number | null): ImportError {
  return {
    line: row.line,
    column: options.mapping?.externalId ?? 'externalId',
    reason: 'duplicate_external_id',
    raw: row.raw,
    ...(firstLine ? { firstLine } : {}),
  };
}

/* ---------- the import ---------- */

interface ImportRow {
  id: string;
  status: ImportSummary['status'];
  format: ImportSummary['format'];
  encoding: string | null;
  delimiter: string | null;
  rows_read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  byte_offset: number;
  batches: number;
  failure: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const toSummary = (r: ImportRow): ImportSummary => ({
  id: r.id,
  status: r.status,
  format: r.format,
  encoding: r.encoding,
  delimiter: r.delimiter,
  read: r.rows_read,
  inserted: r.inserted,
  updated: r.updated,
  unchanged: r.unchanged,
  rejected: r.rejected,
  byteOffset: r.byte_offset,
  batches: r.batches,
  failure: r.failure,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

export async function findImport(tx: Sql, id: string): Promise<ImportSummary | undefined> {
  const row = (await tx.query<ImportRow>('SELECT * FROM imports WHERE id = $1', [id]))[0];
  return row && toSummary(row);
}

export async function saveMapping(tx: Sql, organizationId: string, name: string, mapping: ImportMapping) {
  await tx.query(
    `INSERT INTO customer_import_mappings (organization_id, name, mapping) VALUES ($1, $2, $3)
     ON CONFLICT (organization_id, name) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`,
    [organizationId, name, JSON.stringify(mapping)],
  );
}

export async function loadMapping(tx: Sql, name: string): Promise<ImportMapping | undefined> {
  return (
    await tx.query<{ mapping: ImportMapping }>(
      'SELECT mapping FROM customer_import_mappings WHERE name = $1',
      [name],
    )
  )[0]?.mapping;
}

const reportContext = (importId: string, batch: number) => `import-errors:${importId}:${batch}`;

/** The error report, decrypted: callers audit the download. */
export async function openErrorReport(
  tx: Sql,
  keys: OrganizationKeys,
  importId: string,
): Promise<ImportError[]> {
  const rows = await tx.query<{ batch: number; report: Uint8Array; key_version: number }>(
    'SELECT batch, report, key_version FROM import_errors WHERE import_id = $1 ORDER BY batch',
    [importId],
  );
  return rows.flatMap(
    (r) =>
      JSON.parse(
        open(keys.data(r.key_version), Buffer.from(r.report), reportContext(importId, r.batch)).toString(
          'utf8',
        ),
      ) as ImportError[],
  );
}

/**
 * Streams the file into the customer vault: rows are read one at a time, committed in batches
 * with the import's progress, audited once per batch. A bad row goes to the sealed error report.
 */
export async function runImport(
  deps: ImportDeps,
  organizationId: string,
  actor: AuditActor,
  source: AsyncIterable<Buffer | string>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const { db, keyring, auditKey } = deps;
  const id = options.importId ?? randomUUID();
  const batchSize = options.batchSize ?? BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError('batchSize must be a positive integer');
  const org = <T>(fn: (tx: Sql) => Promise<T>) => withOrg(db, organizationId, fn, { system: true });
  const counts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, batches: 0 };
  /** Source rows already counted by the committed batches of the import being resumed. */
  let skip = 0;
  if (options.resume) {
    if (!options.importId) throw new AppError('validation_failed', { field: 'importId' });
    const previous = await org(async (tx) => {
      // Row lock: the import is taken over by this run.
      const row = (await tx.query<ImportRow>('SELECT * FROM imports WHERE id = $1 FOR UPDATE', [id]))[0];
      // Another organization's import is not visible here: the same answer as an unknown id.
      if (!row) throw new AppError('not_found', { import: id });
      if (row.status === 'completed') throw new AppError('conflict', { import: id, status: row.status });
      if (row.format !== options.format) throw new AppError('conflict', { import: id, format: row.format });
      await tx.query(
        `UPDATE imports SET status = 'running', failure = NULL, finished_at = NULL, updated_at = now()
         WHERE id = $1`,
        [id],
      );
      return row;
    });
    counts.read = skip = previous.rows_read;
    counts.inserted = previous.inserted;
    counts.updated = previous.updated;
    counts.unchanged = previous.unchanged;
    counts.rejected = previous.rejected;
    counts.batches = previous.batches;
  } else {
    await org((tx) =>
      tx.query(
        `INSERT INTO imports (id, organization_id, status, format, created_by) VALUES ($1, $2, 'running', $3, $4)`,
        [id, organizationId, options.format, options.createdBy ?? null],
      ),
    );
  }
  let delimiter: ImportDelimiter | null = null;
  let decoded: Decoded | undefined;
  let writing: Promise<void> | undefined;
  const fail = async (reason: string) =>
    org((tx) =>
      tx.query(
        `UPDATE imports SET status = 'failed', failure = $2, finished_at = now(), updated_at = now()
                WHERE id = $1`,
        [id, reason],
      ),
    );
  try {
    decoded = await decode(source, options.encoding);
    const rows =
      options.format === 'csv'
        ? csvRows(decoded.text, options.delimiter, (d) => (delimiter = d))
        : jsonlRows(decoded.text);
    // A batch is written while the next one is read and checked: the database and this process
    // work at the same time.
    let batch: CheckedRow[] = [];
    const commit = async (batch: CheckedRow[], bytes: number) => {
      const n = counts.batches + 1;
      const progress = await org(async (tx) => {
        const keys = await keyring.get(tx, organizationId);
        const { errors, step } = await writeBatch(tx, keys, organizationId, id, batch, options);
        if (errors.length) {
          await tx.query(
            `INSERT INTO import_errors (organization_id, import_id, batch, report, key_version)
             VALUES ($1, $2, $3, $4, $5)`,
            [
              organizationId,
              id,
              n,
              seal(keys.data(keys.dataVersion), JSON.stringify(errors), reportContext(id, n)),
              keys.dataVersion,
            ],
          );
        }
        const saved = await tx.query<ImportRow>(
          `UPDATE imports SET rows_read = rows_read + $2, inserted = inserted + $3, updated = updated + $4,
             unchanged = unchanged + $5, rejected = rejected + $6, byte_offset = $7, batches = $8,
             encoding = $9, delimiter = $10, updated_at = now()
           WHERE id = $1 RETURNING *`,
          [
            id,
            batch.length,
            step.inserted,
            step.updated,
            step.unchanged,
            step.rejected,
            bytes,
            n,
            decoded!.encoding,
            delimiter,
          ],
        );
        await appendAudit(tx, auditKey, organizationId, actor, {
          action: 'customers.import_batch',
          targetType: 'import',
          targetId: id,
          data: { batch: n, read: batch.length, ...step },
        });
        counts.read += batch.length;
        counts.inserted += step.inserted;
        counts.updated += step.updated;
        counts.unchanged += step.unchanged;
        counts.rejected += step.rejected;
        counts.batches = n;
        return toSummary(saved[0]!);
      });
      await options.onBatch?.(progress);
    };
    const stopped = () =>
      options.stopAfterBatches !== undefined && counts.batches >= options.stopAfterBatches;
    for await (const row of rows) {
      if (skip > 0) {
        skip--;
        continue;
      }
      batch.push({
        row,
        result: row.values
          ? checkRow(row.values, options.mapping ?? {}, options.defaultCountry)
          : row.problem!,
      });
      if (batch.length >= batchSize) {
        await writing;
        if (stopped()) return (await org((tx) => findImport(tx, id))) as ImportSummary;
        writing = commit(batch, decoded.bytes());
        // Awaited before the next batch or at the end; a failure meanwhile must not go unhandled.
        writing.catch(() => undefined);
        batch = [];
      }
    }
    await writing;
    if (stopped()) return (await org((tx) => findImport(tx, id))) as ImportSummary;
    if (batch.length) await commit(batch, decoded.bytes());
    writing = undefined;
    await org((tx) =>
      tx.query(
        `UPDATE imports SET status = 'completed', finished_at = now(), updated_at = now(), byte_offset = $2,
           encoding = $3, delimiter = $4 WHERE id = $1`,
        [id, decoded!.bytes(), decoded!.encoding, delimiter],
      ),
    );
  } catch (error) {
    await writing?.catch(() => undefined);
    await fail(error instanceof ImportRefused ? error.reason : 'failed');
    if (!(error instanceof ImportRefused)) throw error;
  }
  return (await org((tx) => findImport(tx, id))) as ImportSummary;
}
