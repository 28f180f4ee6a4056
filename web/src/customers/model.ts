/** The customer vault as the API speaks it, and the one upload with progress. */
import { apiError, query, requestHeaders } from '../api';

export { REVEAL_REASONS, type RevealReason } from '../../../src/modules/customers/customer-model';
import {
  CHARSET_SAMPLE_BYTES,
  detectCharset,
  type Charset,
} from '../../../src/modules/customers/charset-model';
export type { Charset } from '../../../src/modules/customers/charset-model';
import type { ImportEncoding } from '../../../src/modules/customers/customer-model';
export { DATA_CATEGORIES, type DataCategory } from '../../../src/modules/incidents/incident-model';

export interface CustomerView {
  id: string;
  externalId: string;
  language: string | null;
  timeZone: string | null;
  country: string | null;
  region: string | null;
  tags: string[];
  attributes: Record<string, string>;
  consent: { email: boolean; sms: boolean; webhook: boolean };
  createdAt: string;
  updatedAt: string;
}

export interface Personal {
  name: string | null;
  email: string | null;
  phone: string | null;
  address: {
    lines: string[];
    locality: string;
    postalCode: string;
    region: string;
    country: string;
  } | null;
  attributes: Record<string, string>;
  webhookUrl: string | null;
}

export interface Revealed {
  customer: CustomerView;
  personal: Personal;
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
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface SavedMapping {
  name: string;
  mapping: Record<string, string>;
  updatedAt: string;
}

export interface AffectedCounts {
  total: number;
  byCountry: { country: string | null; count: number }[];
  byRegion: { region: string; count: number }[];
  byCategory: { category: string; count: number }[];
  byJurisdiction: { code: string; count: number }[];
}

export interface AffectedView {
  customer: CustomerView;
  dataCategories: string[];
  source: string;
  addedAt: string;
}

export interface FileMarkResult {
  read: number;
  matched: number;
  rejected: number;
  unmatched: number;
  added: number;
  updated: number;
  problems: { line: number; column: string | null; reason: string }[];
  counts: AffectedCounts;
}

export {
  IMPORT_ENCODINGS,
  IMPORT_FIELDS,
  type ImportEncoding,
  type ImportField,
} from '../../../src/modules/customers/customer-model';
export const DELIMITERS = [',', ';', 'tab'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * Sends a file as the body of a POST with its upload progress (fetch has none), and answers the
 * parsed JSON. `onProgress` gets the bytes sent so far and the total.
 */
export function upload<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
): { done: Promise<T>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(requestHeaders('POST'))) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(apiError(xhr.status, ''));
        }
      } else reject(apiError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(apiError(0, ''));
    xhr.onabort = () => reject(apiError(0, ''));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

export { query };

/* ---------- reading the start of a file in the browser ---------- */

export interface FileHead {
  /** What the detector the importer uses too tells of the file. */
  charset: Charset;
  /** Read in the encoding chosen, else in the detected one. */
  text: string;
}

/** The first 64 KiB of a file as text, and its encoding as detected (charset-model.ts). */
export async function readHead(file: Blob, chosen?: ImportEncoding): Promise<FileHead> {
  const bytes = new Uint8Array(await file.slice(0, CHARSET_SAMPLE_BYTES).arrayBuffer());
  const charset = detectCharset(bytes, file.size <= CHARSET_SAMPLE_BYTES);
  const text = new TextDecoder(chosen ?? charset.encoding)
    .decode(bytes, { stream: true })
    .replace(/^\uFEFF/, '');
  return { charset, text };
}

/** The delimiter the header line uses most, outside quotes (the server's own rule). */
export function detectDelimiter(line: string): Delimiter {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return best === '\t' ? 'tab' : (best as Delimiter);
}

/** The header's column names: the first CSV line (quotes honoured) or the keys of the first JSON line. */
export function headerColumns(text: string, format: 'csv' | 'jsonl', delimiter: Delimiter): string[] {
  const line = text.split(/\r?\n/).find((l) => l.trim()) ?? '';
  if (format === 'jsonl') {
    try {
      const first = JSON.parse(line) as unknown;
      return first && typeof first === 'object' && !Array.isArray(first) ? Object.keys(first) : [];
    } catch {
      return [];
    }
  }
  const d = delimiter === 'tab' ? '\t' : delimiter;
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === d) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells.filter(Boolean);
}

/** The guess of which column each field is read from: the importer's own (API and CLI). */
export { guessMapping } from '../../../src/modules/customers/import-mapping-model';

/** The format a file's name suggests. */
export const formatOf = (name: string): 'csv' | 'jsonl' =>
  /\.(jsonl|ndjson)$/i.test(name) ? 'jsonl' : 'csv';
