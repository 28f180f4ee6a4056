import type { ImportDelimiter, ImportEncoding, ImportField } from './customer-model.js';

/**
 * Target field -> source column (CSV header or JSON key); '' leaves the field unread. The fields it
 * does not name are guessed from the header (import-mapping-model.ts), else match their own name.
 */
export type ImportMapping = Partial<Record<ImportField, string>>;

export interface ImportOptions {
  format: 'csv' | 'jsonl';
  /** Chosen; otherwise detected from the header line. */
  delimiter?: ImportDelimiter;
  /** Chosen; a BOM (UTF-8, UTF-16) overrides it; neither: detected from the first 64 KiB. */
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
