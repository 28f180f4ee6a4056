import { randomUUID } from 'node:crypto';
import { deriveKey, hmac } from '../../platform/crypto.js';
import type { Sql } from '../../platform/db.js';
import type { OrganizationKeys } from '../../platform/keys.js';
import { sealCustomerRecords } from '../keys/index.js';
import { emailIndex, personalRecord, phoneIndex, type CustomerInput } from './customer-repo.js';
import type { CheckedRow } from './import-check.js';
import type { SourceRow } from './import-parse.js';
import {
  lockCustomersByExternalId,
  markImportedUnchanged,
  upsertImportedCustomers,
  type ImportRecord,
} from './import-repo.js';
import type { ImportError, ImportOptions } from './import-types.js';

/* ---------- one batch into the vault: checked in JS, written with one statement ---------- */

interface Candidate {
  line: number;
  input: CustomerInput;
  fingerprint: string;
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

/** One row of a batch's JSON: `personal` is the sealed record in base64. */
const record = (
  keys: OrganizationKeys,
  { id, candidate: { input, fingerprint, line } }: { id: string; candidate: Candidate },
  personal: string,
): ImportRecord => ({
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
export async function writeBatch(
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
        await lockCustomersByExternalId(
          tx,
          pending.map((c) => c.input.externalId),
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
      const marked = await markImportedUnchanged(
        tx,
        organizationId,
        keys.dataVersion,
        importId,
        unchanged.map((w) => record(keys, w, '')),
      );
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
    const written = await upsertImportedCustomers(tx, organizationId, keys.dataVersion, importId, records);
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
    column: options.mapping?.externalId || 'externalId',
    reason: 'duplicate_external_id',
    raw: row.raw,
    ...(firstLine ? { firstLine } : {}),
  };
}
