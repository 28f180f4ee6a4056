import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateSecrets, type Secrets } from './platform/secrets.js';

export type ProcessRole = 'all' | 'web' | 'worker';
export type NodeEnv = 'development' | 'test' | 'production';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: URL;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly role: ProcessRole;
  readonly logLevel: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly trustProxy: boolean;
  /** The Chromium that prints PDF documents; unset: `chromium` on the PATH. */
  readonly chromiumPath: string | undefined;
  readonly secrets: Secrets;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration error in ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/**
 * Reads the environment (and CANDOR_CONFIG_FILE, a JSON object of the same
 * variable names, which the environment overrides) once, validates it and
 * returns a frozen config. Every error names the variable at fault.
 */
export function loadConfig(env: Source = process.env): Config {
  const source = { ...readConfigFile(env), ...definedOnly(env) };
  const nodeEnv = oneOf(source, 'NODE_ENV', ['development', 'test', 'production'], 'development');
  const port = integer(source, 'PORT', 3000, 0, 65535);
  const databaseUrl = optionalUrl(source, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const dataDir = path.resolve(source.CANDOR_DATA_DIR ?? 'data');
  const publicUrl = url(source, 'CANDOR_PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError('CANDOR_PUBLIC_URL', 'must be an origin without path, query or fragment');
  }
  const role = oneOf(source, 'CANDOR_ROLE', ['all', 'web', 'worker'], 'all');
  if (role !== 'all' && !databaseUrl) {
    throw new ConfigError(
      'CANDOR_ROLE',
      `"${role}" needs DATABASE_URL: the embedded database serves one process`,
    );
  }
  const smtpUrl = optionalUrl(source, 'CANDOR_SMTP_URL', ['smtp:', 'smtps:']);
  if (nodeEnv === 'production' && !smtpUrl) {
    throw new ConfigError(
      'CANDOR_SMTP_URL',
      'is required in production (e.g. smtps://user:pass@mail.example:465)',
    );
  }
  const secrets = loadOrCreateSecrets({
    env: source,
    dataDir,
    mayGenerate: nodeEnv !== 'production' && !databaseUrl,
  });
  return Object.freeze({
    nodeEnv,
    host: source.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port,
    publicUrl,
    databaseUrl,
    dataDir,
    role,
    logLevel: oneOf(
      source,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    smtpUrl,
    mailFrom: source.CANDOR_MAIL_FROM ?? `Candor <no-reply@${publicUrl.hostname}>`,
    sessionIdleMinutes: integer(source, 'CANDOR_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: integer(source, 'CANDOR_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
    trustProxy: oneOf(source, 'CANDOR_TRUST_PROXY', ['true', 'false'], 'false') === 'true',
    chromiumPath: source.CHROMIUM_PATH,
    secrets,
  });
}

function readConfigFile(env: Source): Source {
  const file = env.CANDOR_CONFIG_FILE;
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError('CANDOR_CONFIG_FILE', `cannot read ${file} as JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('CANDOR_CONFIG_FILE', `${file} must hold a JSON object of variable names`);
  }
  const out: Source = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(key, `in ${file} must be a string, number or boolean`);
    }
    out[key] = String(value);
  }
  return out;
}

function definedOnly(env: Source): Source {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

function oneOf<T extends string>(source: Source, name: string, allowed: readonly T[], fallback: T): T {
  const value = source[name];
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `"${value}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function integer(source: Source, name: string, fallback: number, min: number, max: number): number {
  const value = source[name];
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `"${value}" must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

function url(source: Source, name: string, fallback: string, protocols: string[]): URL {
  const parsed = optionalUrl(source, name, protocols);
  return parsed ? new URL(parsed) : new URL(fallback);
}

function optionalUrl(source: Source, name: string, protocols: string[]): string | undefined {
  const value = source[name];
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return value;
}
