/** What the import page and its parts share: how the file is read, what was detected, the progress. */

import type { Charset, Delimiter, ImportEncoding, ImportField, ImportSummary } from './model';

export interface Options {
  format: 'csv' | 'jsonl';
  encoding: ImportEncoding | 'auto';
  delimiter: Delimiter | 'auto';
  defaultCountry: string;
}

export interface Detected {
  /** The file's encoding as the detector tells it, whatever is chosen. */
  charset: Charset;
  delimiter: Delimiter;
  columns: string[];
}

/** For each customer field, the file's column it is read from. */
export type Mapping = Partial<Record<ImportField, string>>;

export interface Progress {
  sent: number;
  total: number;
  rows?: ImportSummary;
}
