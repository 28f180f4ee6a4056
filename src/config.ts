import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CRASH_POINTS, type CrashPoint } from './platform/crash-points.js';
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
  /** The SMS provider (Twilio's Programmable Messaging API shape); unset: no SMS channel. */
  readonly sms: SmsSettings | undefined;
  /** CANDOR_WEBHOOK_ALLOW_PRIVATE: webhooks may reach private, loopback and link-local targets, and plain http. */
  readonly webhookAllowPrivate: boolean;
  /** The notices' e-mail channel (channel-email.ts) and its bounces (bounce-*.ts). */
  readonly email: EmailChannelConfig;
  readonly secrets: Secrets;
  /** Hooks of the test suite: accepted under NODE_ENV=test only, refused in any other environment. */
  readonly testHooks: TestHooks;
}

export interface TestHooks {
  /** CANDOR_TEST_CRASH_AT: the process kills itself at this point (platform/crash-points.ts). */
  readonly crashAt: CrashPoint | undefined;
  /** CANDOR_TEST_WITHOUT_TIMERS: timers and queues (comma-separated names) this process does not run. */
  readonly withoutTimers: readonly string[];
}

export interface EmailChannelConfig {
  /** Pooled SMTP connections per worker process for notices (CANDOR_EMAIL_MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Batches of notice deliveries a worker process works on side by side (CANDOR_DELIVERY_LOOPS). */
  readonly deliveryLoops: number;
  /** The domain of the VERP envelope sender bounces+<delivery id>@… (CANDOR_BOUNCE_DOMAIN). */
  readonly bounceDomain: string;
  /** The inbound SMTP listener for DSNs; off unless CANDOR_BOUNCE_SMTP_PORT is set. */
  readonly bounceSmtpPort: number | undefined;
  readonly bounceSmtpHost: string;
  /** Bearer secret of the relay's bounce and complaint webhook; the route is off without it. */
  readonly bounceWebhookSecret: string | undefined;
  /**
   * Reports (bounces, complaints, unsubscribes) taken per minute from one source address, on the
   * inbound SMTP listener and the HTTP routes each (CANDOR_REPORTS_PER_MINUTE); more are put off
   * (SMTP 421, HTTP 429), not lost: a mail server tries again.
   */
  readonly reportsPerMinute: number;
  /** SPF guidance: the mechanism that names the relay, e.g. include:_spf.relay.example or ip4:192.0.2.1. */
  readonly spfMechanism: string | undefined;
  /** DMARC guidance: where aggregate reports go, e.g. mailto:dmarc@example.com. */
  readonly dmarcRua: string | undefined;
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
    sms: smsSettings(source),
    webhookAllowPrivate: oneOf(source, 'CANDOR_WEBHOOK_ALLOW_PRIVATE', ['true', 'false'], 'false') === 'true',
    email: emailChannel(source, publicUrl),
    secrets,
    testHooks: testHooks(source, nodeEnv),
  });
}

const TEST_HOOKS = ['CANDOR_TEST_CRASH_AT', 'CANDOR_TEST_WITHOUT_TIMERS'] as const;

function testHooks(source: Source, nodeEnv: NodeEnv): TestHooks {
  if (nodeEnv !== 'test') {
    // A process that can be told to kill itself, or to skip its safety nets, is never a real one.
    const set = TEST_HOOKS.find((name) => source[name] !== undefined);
    if (set) throw new ConfigError(set, 'is a hook of the test suite: accepted only with NODE_ENV=test');
    return { crashAt: undefined, withoutTimers: [] };
  }
  return {
    crashAt:
      source.CANDOR_TEST_CRASH_AT === undefined
        ? undefined
        : oneOf(source, 'CANDOR_TEST_CRASH_AT', CRASH_POINTS, CRASH_POINTS[0]),
    withoutTimers: (source.CANDOR_TEST_WITHOUT_TIMERS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  };
}

function emailChannel(source: Source, publicUrl: URL): EmailChannelConfig {
  const bounceDomain = (source.CANDOR_BOUNCE_DOMAIN ?? publicUrl.hostname).toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(bounceDomain)) {
    throw new ConfigError('CANDOR_BOUNCE_DOMAIN', `"${bounceDomain}" is not a domain name`);
  }
  const secret = source.CANDOR_BOUNCE_WEBHOOK_SECRET;
  if (secret !== undefined && secret.length < 24) {
    throw new ConfigError('CANDOR_BOUNCE_WEBHOOK_SECRET', 'must be at least 24 characters');
  }
  const spf = source.CANDOR_SPF_MECHANISM;
  if (
    spf !== undefined &&
    !/^(include:[a-z0-9.-]+|ip4:[0-9./]+|ip6:[0-9a-f:./]+|a(:[a-z0-9.-]+)?|mx)$/i.test(spf)
  ) {
    throw new ConfigError(
      'CANDOR_SPF_MECHANISM',
      `"${spf}" is not an SPF mechanism (include:…, ip4:…, ip6:…, a or mx)`,
    );
  }
  const rua = source.CANDOR_DMARC_RUA;
  if (rua !== undefined && !/^mailto:[^\s;,]+@[^\s;,]+$/.test(rua)) {
    throw new ConfigError('CANDOR_DMARC_RUA', 'must be a mailto: address');
  }
  return {
    maxConnections: integer(source, 'CANDOR_EMAIL_MAX_CONNECTIONS', 16, 1, 100),
    deliveryLoops: integer(source, 'CANDOR_DELIVERY_LOOPS', 4, 1, 16),
    bounceDomain,
    bounceSmtpPort:
      source.CANDOR_BOUNCE_SMTP_PORT === undefined
        ? undefined
        : integer(source, 'CANDOR_BOUNCE_SMTP_PORT', 0, 0, 65535),
    bounceSmtpHost: source.CANDOR_BOUNCE_SMTP_HOST ?? '127.0.0.1',
    bounceWebhookSecret: secret,
    reportsPerMinute: integer(source, 'CANDOR_REPORTS_PER_MINUTE', 600, 1, 1_000_000),
    spfMechanism: spf,
    dmarcRua: rua,
  };
}

export interface SmsSettings {
  /** CANDOR_SMS_URL: the API's base, https://api.twilio.com unless set (tests point it at a local server). */
  readonly baseUrl: string;
  readonly accountSid: string;
  readonly authToken: string;
  /** The sender number (E.164) or alphanumeric ID, or else a Messaging Service. */
  readonly from: string | undefined;
  readonly messagingServiceSid: string | undefined;
  /** Prices per segment for the cost estimate; unset: no estimate. */
  readonly pricing: SmsPricing | undefined;
}

/** CANDOR_SMS_*: all or nothing; no default credentials. */
function smsSettings(source: Source): SmsSettings | undefined {
  const accountSid = source.CANDOR_SMS_ACCOUNT_SID;
  if (accountSid === undefined) {
    for (const name of ['CANDOR_SMS_AUTH_TOKEN', 'CANDOR_SMS_FROM', 'CANDOR_SMS_MESSAGING_SERVICE_SID']) {
      if (source[name] !== undefined) throw new ConfigError(name, 'needs CANDOR_SMS_ACCOUNT_SID as well');
    }
    return undefined;
  }
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new ConfigError('CANDOR_SMS_ACCOUNT_SID', 'must be an account SID (AC and 32 hex digits)');
  }
  const authToken = source.CANDOR_SMS_AUTH_TOKEN;
  if (!authToken) throw new ConfigError('CANDOR_SMS_AUTH_TOKEN', 'is required with CANDOR_SMS_ACCOUNT_SID');
  const from = source.CANDOR_SMS_FROM;
  const messagingServiceSid = source.CANDOR_SMS_MESSAGING_SERVICE_SID;
  if (!from && !messagingServiceSid) {
    throw new ConfigError('CANDOR_SMS_FROM', 'or CANDOR_SMS_MESSAGING_SERVICE_SID is required to send SMS');
  }
  if (messagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(messagingServiceSid)) {
    throw new ConfigError('CANDOR_SMS_MESSAGING_SERVICE_SID', 'must be MG and 32 hex digits');
  }
  const baseUrl = optionalUrl(source, 'CANDOR_SMS_URL', ['https:', 'http:']) ?? 'https://api.twilio.com';
  let pricing: SmsPricing | undefined;
  if (source.CANDOR_SMS_PRICES) {
    try {
      pricing = parseSmsPrices(source.CANDOR_SMS_PRICES, source.CANDOR_SMS_CURRENCY ?? 'EUR');
    } catch (error) {
      throw new ConfigError('CANDOR_SMS_PRICES', (error as Error).message);
    }
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ''), accountSid, authToken, from, messagingServiceSid, pricing };
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

/**
 * Prices per segment by the number's country calling prefix (the longest that matches), in
 * millionths of the currency so sums are exact; `default` for the rest.
 */
export interface SmsPricing {
  currency: string;
  /** '+420' → micro-units per segment. */
  byPrefix: ReadonlyMap<string, number>;
  default: number | undefined;
}

/**
 * Parses "default=0.075,+420=0.042,+966=0.061" (prices per segment in the currency). Throws an
 * Error naming the entry at fault.
 */
export function parseSmsPrices(spec: string, currency: string): SmsPricing {
  const byPrefix = new Map<string, number>();
  let fallback: number | undefined;
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const match = /^(default|\+[1-9]\d{0,5})\s*=\s*(\d{1,6}(?:\.\d{1,6})?)$/.exec(entry);
    if (!match) {
      throw new Error(`"${entry}" is not PREFIX=PRICE (e.g. +420=0.042 or default=0.075)`);
    }
    const [whole, fraction = ''] = match[2]!.split('.');
    const micros = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
    if (match[1] === 'default') fallback = micros;
    else byPrefix.set(match[1]!, micros);
  }
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`"${currency}" is not an ISO 4217 currency code`);
  return { currency, byPrefix, default: fallback };
}
