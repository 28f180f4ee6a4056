import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { testSecretsEnv } from '../test/app.js';
import { loadConfig } from './config.js';
import { startCandor } from './server.js';
import { DataDirNotPrivateError, LOCK_FILE, openDatabase } from './platform/data-dir.js';
import { createLogger } from './platform/logger.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A data directory as someone left it: open to everyone, with files of every kind in it. */
function careless(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'candor-private-'));
  roots.push(root);
  const dataDir = path.join(root, 'data');
  mkdirSync(path.join(dataDir, 'mail'), { recursive: true });
  mkdirSync(path.join(dataDir, 'pgdata'));
  writeFileSync(path.join(dataDir, 'mail', 'old.eml'), 'Subject: kept\r\n\r\nfrom before');
  writeFileSync(path.join(dataDir, 'notes.txt'), 'an operator’s note');
  for (const dir of [dataDir, path.join(dataDir, 'mail'), path.join(dataDir, 'pgdata')])
    chmodSync(dir, 0o777);
  chmodSync(path.join(dataDir, 'mail', 'old.eml'), 0o666);
  chmodSync(path.join(dataDir, 'notes.txt'), 0o644);
  return dataDir;
}

/** Every entry under `dir` (itself included) whose mode is not 0700 for a directory, 0600 for the rest. */
function notPrivate(dir: string): string[] {
  const wrong: string[] = [];
  const visit = (entry: string) => {
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    if (mode !== (stat.isDirectory() ? 0o700 : 0o600)) wrong.push(`${entry} ${mode.toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(entry)) visit(path.join(entry, name));
  };
  visit(dir);
  return wrong;
}

describe('the data directory is private', () => {
  it('a start on a pre-existing, world-readable data directory leaves it and everything in it 0700/0600, and says so', async () => {
    const dataDir = careless();
    const logs: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({ NODE_ENV: 'test', CANDOR_DATA_DIR: dataDir, PORT: '0', ...testSecretsEnv() });
    const running = await startCandor(config, {
      logger: createLogger({ level: 'info', destination }),
      announce: () => undefined,
    });
    try {
      // The embedded database is there, with its hundreds of files, all private after the start.
      expect(readdirSync(path.join(dataDir, 'pgdata')).length).toBeGreaterThan(5);
      expect(notPrivate(dataDir)).toEqual([]);
      const warning = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.changed);
      expect(warning).toMatchObject({ level: 40, dataDir, changed: 5 });
      expect(warning?.msg).toContain('made it private (directories 0700, files 0600)');
    } finally {
      await running.stop();
    }
    expect(notPrivate(dataDir)).toEqual([]);
  });

  it('the same with DATABASE_URL: the data directory that holds secrets and mail is made private too', async () => {
    const dataDir = careless();
    const opened = await openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir });
    await opened.close();
    expect(notPrivate(dataDir)).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)(
    'an entry another user owns stops the start with a clear error, and the lock is released',
    async () => {
      const dataDir = careless();
      chownSync(path.join(dataDir, 'notes.txt'), 65534, 65534);
      const opening = openDatabase({ databaseUrl: undefined, dataDir });
      await expect(opening).rejects.toThrow(DataDirNotPrivateError);
      await expect(opening).rejects.toThrow(
        `${path.join(dataDir, 'notes.txt')} in the data directory is mode 0644 and owned by user 65534`,
      );
      await expect(opening).rejects.toThrow(`chown -R 0 ${dataDir} && chmod -R go-rwx ${dataDir}`);
      expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
      expect(existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(false);
    },
  );
});
