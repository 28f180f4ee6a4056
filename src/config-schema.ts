// One file over 400 lines: it is the one list of every variable Candor reads, each with its
// type, range, default and description; splitting it would make two lists.
import { isIP } from 'node:net';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { CRASH_POINTS } from './platform/crash-points.js';
import { editDistance } from './platform/edit-distance.js';

/**
 * Every environment variable Candor reads, as one TypeBox schema: its type, the values it allows,
 * its default and what it does. config.ts parses the environment (and CANDOR_CONFIG_FILE) against
 * it, applies the rules between variables and builds the frozen Config; a CANDOR_* variable that is
 * not listed here (nor in EXEMPT_VARIABLES) stops the start, so a typo is never silently ignored.
 *
 * Annotations beyond JSON Schema:
 * - `errorMessage`: the problem reported when the value breaks the schema (`{value}`: the value);
 *   without it the problem is derived from the type (whole number from … to …, one of …), and a
 *   refinement (Type.Refine) carries its own.
 * - `testHook`: a hook of the test suite, refused unless NODE_ENV=test.
 * - `readBy`: read straight from the environment by that file, not through Config; listed (and
 *   checked) here all the same.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration error in ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
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
  if (!CURRENCY.test(currency)) throw new Error(`"${currency}" is not an ISO 4217 currency code`);
  return { currency, byPrefix, default: fallback };
}

const CURRENCY = /^[A-Z]{3}$/;

/**
 * Which proxies' X-Forwarded-For entries are believed (Fastify's `trustProxy`): a hop count, or
 * the proxies' addresses; `false` when there is no proxy. Never `true`: that believes the first
 * entry, which the client writes itself, so any per-address limit would fall to a forged header.
 */
export type TrustProxy = false | number | readonly string[];

/** proxy-addr's names for address ranges, accepted beside IPs and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** Parses CANDOR_TRUST_PROXY; throws an Error whose message says what is wrong and what to write. */
export function parseTrustProxy(spec: string): TrustProxy {
  const value = spec.trim();
  if (/^(true|yes|on)$/i.test(value)) {
    throw new Error(
      `"${spec}" would trust whatever X-Forwarded-For a client sends (any per-address rate limit then falls to a forged header): ` +
        'give the number of proxies in front of Candor (e.g. 1) or their addresses (e.g. 10.0.0.0/8, loopback)',
    );
  }
  if (/^(false|off|no)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new Error(`"${spec}" must be a number of proxies from 0 to 10, or their addresses`);
    return hops === 0 ? false : hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.includes(entry)) continue;
    const [address, bits, extra] = entry.split('/');
    const ip = isIP(address ?? '');
    const maxBits = ip === 4 ? 32 : 128;
    const goodBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (!ip || !goodBits || extra !== undefined) {
      throw new Error(
        `"${entry}" is not an IP address, a CIDR range or one of ${PROXY_RANGE_NAMES.join(', ')}: ` +
          'give the number of proxies in front of Candor (e.g. 1) or their addresses, comma-separated',
      );
    }
  }
  return entries;
}

/** The message of what `parse` throws, or undefined when it does not. */
function failure(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function parsesAsUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A URL whose scheme is one of `protocols` ('https:'); `new URL` decides what a URL is. */
function url(protocols: readonly string[], description: string) {
  return Type.Refine(
    Type.Refine(
      Type.String({ description }),
      (value) => parsesAsUrl(value) !== undefined,
      () => 'is not a valid URL',
    ),
    (value) => protocols.includes(parsesAsUrl(value)?.protocol ?? ''),
    () => `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );
}

const DOMAIN = '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$';

export const CONFIG_SCHEMA = Type.Object({
  NODE_ENV: Type.Enum(['development', 'test', 'production'], {
    default: 'development',
    description:
      'production: refuses to start with a missing secret or without CANDOR_SMTP_URL, binds 0.0.0.0; test: accepts the hooks of the test suite.',
  }),
  HOST: Type.Optional(
    Type.String({
      description: 'The address the HTTP server binds. Unset: 0.0.0.0 in production, else 127.0.0.1.',
    }),
  ),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'The HTTP port.' }),
  DATABASE_URL: Type.Optional(
    url(
      ['postgres:', 'postgresql:'],
      'The PostgreSQL server, as the login role the web and worker processes use (a member of candor_app, see docs/OPERATIONS.md), or as the owner of the tables when CANDOR_MIGRATION_DATABASE_URL is unset (with a warning). Unset: the embedded database in the data directory (one process).',
    ),
  ),
  CANDOR_MIGRATION_DATABASE_URL: Type.Optional(
    url(
      ['postgres:', 'postgresql:'],
      "The same PostgreSQL database as the owner of the tables: used at start for the migrations and the job queue's schema, then closed. Needs DATABASE_URL.",
    ),
  ),
  CANDOR_DATA_DIR: Type.String({
    default: 'data',
    description:
      'The data directory (resolved from the working directory): the embedded database, secrets.json, saved mail.',
  }),
  CANDOR_PUBLIC_URL: Type.Optional(
    Type.Refine(
      url(
        ['http:', 'https:'],
        'The origin users open (links, WebAuthn, CSRF), without path, query or fragment. Unset: http://localhost:<PORT>.',
      ),
      (value) => {
        const parsed = parsesAsUrl(value);
        return !parsed || (parsed.pathname === '/' && !parsed.search && !parsed.hash);
      },
      () => 'must be an origin without path, query or fragment',
    ),
  ),
  CANDOR_ROLE: Type.Enum(['all', 'web', 'worker'], {
    default: 'all',
    description:
      'What this process runs: the web server, the worker (jobs, deliveries, bounce listener) or both. web and worker need DATABASE_URL.',
  }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'The least severe level logged.',
  }),
  CANDOR_SMTP_URL: Type.Optional(
    url(
      ['smtp:', 'smtps:'],
      'The mail relay (e.g. smtps://user:pass@mail.example:465), for the platform and notices. Required in production; unset elsewhere: mail is saved to <data dir>/mail.',
    ),
  ),
  CANDOR_MAIL_FROM: Type.Optional(
    Type.String({ description: 'The sender of e-mail. Unset: Candor <no-reply@<public URL host>>.' }),
  ),
  CANDOR_SESSION_IDLE_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 24 * 60,
    default: 30,
    description: 'A session ends after this many minutes without a request.',
  }),
  CANDOR_SESSION_ABSOLUTE_HOURS: Type.Integer({
    minimum: 1,
    maximum: 24 * 7,
    default: 12,
    description: 'A session ends this many hours after sign-in, active or not.',
  }),
  CANDOR_TRUST_PROXY: Type.Optional(
    Type.Refine(
      Type.String({
        description:
          'Behind reverse proxies: how many there are (e.g. 1), or their addresses as comma-separated IPs or CIDRs (e.g. 10.0.0.0/8, loopback); the client address is then read from X-Forwarded-For past them only. Unset: no proxy, the peer is the client.',
      }),
      (value) => failure(() => parseTrustProxy(value)) === undefined,
      (value) => failure(() => parseTrustProxy(value)) ?? '',
    ),
  ),
  CHROMIUM_PATH: Type.Optional(
    Type.String({ description: 'The Chromium that prints PDF documents. Unset: chromium on the PATH.' }),
  ),
  CANDOR_WEBHOOK_ALLOW_PRIVATE: Type.Boolean({
    default: false,
    description: 'true: webhooks may reach private, loopback and link-local targets, and plain http.',
  }),
  CANDOR_CONFIG_FILE: Type.Optional(
    Type.String({
      description:
        'A JSON file holding an object of these variables (strings, numbers or booleans); the environment wins over it.',
    }),
  ),

  // Secrets: read and checked (32 bytes of base64) by platform/secrets.ts from the same source.
  CANDOR_SESSION_SECRET: Type.Optional(
    Type.String({
      description: 'Keys the CSRF tokens and other session-bound MACs: 32 random bytes, base64.',
    }),
  ),
  CANDOR_MASTER_KEY: Type.Optional(
    Type.String({
      description: 'Wraps the data keys that encrypt personal fields at rest: 32 random bytes, base64.',
    }),
  ),
  CANDOR_PREVIOUS_MASTER_KEYS: Type.Optional(
    Type.String({
      description:
        'Master keys replaced by CANDOR_MASTER_KEY, comma-separated base64: they still unwrap (never wrap) until `candor keys rotate` has re-wrapped every organization key.',
    }),
  ),
  CANDOR_AUDIT_KEY: Type.Optional(
    Type.String({ description: "Signs the audit log's checkpoints: 32 random bytes, base64." }),
  ),
  CANDOR_METRICS_TOKEN: Type.Optional(Type.String({ description: 'Bearer token for GET /metrics.' })),

  // The notices' e-mail channel (channel-email.ts) and its bounces (bounce-*.ts).
  CANDOR_EMAIL_MAX_CONNECTIONS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 16,
    description: 'Pooled SMTP connections per worker process for notices.',
  }),
  CANDOR_DELIVERY_LOOPS: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 4,
    description: 'Batches of notice deliveries a worker process works on side by side.',
  }),
  CANDOR_NOTICE_RATE_LIMITS: Type.Optional(
    Type.String({
      readBy: 'src/modules/notices/delivery-worker.ts',
      description:
        'Notice rate limits in messages per second, e.g. email=500,sms=20,domain=100,domain:gmail.com=40; parsed by modules/notices/delivery-rate.ts when a worker starts. Unset: no limit.',
    }),
  ),
  CANDOR_BOUNCE_DOMAIN: Type.Optional(
    Type.String({
      pattern: new RegExp(DOMAIN, 'i'),
      errorMessage: '"{value}" is not a domain name',
      description:
        'The domain of the VERP envelope sender bounces+<delivery id>@…. Unset: the public URL’s host.',
    }),
  ),
  CANDOR_BOUNCE_SMTP_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      description: 'The port of the inbound SMTP listener for DSNs (worker role). Unset: no listener.',
    }),
  ),
  CANDOR_BOUNCE_SMTP_HOST: Type.String({
    default: '127.0.0.1',
    description: 'The address the inbound SMTP listener binds.',
  }),
  CANDOR_BOUNCE_WEBHOOK_SECRET: Type.Optional(
    Type.String({
      minLength: 24,
      errorMessage: 'must be at least 24 characters',
      description: "Bearer secret of the relay's bounce and complaint webhook. Unset: the route is off.",
    }),
  ),
  CANDOR_REPORTS_PER_MINUTE: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 600,
    description:
      'Reports (bounces, complaints, unsubscribes) taken per minute from one source address, on the inbound SMTP listener and the HTTP routes each; more are put off (SMTP 421, HTTP 429), not lost.',
  }),
  CANDOR_SPF_MECHANISM: Type.Optional(
    Type.String({
      pattern: /^(include:[a-z0-9.-]+|ip4:[0-9./]+|ip6:[0-9a-f:./]+|a(:[a-z0-9.-]+)?|mx)$/i,
      errorMessage: '"{value}" is not an SPF mechanism (include:…, ip4:…, ip6:…, a or mx)',
      description:
        'SPF guidance: the mechanism that names the relay, e.g. include:_spf.relay.example or ip4:192.0.2.1.',
    }),
  ),
  CANDOR_DMARC_RUA: Type.Optional(
    Type.String({
      pattern: '^mailto:[^\\s;,]+@[^\\s;,]+$',
      errorMessage: 'must be a mailto: address',
      description: 'DMARC guidance: where aggregate reports go, e.g. mailto:dmarc@example.com.',
    }),
  ),

  // The SMS provider (Twilio's Programmable Messaging API shape): all or nothing, no default credentials.
  CANDOR_SMS_ACCOUNT_SID: Type.Optional(
    Type.String({
      pattern: '^AC[0-9a-fA-F]{32}$',
      errorMessage: 'must be an account SID (AC and 32 hex digits)',
      description: 'The account SID; turns the SMS channel on. Unset: no SMS channel.',
    }),
  ),
  CANDOR_SMS_AUTH_TOKEN: Type.Optional(
    Type.String({
      description: 'The auth token: required with the account SID; also verifies the delivery reports.',
    }),
  ),
  CANDOR_SMS_FROM: Type.Optional(
    Type.String({
      description: 'The sender number (E.164) or alphanumeric ID; this or CANDOR_SMS_MESSAGING_SERVICE_SID.',
    }),
  ),
  CANDOR_SMS_MESSAGING_SERVICE_SID: Type.Optional(
    Type.String({
      pattern: '^MG[0-9a-fA-F]{32}$',
      errorMessage: 'must be MG and 32 hex digits',
      description: 'A Messaging Service, used instead of the sender when set.',
    }),
  ),
  CANDOR_SMS_URL: Type.Optional(
    url(
      ['https:', 'http:'],
      "The API's base (another provider with the same shape; tests point it at a local server). Unset: https://api.twilio.com.",
    ),
  ),
  CANDOR_SMS_PRICES: Type.Optional(
    Type.Refine(
      Type.String({
        description:
          'Prices per segment for the cost estimate by country calling prefix (the longest that matches), e.g. default=0.075,+420=0.042. Unset: no estimate.',
      }),
      (value) => failure(() => parseSmsPrices(value, 'EUR')) === undefined,
      (value) => failure(() => parseSmsPrices(value, 'EUR')) ?? '',
    ),
  ),
  CANDOR_SMS_CURRENCY: Type.String({
    pattern: CURRENCY.source,
    default: 'EUR',
    errorMessage: '"{value}" is not an ISO 4217 currency code',
    description: "The SMS prices' ISO 4217 currency.",
  }),

  // Hooks of the test suite: accepted under NODE_ENV=test only, refused in any other environment.
  CANDOR_TEST_CRASH_AT: Type.Optional(
    Type.Enum([...CRASH_POINTS], {
      testHook: true,
      description: 'The process kills itself at this point (platform/crash-points.ts).',
    }),
  ),
  CANDOR_TEST_WITHOUT_TIMERS: Type.Optional(
    Type.String({
      testHook: true,
      description: 'Timers and queues (comma-separated names) this process does not run.',
    }),
  ),
  CANDOR_TEST_PAUSE_IMPORT_AFTER_BATCHES: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      testHook: true,
      readBy: 'src/cli/customers-import.ts',
      description: '`candor customers import` stops after this many batches, as if killed, to test resuming.',
    }),
  ),
});

/** The variables, parsed: numbers and booleans converted, static defaults filled in. */
export type Settings = Static<typeof CONFIG_SCHEMA>;

type Field = TSchema & {
  type?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  errorMessage?: string;
  testHook?: boolean;
};

const FIELDS = CONFIG_SCHEMA.properties as unknown as Record<string, Field>;

/** Every variable of the schema, in its order. */
export const VARIABLES: readonly string[] = Object.keys(FIELDS);

/** The hooks of the test suite (`testHook`). */
export const TEST_HOOKS: readonly string[] = VARIABLES.filter((name) => FIELDS[name]!.testHook === true);

/**
 * CANDOR_* variables that Candor itself never reads, with the reason they may be set all the same.
 */
export const EXEMPT_VARIABLES: Readonly<Record<string, string>> = {
  CANDOR_TEST_DB:
    'the test harness picks the database engine with it (vitest.config.ts sets it in every test process)',
};

/** The schema of one variable, for its check on a value config.ts derives (a default). */
export function fieldSchema(name: keyof Settings): TSchema {
  return FIELDS[name]!;
}

/**
 * Parses the variables of `source` against the schema: a whole number or true/false becomes a
 * number or boolean when its text is exactly that (TypeBox's own Convert is laxer: it would take
 * "1e3", "12.5" or "yes"), static defaults fill what is unset, then the first variable at fault
 * (in the schema's order) stops the start with the problem of its first error.
 */
export function parseSettings(source: Readonly<Record<string, string | undefined>>): Settings {
  const value: Record<string, unknown> = {};
  for (const name of VARIABLES) {
    const raw = source[name];
    if (raw !== undefined) value[name] = convert(FIELDS[name]!, raw);
  }
  const settings = Value.Default(CONFIG_SCHEMA, value) as Record<string, unknown>;
  const errors = Value.Errors(CONFIG_SCHEMA, settings);
  if (errors.length === 0) return settings as Settings;
  const byVariable = new Map<string, (typeof errors)[number]>();
  for (const error of errors) {
    const name = error.instancePath.split('/')[1];
    if (name !== undefined && !byVariable.has(name)) byVariable.set(name, error);
  }
  for (const name of VARIABLES) {
    const error = byVariable.get(name);
    if (error) throw new ConfigError(name, problem(FIELDS[name]!, source[name] ?? '', error));
  }
  throw new ConfigError('configuration', errors[0]!.message);
}

function convert(field: Field, raw: string): unknown {
  if (field.type === 'integer' && /^\d+$/.test(raw)) return Number(raw);
  if (field.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function problem(
  field: Field,
  raw: string,
  error: { keyword: string; params: object; message: string },
): string {
  if (error.keyword === '~refine') return (error.params as { message: string }).message;
  if (field.errorMessage) return field.errorMessage.replaceAll('{value}', raw);
  if (field.type === 'integer') {
    return `"${raw}" must be a whole number from ${field.minimum} to ${field.maximum}`;
  }
  if (field.type === 'boolean') return `"${raw}" is not one of true, false`;
  if (field.enum) return `"${raw}" is not one of ${field.enum.join(', ')}`;
  return error.message;
}

/**
 * Refuses a variable Candor would not read: any CANDOR_* one of `names` outside the schema and
 * EXEMPT_VARIABLES, or (with `all`, for the configuration file, which holds nothing else) any
 * name outside the schema. The error names the closest known variable.
 */
export function rejectUnknown(names: Iterable<string>, options: { all: boolean; where?: string }): void {
  for (const name of names) {
    if (VARIABLES.includes(name) || (!options.all && !name.startsWith('CANDOR_'))) continue;
    if (name in EXEMPT_VARIABLES && !options.all) continue;
    const where = options.where ? `in ${options.where} ` : '';
    throw new ConfigError(name, `${where}is not a variable Candor reads (did you mean ${closest(name)}?)`);
  }
}

function closest(name: string): string {
  let best = VARIABLES[0]!;
  let bestDistance = Infinity;
  for (const candidate of VARIABLES) {
    const distance = editDistance(name.toUpperCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}
