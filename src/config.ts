import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from 'typebox/value';
import {
  ConfigError,
  fieldSchema,
  parseSettings,
  parseSmsPrices,
  parseTrustProxy,
  rejectUnknown,
  TEST_HOOKS,
  VARIABLES,
  type Settings,
  type SmsPricing,
  type TrustProxy,
} from './config-schema.js';
import type { CrashPoint } from './platform/crash-points.js';
import { loadOrCreateSecrets, type Secrets } from './platform/secrets.js';

export { ConfigError, parseSmsPrices, type SmsPricing, type TrustProxy } from './config-schema.js';

export type ProcessRole = 'all' | 'web' | 'worker';
export type NodeEnv = 'development' | 'test' | 'production';

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: URL;
  readonly databaseUrl: string | undefined;
  /** The owner of the tables: migrations and pg-boss's schema. Unset: DATABASE_URL is the owner. */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly role: ProcessRole;
  readonly logLevel: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  /** CANDOR_TRUST_PROXY: the proxies whose X-Forwarded-For entries are believed (never all of them). */
  readonly trustProxy: TrustProxy;
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

type Source = Record<string, string | undefined>;

/**
 * Reads the environment (and CANDOR_CONFIG_FILE, a JSON object of the same variable names, which
 * the environment overrides) once: parses it against the schema (config-schema.ts: types, ranges,
 * defaults), applies the rules between variables, and returns a deeply frozen config. Every error
 * is a ConfigError naming the variable at fault, an unknown CANDOR_* variable included.
 */
export function loadConfig(env: Source = process.env): Config {
  const fromEnv = definedOnly(env);
  rejectUnknown(Object.keys(fromEnv), { all: false });
  const source: Source = { ...readConfigFile(env), ...fromEnv };
  refuseTestHooks(source);
  const settings = parseSettings(source);

  const nodeEnv = settings.NODE_ENV;
  const databaseUrl = settings.DATABASE_URL;
  const publicUrl = new URL(settings.CANDOR_PUBLIC_URL ?? `http://localhost:${settings.PORT}`);
  if (settings.CANDOR_ROLE !== 'all' && !databaseUrl) {
    throw new ConfigError(
      'CANDOR_ROLE',
      `"${settings.CANDOR_ROLE}" needs DATABASE_URL: the embedded database serves one process`,
    );
  }
  if (settings.CANDOR_MIGRATION_DATABASE_URL && !databaseUrl) {
    throw new ConfigError(
      'CANDOR_MIGRATION_DATABASE_URL',
      'needs DATABASE_URL (the login role the processes use); the embedded database has one user',
    );
  }
  if (nodeEnv === 'production' && !settings.CANDOR_SMTP_URL) {
    throw new ConfigError(
      'CANDOR_SMTP_URL',
      'is required in production (e.g. smtps://user:pass@mail.example:465)',
    );
  }
  const sms = smsSettings(source, settings);
  const email = emailChannel(settings, publicUrl);
  const dataDir = path.resolve(settings.CANDOR_DATA_DIR);
  const secrets = loadOrCreateSecrets({
    env: source,
    dataDir,
    mayGenerate: nodeEnv !== 'production' && !databaseUrl,
  });
  return deepFreeze<Config>({
    nodeEnv,
    host: settings.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port: settings.PORT,
    publicUrl,
    databaseUrl,
    migrationDatabaseUrl: settings.CANDOR_MIGRATION_DATABASE_URL,
    dataDir,
    role: settings.CANDOR_ROLE,
    logLevel: settings.LOG_LEVEL,
    smtpUrl: settings.CANDOR_SMTP_URL,
    mailFrom: settings.CANDOR_MAIL_FROM ?? `Candor <no-reply@${publicUrl.hostname}>`,
    sessionIdleMinutes: settings.CANDOR_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: settings.CANDOR_SESSION_ABSOLUTE_HOURS,
    // The schema has checked it: this cannot throw.
    trustProxy:
      settings.CANDOR_TRUST_PROXY === undefined ? false : parseTrustProxy(settings.CANDOR_TRUST_PROXY),
    chromiumPath: settings.CHROMIUM_PATH,
    sms,
    webhookAllowPrivate: settings.CANDOR_WEBHOOK_ALLOW_PRIVATE,
    email,
    secrets,
    testHooks: {
      crashAt: settings.CANDOR_TEST_CRASH_AT,
      withoutTimers: (settings.CANDOR_TEST_WITHOUT_TIMERS ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    },
  });
}

/** A process that can be told to kill itself, or to skip its safety nets, is never a real one. */
function refuseTestHooks(source: Source): void {
  if (source.NODE_ENV === 'test') return;
  const set = TEST_HOOKS.find((name) => source[name] !== undefined);
  if (set) throw new ConfigError(set, 'is a hook of the test suite: accepted only with NODE_ENV=test');
}

function emailChannel(settings: Settings, publicUrl: URL): EmailChannelConfig {
  const bounceDomain = (settings.CANDOR_BOUNCE_DOMAIN ?? publicUrl.hostname).toLowerCase();
  // The default (the public URL's host) may be no domain name either, e.g. an IPv6 address.
  if (!Value.Check(fieldSchema('CANDOR_BOUNCE_DOMAIN'), bounceDomain)) {
    throw new ConfigError('CANDOR_BOUNCE_DOMAIN', `"${bounceDomain}" is not a domain name`);
  }
  return {
    maxConnections: settings.CANDOR_EMAIL_MAX_CONNECTIONS,
    deliveryLoops: settings.CANDOR_DELIVERY_LOOPS,
    bounceDomain,
    bounceSmtpPort: settings.CANDOR_BOUNCE_SMTP_PORT,
    bounceSmtpHost: settings.CANDOR_BOUNCE_SMTP_HOST,
    bounceWebhookSecret: settings.CANDOR_BOUNCE_WEBHOOK_SECRET,
    reportsPerMinute: settings.CANDOR_REPORTS_PER_MINUTE,
    spfMechanism: settings.CANDOR_SPF_MECHANISM,
    dmarcRua: settings.CANDOR_DMARC_RUA,
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
function smsSettings(source: Source, settings: Settings): SmsSettings | undefined {
  const accountSid = settings.CANDOR_SMS_ACCOUNT_SID;
  if (accountSid === undefined) {
    // Set without the account, any of them would be silently ignored.
    const set = VARIABLES.find((name) => name.startsWith('CANDOR_SMS_') && source[name] !== undefined);
    if (set) throw new ConfigError(set, 'needs CANDOR_SMS_ACCOUNT_SID as well');
    return undefined;
  }
  const authToken = settings.CANDOR_SMS_AUTH_TOKEN;
  if (!authToken) throw new ConfigError('CANDOR_SMS_AUTH_TOKEN', 'is required with CANDOR_SMS_ACCOUNT_SID');
  const from = settings.CANDOR_SMS_FROM;
  const messagingServiceSid = settings.CANDOR_SMS_MESSAGING_SERVICE_SID;
  if (!from && !messagingServiceSid) {
    throw new ConfigError('CANDOR_SMS_FROM', 'or CANDOR_SMS_MESSAGING_SERVICE_SID is required to send SMS');
  }
  const prices = settings.CANDOR_SMS_PRICES;
  return {
    baseUrl: (settings.CANDOR_SMS_URL ?? 'https://api.twilio.com').replace(/\/+$/, ''),
    accountSid,
    authToken,
    from,
    messagingServiceSid,
    // The schema has checked both: this cannot throw.
    pricing: prices ? parseSmsPrices(prices, settings.CANDOR_SMS_CURRENCY) : undefined,
  };
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
  // The file holds Candor's variables only: any other name is a typo (or meant for something else).
  rejectUnknown(Object.keys(parsed), { all: true, where: file });
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

/**
 * Freezes `value` and everything it holds: objects, arrays, and maps (whose set, delete and clear
 * then throw). Buffers cannot be frozen and stay as they are; a URL's setters still work on its
 * internal state, so `publicUrl` is frozen only as an object.
 */
function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || seen.has(value))
    return value;
  seen.add(value);
  if (value instanceof Map) {
    for (const method of ['set', 'delete', 'clear']) {
      Object.defineProperty(value, method, {
        value: () => {
          throw new TypeError('The configuration is frozen');
        },
      });
    }
    for (const entry of value.values()) deepFreeze(entry, seen);
  }
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  }
  return Object.freeze(value);
}
