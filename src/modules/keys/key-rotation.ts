import { asApp, withOrg, type Database, type Sql } from '../../platform/db.js';
import { open, seal } from '../../platform/crypto.js';
import {
  addDataKeyVersion,
  lockOrganizationKeys,
  masterKeyFrom,
  organizationKeyring,
  rewrapOrganizationKeys,
  type OrganizationKeyring,
  type OrganizationKeys,
} from '../../platform/keys.js';
import type { Secrets } from '../../platform/secrets.js';
import { appendAudit, systemActor } from '../audit/index.js';
import {
  countRowsBelowVersion,
  dataKeyVersions,
  deleteDataKeyVersionsBelow,
  lockRowsBelowVersion,
  markReencrypting,
  organizationsToReencrypt,
  organizationsWithDataKeys,
  updateResealedRow,
} from './key-repo.js';
import { resealMasterSealed } from './master-sealed.js';
import { SEALED_COLUMNS, type SealedColumn } from './sealed-columns.js';

export interface KeysDeps {
  db: Database;
  secrets: Secrets;
}

export interface RotationReport {
  /** Organization keys re-wrapped under the current master key. */
  rewrapped: number;
  /** Columns sealed under master-derived keys re-sealed (after a master key replacement). */
  resealed: Record<string, number>;
  unreadable: number;
  /** The new data key version of each organization that had keys. */
  organizations: { id: string; version: number }[];
}

/**
 * `candor keys rotate`: in one transaction, as the owner, re-wraps every organization key under
 * the current master key, re-seals what a previous master key sealed, and adds a new data key
 * version for every organization. The re-encryption job then moves the data to it.
 */
export async function rotateKeys(deps: KeysDeps): Promise<RotationReport> {
  const master = masterKeyFrom(deps.secrets);
  return deps.db.transaction(async (tx) => {
    const rewrapped = await rewrapOrganizationKeys(tx, master);
    const { resealed, unreadable } = await resealMasterSealed(
      tx,
      deps.secrets.masterKey,
      deps.secrets.previousMasterKeys,
    );
    const orgs = await organizationsWithDataKeys(tx);
    const organizations: RotationReport['organizations'] = [];
    for (const { organization_id: id } of orgs) {
      const version = await addDataKeyVersion(tx, master, id);
      if (version === undefined) continue;
      organizations.push({ id, version });
      await appendAudit(tx, deps.secrets.auditKey, id, systemActor(), {
        action: 'keys.rotated',
        targetType: 'organization',
        targetId: id,
        data: { dataKeyVersion: version, masterKeyId: master.currentKeyId },
      });
    }
    return { rewrapped, resealed, unreadable, organizations };
  });
}

export interface OrganizationKeyStatus {
  organizationId: string;
  currentVersion: number;
  /** Every data key version still held (older ones until nothing is sealed under them). */
  versions: number[];
  /** Rows sealed under an older version, per table. */
  remaining: Record<string, number>;
}

/** Per organization: the current data key version and the rows still under an older one. */
export async function keyStatus(db: Database): Promise<OrganizationKeyStatus[]> {
  const orgs = await dataKeyVersions(db);
  const out: OrganizationKeyStatus[] = [];
  for (const org of orgs) {
    const currentVersion = Math.max(...org.versions);
    const remaining: Record<string, number> = {};
    for (const entry of SEALED_COLUMNS) {
      remaining[entry.table] = await countRowsBelowVersion(
        db,
        entry.table,
        org.organization_id,
        currentVersion,
      );
    }
    out.push({ organizationId: org.organization_id, currentVersion, versions: org.versions, remaining });
  }
  return out;
}

export interface ReencryptOptions {
  /** Rows per transaction (and per audit event). */
  batchSize?: number;
  /**
   * How old a new version must be before the job moves data to it and destroys older ones: every
   * process's keyring caches keys for 60 s, so until then a process may not know the new version
   * yet (and could not open a row moved to it) or still seal with an old one.
   */
  settleMs?: number;
  /** Stop after this many batches (the next run goes on); for tests and time budgets. */
  maxBatches?: number;
  /** Stop starting new batches after this instant (ms since the epoch). */
  deadline?: number;
}

export interface ReencryptResult {
  rows: number;
  batches: number;
  /** Organizations whose old data key versions were destroyed, with those versions. */
  destroyed: { organizationId: string; versions: number[] }[];
}

const DEFAULT_BATCH = 500;
const DEFAULT_SETTLE_MS = 2 * 60_000;

/**
 * The re-encryption job: for every organization holding more than one data key version, re-seal
 * each registered column's rows under the newest version, a batch per transaction (rows locked
 * with SKIP LOCKED, so requests are never blocked behind it; a skipped row is picked up by the
 * next run), one audit event per batch. Progress is the data itself: a killed run leaves each
 * batch either done or untouched, and the next run carries on with the rows still on an old
 * version. When none remain, the old versions are destroyed.
 */
export async function runReencryption(
  deps: KeysDeps,
  options: ReencryptOptions = {},
): Promise<ReencryptResult> {
  const keyring = organizationKeyring(masterKeyFrom(deps.secrets), 0);
  const result: ReencryptResult = { rows: 0, batches: 0, destroyed: [] };
  // Each organization with older versions, and its newest version that every process knows.
  // Ids and versions only, through a named function: as candor_app no organization's keys are visible.
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const orgs = await asApp(deps.db, (tx) => organizationsToReencrypt(tx, settleMs));
  const budgetLeft = () =>
    (options.maxBatches === undefined || result.batches < options.maxBatches) &&
    (options.deadline === undefined || Date.now() < options.deadline);
  for (const { organization_id: organizationId, target } of orgs) {
    if (target === null) continue;
    for (const entry of SEALED_COLUMNS) {
      let after: unknown[] | undefined;
      while (budgetLeft()) {
        const batch = await reencryptBatch(
          deps,
          keyring,
          organizationId,
          entry,
          target,
          after,
          options.batchSize,
        );
        if (!batch) break;
        result.batches++;
        result.rows += batch.rows;
        after = batch.last;
      }
    }
    if (!budgetLeft()) break;
    const versions = await destroyOldVersions(deps, organizationId, target);
    if (versions.length) result.destroyed.push({ organizationId, versions });
  }
  return result;
}

async function reencryptBatch(
  deps: KeysDeps,
  keyring: OrganizationKeyring,
  organizationId: string,
  entry: SealedColumn,
  target: number,
  after: unknown[] | undefined,
  batchSize = DEFAULT_BATCH,
): Promise<{ rows: number; last: unknown[] } | undefined> {
  return withOrg(
    deps.db,
    organizationId,
    async (tx) => {
      // Tells triggers that this write only changes the key (customers keep their import fingerprint).
      await markReencrypting(tx);
      const keys = await keyring.get(tx, organizationId);
      const rows = await lockRowsBelowVersion(tx, entry, organizationId, target, after, batchSize);
      if (rows.length === 0) return undefined;
      let moved = 0;
      let unreadable = 0;
      for (const row of rows) {
        const sealed = resealRow(entry, row, keys, target);
        if (!sealed) {
          // Left as it is (and its old version kept): it opened under no key before either.
          unreadable++;
          continue;
        }
        await updateResealedRow(tx, entry, row, sealed, organizationId, target);
        moved++;
      }
      await appendAudit(tx, deps.secrets.auditKey, organizationId, systemActor(), {
        action: 'keys.reencrypted_batch',
        targetType: 'organization',
        targetId: organizationId,
        data: {
          table: entry.table,
          rows: moved,
          ...(unreadable ? { unreadable } : {}),
          dataKeyVersion: target,
        },
      });
      const last = rows[rows.length - 1]!;
      return { rows: moved, last: entry.order.map((c) => last[c]) };
    },
    { system: true },
  );
}

/** The row's sealed columns under the target version, or undefined when one does not open. */
function resealRow(
  entry: SealedColumn,
  row: Record<string, unknown>,
  keys: OrganizationKeys,
  target: number,
): (Buffer | null)[] | undefined {
  try {
    const from = keys.data(row.key_version as number);
    return entry.columns.map((column) => {
      const value = row[column] as Uint8Array | null;
      if (value === null) return null;
      const context = entry.context(row, column);
      return seal(keys.data(target), open(from, Buffer.from(value), context), context);
    });
  } catch {
    return undefined;
  }
}

/**
 * Destroys the organization's data key versions older than `target` once nothing is sealed
 * under them. Returns the versions destroyed.
 */
async function destroyOldVersions(deps: KeysDeps, organizationId: string, target: number): Promise<number[]> {
  return withOrg(
    deps.db,
    organizationId,
    async (tx) => {
      await lockOrganizationKeys(tx, organizationId);
      if ((await remainingRows(tx, organizationId, target)) > 0) return [];
      const gone = await deleteDataKeyVersionsBelow(tx, organizationId, target);
      const versions = gone.map((g) => g.version).sort((a, b) => a - b);
      if (versions.length) {
        await appendAudit(tx, deps.secrets.auditKey, organizationId, systemActor(), {
          action: 'keys.destroyed_versions',
          targetType: 'organization',
          targetId: organizationId,
          data: { versions: versions.map(String), dataKeyVersion: target },
        });
      }
      return versions;
    },
    { system: true },
  );
}

async function remainingRows(tx: Sql, organizationId: string, version: number): Promise<number> {
  let total = 0;
  for (const entry of SEALED_COLUMNS) {
    total += await countRowsBelowVersion(tx, entry.table, organizationId, version);
  }
  return total;
}
