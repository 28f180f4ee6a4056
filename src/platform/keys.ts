import { randomBytes } from 'node:crypto';
import type { Sql } from './db.js';
import { hmac, open, seal } from './crypto.js';

/**
 * Holds the master key that wraps every organization's keys. The local one keeps it in memory
 * (from CANDOR_MASTER_KEY or the data directory's secrets file); a KMS-backed one would send
 * wrap and unwrap to the KMS and never hand out the key itself.
 */
export interface MasterKeyProvider {
  /** The id of the key new wraps use: a fingerprint, never the key. */
  readonly currentKeyId: string;
  wrap(plainKey: Buffer, context: string): Promise<Buffer>;
  /** Unwraps with the named master key; fails when this provider does not hold it. */
  unwrap(wrapped: Buffer, keyId: string, context: string): Promise<Buffer>;
}

export const masterKeyId = (key: Buffer) => `local:${hmac(key, 'candor-master-key-id').slice(0, 16)}`;

/** The configured master key with the previous ones (CANDOR_PREVIOUS_MASTER_KEYS) that still unwrap. */
export const masterKeyFrom = (secrets: { masterKey: Buffer; previousMasterKeys?: readonly Buffer[] }) =>
  localMasterKey(secrets.masterKey, secrets.previousMasterKeys ?? []);

/**
 * The master key held locally. `previous` keys still unwrap (after the master key was replaced
 * and before `candor keys rotate` re-wrapped everything) but never wrap.
 */
export function localMasterKey(current: Buffer, previous: readonly Buffer[] = []): MasterKeyProvider {
  const keys = new Map([current, ...previous].map((k) => [masterKeyId(k), k] as const));
  const currentKeyId = masterKeyId(current);
  return {
    currentKeyId,
    wrap: async (plainKey, context) => seal(current, plainKey, context),
    async unwrap(wrapped, keyId, context) {
      const key = keys.get(keyId);
      if (!key) throw new Error(`The master key ${keyId} is not configured`);
      return open(key, wrapped, context);
    },
  };
}

export type KeyPurpose = 'data' | 'index';

export interface OrganizationKeys {
  /** The newest data key: new ciphertexts use it. */
  dataVersion: number;
  data(version: number): Buffer;
  /** Keys the blind indexes; unchanged across data-key versions. */
  index: Buffer;
}

interface KeyRow {
  purpose: KeyPurpose;
  version: number;
  wrapped_key: Buffer | Uint8Array;
  master_key_id: string;
}

/** The associated data a wrapped key is bound to: moved to another organization it does not open. */
export const wrapContext = (organizationId: string, purpose: KeyPurpose, version: number) =>
  `organization-key:${organizationId}:${purpose}:${version}`;

const CACHE_MS = 60_000;

/**
 * Organization keys, created on first use and cached briefly in memory (so a request does not
 * unwrap on every call, and a destroyed key does not linger for long).
 */
export function organizationKeyring(master: MasterKeyProvider, cacheMs = CACHE_MS) {
  const cache = new Map<string, { keys: OrganizationKeys; until: number }>();

  async function load(tx: Sql, organizationId: string): Promise<KeyRow[]> {
    return tx.query<KeyRow>(
      'SELECT purpose, version, wrapped_key, master_key_id FROM organization_keys WHERE organization_id = $1',
      [organizationId],
    );
  }

  async function create(tx: Sql, organizationId: string, purpose: KeyPurpose): Promise<void> {
    const plain = randomBytes(32);
    await tx.query(
      `INSERT INTO organization_keys (organization_id, purpose, version, wrapped_key, master_key_id)
       VALUES ($1, $2, 1, $3, $4) ON CONFLICT DO NOTHING`,
      [
        organizationId,
        purpose,
        await master.wrap(plain, wrapContext(organizationId, purpose, 1)),
        master.currentKeyId,
      ],
    );
  }

  return {
    /** The organization's keys; runs in the caller's transaction (inside withOrg). */
    async get(tx: Sql, organizationId: string): Promise<OrganizationKeys> {
      const hit = cache.get(organizationId);
      if (hit && hit.until > Date.now()) return hit.keys;
      let rows = await load(tx, organizationId);
      const missing = (['data', 'index'] as const).filter((p) => !rows.some((r) => r.purpose === p));
      if (missing.length) {
        // A concurrent first use inserts the same primary key: one wins, both read the winner.
        for (const purpose of missing) await create(tx, organizationId, purpose);
        rows = await load(tx, organizationId);
      }
      const unwrapped = new Map<string, Buffer>();
      for (const row of rows) {
        unwrapped.set(
          `${row.purpose}:${row.version}`,
          await master.unwrap(
            Buffer.from(row.wrapped_key),
            row.master_key_id,
            wrapContext(organizationId, row.purpose, row.version),
          ),
        );
      }
      const dataVersion = Math.max(...rows.filter((r) => r.purpose === 'data').map((r) => r.version));
      const keys: OrganizationKeys = {
        dataVersion,
        data(version) {
          const key = unwrapped.get(`data:${version}`);
          if (!key) throw new Error(`No data key version ${version} for this organization`);
          return key;
        },
        index: unwrapped.get(
          `index:${Math.max(...rows.filter((r) => r.purpose === 'index').map((r) => r.version))}`,
        )!,
      };
      cache.set(organizationId, { keys, until: Date.now() + cacheMs });
      return keys;
    },
    /** Forgets cached keys (after a rotation or an organization's deletion). */
    forget(organizationId?: string) {
      if (organizationId) cache.delete(organizationId);
      else cache.clear();
    },
  };
}

export type OrganizationKeyring = ReturnType<typeof organizationKeyring>;

/**
 * Re-wraps every organization key under the provider's current master key; keys are unchanged,
 * so no ciphertext needs touching. Run as the owner of the tables (it crosses organizations).
 * Returns how many keys were re-wrapped.
 */
export async function rewrapOrganizationKeys(tx: Sql, master: MasterKeyProvider): Promise<number> {
  const rows = await tx.query<KeyRow & { organization_id: string }>(
    `SELECT organization_id, purpose, version, wrapped_key, master_key_id FROM organization_keys
     WHERE master_key_id <> $1 ORDER BY organization_id, purpose, version FOR UPDATE`,
    [master.currentKeyId],
  );
  for (const row of rows) {
    const context = wrapContext(row.organization_id, row.purpose, row.version);
    const plain = await master.unwrap(Buffer.from(row.wrapped_key), row.master_key_id, context);
    await tx.query(
      `UPDATE organization_keys SET wrapped_key = $4, master_key_id = $5, rewrapped_at = now()
       WHERE organization_id = $1 AND purpose = $2 AND version = $3`,
      [row.organization_id, row.purpose, row.version, await master.wrap(plain, context), master.currentKeyId],
    );
  }
  return rows.length;
}

/**
 * Adds the next data key version of one organization: its new ciphertexts use it from now on
 * (once each process's keyring cache has expired), the older versions still open what they
 * sealed until the re-encryption job moves it. Run as the owner. Returns the new version, or
 * undefined when the organization has no keys yet (its first use creates version 1).
 */
export async function addDataKeyVersion(
  tx: Sql,
  master: MasterKeyProvider,
  organizationId: string,
): Promise<number | undefined> {
  await lockOrganizationKeys(tx, organizationId);
  const newest = (
    await tx.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM organization_keys WHERE organization_id = $1 AND purpose = 'data'`,
      [organizationId],
    )
  )[0]?.version;
  if (!newest) return undefined;
  const version = newest + 1;
  await tx.query(
    `INSERT INTO organization_keys (organization_id, purpose, version, wrapped_key, master_key_id)
     VALUES ($1, 'data', $2, $3, $4)`,
    [
      organizationId,
      version,
      await master.wrap(randomBytes(32), wrapContext(organizationId, 'data', version)),
      master.currentKeyId,
    ],
  );
  return version;
}

/** Serializes the key changes of one organization (new versions, destruction). */
const KEYS_LOCK = 727_040;

/** Takes the organization's key lock in the caller's transaction. */
export async function lockOrganizationKeys(tx: Sql, organizationId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [KEYS_LOCK, organizationId]);
}
