import type { Database, Sql } from '../../platform/db.js';
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
    const orgs = await tx.query<{ organization_id: string }>(
      `SELECT DISTINCT organization_id FROM organization_keys WHERE purpose = 'data' ORDER BY organization_id`,
    );
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
  const orgs = await db.query<{ organization_id: string; versions: number[] }>(
    `SELECT organization_id, array_agg(version ORDER BY version) AS versions FROM organization_keys
     WHERE purpose = 'data' GROUP BY organization_id ORDER BY organization_id`,
  );
  const out: OrganizationKeyStatus[] = [];
  for (const org of orgs) {
    const currentVersion = Math.max(...org.versions);
    const remaining: Record<string, number> = {};
    for (const entry of SEALED_COLUMNS) {
      const rows = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${entry.table} WHERE organization_id = $1 AND key_version < $2`,
        [org.organization_id, currentVersion],
      );
      remaining[entry.table] = rows[0]?.n ?? 0;
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
  const orgs = await deps.db.query<{ organization_id: string; target: number | null }>(
    `SELECT organization_id,
            max(version) FILTER (WHERE created_at <= now() - make_interval(secs => $1::double precision / 1000)) AS target
     FROM organization_keys WHERE purpose = 'data'
     GROUP BY organization_id HAVING count(*) > 1 ORDER BY organization_id`,
    [options.settleMs ?? DEFAULT_SETTLE_MS],
  );
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
  return deps.db.transaction(async (tx) => {
    // Tells triggers that this write only changes the key (customers keep their import fingerprint).
    await tx.query(`SELECT set_config('candor.reencrypting', 'on', true)`);
    const keys = await keyring.get(tx, organizationId);
    const select = [...new Set(['organization_id', ...entry.key, ...entry.order, ...entry.columns])];
    const order = entry.order.join(', ');
    const cursor = after ? `AND (${order}) > (${entry.order.map((_, i) => `$${i + 3}`).join(', ')})` : '';
    const rows = await tx.query<Record<string, unknown>>(
      `SELECT ${select.join(', ')}, key_version FROM ${entry.table}
       WHERE organization_id = $1 AND key_version < $2 ${cursor}
       ORDER BY ${order} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`,
      [organizationId, target, ...(after ?? [])],
    );
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
      const n = entry.columns.length;
      await tx.query(
        `UPDATE ${entry.table} SET ${entry.columns.map((c, i) => `${c} = $${i + 1}`).join(', ')},
           key_version = $${n + 1}
         WHERE organization_id = $${n + 2} AND key_version = $${n + 3}
           AND ${entry.key.map((k, i) => `${k} = $${n + 4 + i}`).join(' AND ')}`,
        [...sealed, target, organizationId, row.key_version, ...entry.key.map((k) => row[k])],
      );
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
  });
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
  return deps.db.transaction(async (tx) => {
    await lockOrganizationKeys(tx, organizationId);
    if ((await remainingRows(tx, organizationId, target)) > 0) return [];
    const gone = await tx.query<{ version: number }>(
      `DELETE FROM organization_keys WHERE organization_id = $1 AND purpose = 'data' AND version < $2
       RETURNING version`,
      [organizationId, target],
    );
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
  });
}

async function remainingRows(tx: Sql, organizationId: string, version: number): Promise<number> {
  let total = 0;
  for (const entry of SEALED_COLUMNS) {
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM ${entry.table} WHERE organization_id = $1 AND key_version < $2`,
      [organizationId, version],
    );
    total += rows[0]?.n ?? 0;
  }
  return total;
}
