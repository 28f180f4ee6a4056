import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

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
});
