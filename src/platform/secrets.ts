import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Secrets {
  /** Keys the CSRF tokens and other session-bound MACs. */
  readonly sessionKey: Buffer;
  /** Wraps the data keys that encrypt personal fields at rest. */
  readonly masterKey: Buffer;
  /**
   * Master keys replaced by masterKey: they still unwrap (never wrap) until `candor keys rotate`
   * has re-wrapped every organization key under masterKey.
   */
  readonly previousMasterKeys: readonly Buffer[];
  /** Signs the audit log's checkpoints; held outside the database on purpose. */
  readonly auditKey: Buffer;
  /** Bearer token for /metrics. */
  readonly metricsToken: string;
}

/** Each secret's key in secrets.json and the environment variable that sets it. */
export const SECRET_VARIABLES = {
  sessionKey: 'CANDOR_SESSION_SECRET',
  masterKey: 'CANDOR_MASTER_KEY',
  auditKey: 'CANDOR_AUDIT_KEY',
  metricsToken: 'CANDOR_METRICS_TOKEN',
} as const;

/** Comma-separated base64 master keys that were replaced (secrets.json: previousMasterKeys). */
export const PREVIOUS_MASTER_KEYS_VARIABLE = 'CANDOR_PREVIOUS_MASTER_KEYS';

type SecretName = keyof typeof SECRET_VARIABLES;
type Stored = Record<SecretName, string> & { previousMasterKeys?: string[] };

export const SECRETS_FILE = 'secrets.json';

/**
 * Secrets come from the environment. On an embedded (development) install the
 * ones missing are generated once into <dataDir>/secrets.json (mode 0600) and
 * reused afterwards; in production a missing secret stops the start.
 */
export function loadOrCreateSecrets(options: {
  env: Record<string, string | undefined>;
  dataDir: string;
  mayGenerate: boolean;
}): Secrets {
  const file = path.join(options.dataDir, SECRETS_FILE);
  const stored = options.mayGenerate ? readOrCreate(file) : undefined;
  const pick = (name: SecretName): string => {
    const variable = SECRET_VARIABLES[name];
    const value = options.env[variable] ?? stored?.[name];
    if (!value) {
      throw new Error(
        `Configuration error in ${variable}: it is required (generate one with: openssl rand -base64 32)`,
      );
    }
    return value;
  };
  return Object.freeze({
    sessionKey: key(pick('sessionKey'), SECRET_VARIABLES.sessionKey),
    masterKey: key(pick('masterKey'), SECRET_VARIABLES.masterKey),
    previousMasterKeys: (
      options.env[PREVIOUS_MASTER_KEYS_VARIABLE]?.split(',').map((v) => v.trim()) ??
      stored?.previousMasterKeys ??
      []
    )
      .filter((v) => v !== '')
      .map((v) => key(v, PREVIOUS_MASTER_KEYS_VARIABLE)),
    auditKey: key(pick('auditKey'), SECRET_VARIABLES.auditKey),
    metricsToken: pick('metricsToken'),
  });
}

function key(value: string, variable: string): Buffer {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 32) {
    throw new Error(
      `Configuration error in ${variable}: must be 32 bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return bytes;
}

function readOrCreate(file: string): Stored {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode !== 0o600) chmodSync(file, 0o600);
    return JSON.parse(readFileSync(file, 'utf8')) as Stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const generated: Stored = {
    sessionKey: randomBytes(32).toString('base64'),
    masterKey: randomBytes(32).toString('base64'),
    auditKey: randomBytes(32).toString('base64'),
    metricsToken: randomBytes(24).toString('base64url'),
  };
  // 'wx' fails if another process created it first; then read theirs.
  try {
    writeFileSync(file, JSON.stringify(generated, null, 2), { mode: 0o600, flag: 'wx' });
    return generated;
  } catch {
    return JSON.parse(readFileSync(file, 'utf8')) as Stored;
  }
}
