import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceMasterKeyFile } from '../../cli/keys-commands.js';
import { loadOrCreateSecrets } from '../../platform/secrets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'candor-master-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = () => randomBytes(32).toString('base64');
const env = { CANDOR_SESSION_SECRET: key(), CANDOR_AUDIT_KEY: key(), CANDOR_METRICS_TOKEN: 'metrics-token' };

describe('previous master keys', () => {
  it('come from CANDOR_PREVIOUS_MASTER_KEYS, comma-separated', () => {
    const [a, b] = [key(), key()];
    const secrets = loadOrCreateSecrets({
      env: { ...env, CANDOR_MASTER_KEY: key(), CANDOR_PREVIOUS_MASTER_KEYS: `${a}, ${b}` },
      dataDir: dir,
      mayGenerate: false,
    });
    expect(secrets.previousMasterKeys.map((k) => k.toString('base64'))).toEqual([a, b]);
    expect(
      loadOrCreateSecrets({ env: { ...env, CANDOR_MASTER_KEY: key() }, dataDir: dir, mayGenerate: false })
        .previousMasterKeys,
    ).toEqual([]);
  });

  it('refuse a key that is not 32 bytes of base64, naming the variable', () => {
    expect(() =>
      loadOrCreateSecrets({
        env: { ...env, CANDOR_MASTER_KEY: key(), CANDOR_PREVIOUS_MASTER_KEYS: `${key()},short` },
        dataDir: dir,
        mayGenerate: false,
      }),
    ).toThrow(/Configuration error in CANDOR_PREVIOUS_MASTER_KEYS: must be 32 bytes in base64/);
  });

  it('--new-master-key moves the old key of secrets.json to previousMasterKeys', () => {
    const dataDir = path.join(dir, 'embedded');
    const first = loadOrCreateSecrets({ env: {}, dataDir, mayGenerate: true });
    const file = replaceMasterKeyFile({ NODE_ENV: 'test', CANDOR_DATA_DIR: dataDir });
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      masterKey: string;
      previousMasterKeys: string[];
    };
    expect(stored.previousMasterKeys).toEqual([first.masterKey.toString('base64')]);
    const after = loadOrCreateSecrets({ env: {}, dataDir, mayGenerate: true });
    expect(after.masterKey.equals(first.masterKey)).toBe(false);
    expect(after.previousMasterKeys).toEqual([first.masterKey]);
    expect(after.auditKey.equals(first.auditKey)).toBe(true);
    // A second replacement keeps both old keys.
    replaceMasterKeyFile({ NODE_ENV: 'test', CANDOR_DATA_DIR: dataDir });
    expect(loadOrCreateSecrets({ env: {}, dataDir, mayGenerate: true }).previousMasterKeys).toEqual([
      after.masterKey,
      first.masterKey,
    ]);
  });

  it('--new-master-key is refused when the key comes from the environment', () => {
    expect(() =>
      replaceMasterKeyFile({
        NODE_ENV: 'test',
        CANDOR_DATA_DIR: path.join(dir, 'env'),
        CANDOR_MASTER_KEY: key(),
      }),
    ).toThrow(/run candor keys rotate with the new key there and the old one in CANDOR_PREVIOUS_MASTER_KEYS/);
  });
});
