import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA, EXEMPT_VARIABLES, VARIABLES } from './config-schema.js';
import { loadConfig } from './config.js';
import { projectRoot } from './platform/paths.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'candor-config-'));

describe('config', () => {
  it('defaults to an embedded install on localhost and generates its secrets once, 0600', () => {
    const dataDir = dir();
    const config = loadConfig({ CANDOR_DATA_DIR: dataDir });
    expect(config.publicUrl.origin).toBe('http://localhost:3000');
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
    const file = path.join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = readFileSync(file, 'utf8');
    const again = loadConfig({ CANDOR_DATA_DIR: dataDir, PORT: '4000' });
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(again.secrets.masterKey.equals(config.secrets.masterKey)).toBe(true);
    expect(again.publicUrl.origin).toBe('http://localhost:4000');
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ CANDOR_PUBLIC_URL: 'ftp://x' }, /CANDOR_PUBLIC_URL/],
    [{ CANDOR_PUBLIC_URL: 'https://x.test/sub' }, /CANDOR_PUBLIC_URL: must be an origin/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ CANDOR_ROLE: 'web' }, /CANDOR_ROLE: "web" needs DATABASE_URL/],
    [{ CANDOR_ROLE: 'both' }, /CANDOR_ROLE/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ CANDOR_MASTER_KEY: 'c2hvcnQ=' }, /CANDOR_MASTER_KEY: must be 32 bytes/],
  ])('stops on %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig({ CANDOR_DATA_DIR: dir(), ...env })).toThrow(message);
  });

  it('in production refuses a missing secret and never writes one', () => {
    const dataDir = dir();
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        CANDOR_DATA_DIR: dataDir,
        CANDOR_SMTP_URL: 'smtp://mail.test',
        DATABASE_URL: 'postgres://x/y',
      }),
    ).toThrow(/CANDOR_SESSION_SECRET: it is required/);
    expect(() => statSync(path.join(dataDir, 'secrets.json'))).toThrow();
    expect(() => loadConfig({ NODE_ENV: 'production', CANDOR_DATA_DIR: dataDir })).toThrow(/CANDOR_SMTP_URL/);
  });

  it('accepts the hooks of the test suite under NODE_ENV=test only: a real process never kills itself', () => {
    const hooks = { CANDOR_TEST_CRASH_AT: 'notice_send.after_commit', CANDOR_TEST_WITHOUT_TIMERS: 'a, b' };
    expect(loadConfig({ NODE_ENV: 'test', CANDOR_DATA_DIR: dir(), ...hooks }).testHooks).toEqual({
      crashAt: 'notice_send.after_commit',
      withoutTimers: ['a', 'b'],
    });
    expect(loadConfig({ NODE_ENV: 'test', CANDOR_DATA_DIR: dir() }).testHooks).toEqual({
      crashAt: undefined,
      withoutTimers: [],
    });
    expect(() => loadConfig({ NODE_ENV: 'test', CANDOR_DATA_DIR: dir(), CANDOR_TEST_CRASH_AT: 'x' })).toThrow(
      /CANDOR_TEST_CRASH_AT: "x" is not one of/,
    );
    const production = {
      NODE_ENV: 'production',
      CANDOR_SMTP_URL: 'smtp://mail.test',
      CANDOR_SESSION_SECRET: Buffer.alloc(32, 1).toString('base64'),
      CANDOR_MASTER_KEY: Buffer.alloc(32, 2).toString('base64'),
      CANDOR_AUDIT_KEY: Buffer.alloc(32, 3).toString('base64'),
      CANDOR_METRICS_TOKEN: 'metrics-token-of-a-real-install',
    };
    expect(loadConfig({ ...production, CANDOR_DATA_DIR: dir() }).testHooks.crashAt).toBeUndefined();
    for (const env of [production, { NODE_ENV: 'development' }, {}]) {
      for (const [name, value] of Object.entries(hooks)) {
        expect(() => loadConfig({ ...env, CANDOR_DATA_DIR: dir(), [name]: value })).toThrow(
          `${name}: is a hook of the test suite`,
        );
      }
    }
    // Nor through the configuration file.
    const file = path.join(dir(), 'candor.json');
    writeFileSync(file, JSON.stringify({ CANDOR_TEST_CRASH_AT: 'notice_send.before_commit' }));
    expect(() => loadConfig({ ...production, CANDOR_DATA_DIR: dir(), CANDOR_CONFIG_FILE: file })).toThrow(
      /CANDOR_TEST_CRASH_AT: is a hook of the test suite/,
    );
  });

  it('CANDOR_TRUST_PROXY takes a hop count or the proxies’ addresses, never true', () => {
    const trust = (value: string) =>
      loadConfig({ CANDOR_DATA_DIR: dir(), CANDOR_TRUST_PROXY: value }).trustProxy;
    expect(loadConfig({ CANDOR_DATA_DIR: dir() }).trustProxy).toBe(false);
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('0')).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8, loopback')).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'loopback',
    ]);
    for (const value of ['true', 'TRUE', 'yes', 'on']) {
      expect(() => trust(value)).toThrow(
        `Configuration error in CANDOR_TRUST_PROXY: "${value}" would trust whatever X-Forwarded-For a client sends`,
      );
      expect(() => trust(value)).toThrow('give the number of proxies in front of Candor (e.g. 1)');
    }
    for (const [value, entry] of [
      ['garbage', 'garbage'],
      ['10.0.0.0/33', '10.0.0.0/33'],
      ['10.0.0.1, nginx', 'nginx'],
      ['1.2.3.4/8/9', '1.2.3.4/8/9'],
    ] as const) {
      expect(() => trust(value)).toThrow(
        `Configuration error in CANDOR_TRUST_PROXY: "${entry}" is not an IP address, a CIDR range`,
      );
    }
    expect(() => trust('11')).toThrow('CANDOR_TRUST_PROXY: "11" must be a number of proxies from 0 to 10');
    // A configuration file's JSON true is refused the same way.
    const file = path.join(dir(), 'candor.json');
    writeFileSync(file, JSON.stringify({ CANDOR_TRUST_PROXY: true }));
    expect(() => loadConfig({ CANDOR_DATA_DIR: dir(), CANDOR_CONFIG_FILE: file })).toThrow(
      'CANDOR_TRUST_PROXY: "true" would trust',
    );
    writeFileSync(file, JSON.stringify({ CANDOR_TRUST_PROXY: 1 }));
    expect(loadConfig({ CANDOR_DATA_DIR: dir(), CANDOR_CONFIG_FILE: file }).trustProxy).toBe(1);
  });

  it('reads an optional JSON file that the environment overrides', () => {
    const file = path.join(dir(), 'candor.json');
    writeFileSync(file, JSON.stringify({ PORT: 5000, CANDOR_PUBLIC_URL: 'https://candor.example.test' }));
    const config = loadConfig({ CANDOR_CONFIG_FILE: file, CANDOR_DATA_DIR: dir(), PORT: '5001' });
    expect(config.port).toBe(5001);
    expect(config.publicUrl.origin).toBe('https://candor.example.test');
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ CANDOR_CONFIG_FILE: file, CANDOR_DATA_DIR: dir() })).toThrow(
      /CANDOR_CONFIG_FILE/,
    );
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: "abc" must be a whole number from 0 to 65535'],
    [{ PORT: '1e3' }, 'PORT: "1e3" must be a whole number from 0 to 65535'],
    [{ CANDOR_DELIVERY_LOOPS: '17' }, 'CANDOR_DELIVERY_LOOPS: "17" must be a whole number from 1 to 16'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV: "prod" is not one of development, test, production'],
    [{ CANDOR_TRUST_PROXY: 'yes' }, 'CANDOR_TRUST_PROXY: "yes" would trust whatever X-Forwarded-For'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: must start with postgres:// or postgresql://'],
    [{ CANDOR_SMTP_URL: 'mail.example' }, 'CANDOR_SMTP_URL: is not a valid URL'],
    [{ CANDOR_BOUNCE_DOMAIN: 'not_a_domain' }, 'CANDOR_BOUNCE_DOMAIN: "not_a_domain" is not a domain name'],
    [
      { CANDOR_BOUNCE_WEBHOOK_SECRET: 'short' },
      'CANDOR_BOUNCE_WEBHOOK_SECRET: must be at least 24 characters',
    ],
    [{ CANDOR_SPF_MECHANISM: 'all' }, 'CANDOR_SPF_MECHANISM: "all" is not an SPF mechanism'],
    [{ CANDOR_DMARC_RUA: 'dmarc@example.com' }, 'CANDOR_DMARC_RUA: must be a mailto: address'],
    [{ CANDOR_SMS_URL: 'https://sms.test' }, 'CANDOR_SMS_URL: needs CANDOR_SMS_ACCOUNT_SID as well'],
    [{ CANDOR_SMS_PRICES: 'default=0.07' }, 'CANDOR_SMS_PRICES: needs CANDOR_SMS_ACCOUNT_SID as well'],
    [{ CANDOR_TEST_PAUSE_IMPORT_AFTER_BATCHES: '2' }, 'CANDOR_TEST_PAUSE_IMPORT_AFTER_BATCHES: is a hook'],
  ])('parses %o against the schema with the same messages as ever', (env, message) => {
    expect(() => loadConfig({ CANDOR_DATA_DIR: dir(), ...env })).toThrow(`Configuration error in ${message}`);
  });

  it('refuses a CANDOR_* variable it does not read, naming the closest one, in the environment and the file', () => {
    expect(() => loadConfig({ CANDOR_DATA_DIR: dir(), CANDOR_SMTP_UR: 'smtp://mail.test' })).toThrow(
      'Configuration error in CANDOR_SMTP_UR: is not a variable Candor reads (did you mean CANDOR_SMTP_URL?)',
    );
    expect(() => loadConfig({ CANDOR_DATA_DIR: dir(), CANDOR_SESSION_IDLE_MINS: '20' })).toThrow(
      /did you mean CANDOR_SESSION_IDLE_MINUTES\?/,
    );
    // Other variables of the environment are none of Candor's business; the exempt ones are known.
    const config = loadConfig({ CANDOR_DATA_DIR: dir(), PATH: '/bin', HOME: '/root', ...exempt() });
    expect(config.port).toBe(3000);
    // The file holds Candor's variables only: any other name in it is a typo.
    const file = path.join(dir(), 'candor.json');
    writeFileSync(file, JSON.stringify({ PROT: 5000 }));
    expect(() => loadConfig({ CANDOR_DATA_DIR: dir(), CANDOR_CONFIG_FILE: file })).toThrow(
      `Configuration error in PROT: in ${file} is not a variable Candor reads (did you mean PORT?)`,
    );
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      CANDOR_DATA_DIR: dir(),
      CANDOR_TEST_WITHOUT_TIMERS: 'a',
      CANDOR_SMS_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      CANDOR_SMS_AUTH_TOKEN: 'token',
      CANDOR_SMS_FROM: '+15005550006',
      CANDOR_SMS_PRICES: 'default=0.075,+420=0.042',
      CANDOR_SMS_CURRENCY: 'CZK',
    });
    for (const part of [config, config.email, config.testHooks, config.testHooks.withoutTimers, config.sms]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(config.sms?.pricing).toEqual(
      expect.objectContaining({ currency: 'CZK', default: 75_000, byPrefix: new Map([['+420', 42_000]]) }),
    );
    expect(() => (config.sms!.pricing!.byPrefix as Map<string, number>).set('+1', 1)).toThrow(/frozen/);
    expect(() => (config.testHooks.withoutTimers as string[]).push('b')).toThrow(TypeError);
  });

  it('describes every variable, and the only variables read elsewhere are in the schema', () => {
    for (const [name, field] of Object.entries(CONFIG_SCHEMA.properties)) {
      expect((field as { description?: string }).description, name).toMatch(/\w/);
    }
    // Any CANDOR_* name the sources mention is one of the schema's (a name read straight from
    // process.env somewhere, or one the configuration forgot, would fail here).
    const mentioned = new Set<string>();
    const walk = (folder: string): void => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const file = path.join(folder, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
          for (const [name] of readFileSync(file, 'utf8').matchAll(/\bCANDOR_[A-Z0-9_]*[A-Z0-9]\b/g)) {
            mentioned.add(name);
          }
        }
      }
    };
    walk(path.join(projectRoot, 'src'));
    expect([...mentioned].filter((name) => !VARIABLES.includes(name) && !(name in EXEMPT_VARIABLES))).toEqual(
      [],
    );
  });

  it("matches the README's configuration table, both ways", () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('\n## Production'),
      readme.indexOf('\n## ', readme.indexOf('\n## Production') + 1),
    );
    const documented = new Set<string>();
    for (const line of section.split('\n')) {
      const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
      for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)(?:=[^`]*)?`/g)) documented.add(name!);
    }
    expect(VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !VARIABLES.includes(name))).toEqual([]);
  });
});

function exempt(): Record<string, string> {
  return Object.fromEntries(Object.keys(EXEMPT_VARIABLES).map((name) => [name, 'x']));
}
