import { randomUUID } from 'node:crypto';
import { withOrg, type Database, type Sql } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import type { OrganizationKeyring } from '../../platform/keys.js';
import { appendAudit, type AuditActor } from '../audit/index.js';
import type { ImportDelimiter } from './customer-model.js';
import { writeBatch } from './import-batch.js';
import { checkRow, type CheckedRow } from './import-check.js';
import { decode, ImportRefused, type Decoded } from './import-decode.js';
import { completeMapping } from './import-mapping-model.js';
import { csvRows, jsonlRows } from './import-parse.js';
import { sealErrorReport } from './import-report.js';
import {
  findImport,
  insertImport,
  insertImportErrors,
  lockImport,
  markImportCompleted,
  markImportFailed,
  markImportRunning,
  recordImportBatch,
} from './import-repo.js';
import type { ImportOptions, ImportSummary } from './import-types.js';

/*
 * The import engine: bytes are decoded (import-decode.ts), parsed into rows (import-parse.ts),
 * checked with the vault's rules (import-check.ts) and written a batch at a time
 * (import-batch.ts); the SQL is in import-repo.ts. The fingerprint and the error report are
 * re-exported for the tests that check them.
 */

export { rowFingerprint } from './import-batch.js';
export { openErrorReport } from './import-report.js';
export type { ImportError, ImportMapping, ImportOptions, ImportSummary } from './import-types.js';

export interface ImportDeps {
  db: Database;
  keyring: OrganizationKeyring;
  auditKey: Buffer;
}

const BATCH = 2000;

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
      const row = await lockImport(tx, id);
      // Another organization's import is not visible here: the same answer as an unknown id.
      if (!row) throw new AppError('not_found', { import: id });
      if (row.status === 'completed') throw new AppError('conflict', { import: id, status: row.status });
      if (row.format !== options.format) throw new AppError('conflict', { import: id, format: row.format });
      await markImportRunning(tx, id);
      return row;
    });
    counts.read = skip = previous.read;
    counts.inserted = previous.inserted;
    counts.updated = previous.updated;
    counts.unchanged = previous.unchanged;
    counts.rejected = previous.rejected;
    counts.batches = previous.batches;
  } else {
    await org((tx) => insertImport(tx, id, organizationId, options.format, options.createdBy ?? null));
  }
  let delimiter: ImportDelimiter | null = null;
  let decoded: Decoded | undefined;
  let writing: Promise<void> | undefined;
  const fail = async (reason: string) => org((tx) => markImportFailed(tx, id, reason));
  try {
    decoded = await decode(source, options.encoding);
    const rows =
      options.format === 'csv'
        ? csvRows(decoded.text, options.delimiter, (d) => (delimiter = d))
        : jsonlRows(decoded.text);
    // A batch is written while the next one is read and checked: the database and this process
    // work at the same time.
    let batch: CheckedRow[] = [];
    // The mapping chosen, completed from the header's names the way the import page guesses it
    // (import-mapping-model.ts): the CSV header, or the keys of the first JSON line.
    let run: ImportOptions | undefined;
    const commit = async (batch: CheckedRow[], bytes: number) => {
      const n = counts.batches + 1;
      const progress = await org(async (tx) => {
        const keys = await keyring.get(tx, organizationId);
        const { errors, step } = await writeBatch(tx, keys, organizationId, id, batch, run ?? options);
        if (errors.length) {
          await insertImportErrors(
            tx,
            organizationId,
            id,
            n,
            sealErrorReport(keys, id, n, errors),
            keys.dataVersion,
          );
        }
        const saved = await recordImportBatch(tx, id, {
          read: batch.length,
          ...step,
          byteOffset: bytes,
          batches: n,
          encoding: decoded!.encoding,
          delimiter,
        });
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
        return saved;
      });
      await options.onBatch?.(progress);
    };
    const stopped = () =>
      options.stopAfterBatches !== undefined && counts.batches >= options.stopAfterBatches;
    for await (const row of rows) {
      if (!run && row.values) {
        run = { ...options, mapping: completeMapping(options.mapping ?? {}, [...row.values.keys()]) };
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      batch.push({
        row,
        result: row.values ? checkRow(row.values, run!.mapping!, options.defaultCountry) : row.problem!,
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
      markImportCompleted(tx, id, {
        byteOffset: decoded!.bytes(),
        encoding: decoded!.encoding,
        delimiter,
      }),
    );
  } catch (error) {
    await writing?.catch(() => undefined);
    await fail(error instanceof ImportRefused ? error.reason : 'failed');
    if (!(error instanceof ImportRefused)) throw error;
  }
  return (await org((tx) => findImport(tx, id))) as ImportSummary;
}
