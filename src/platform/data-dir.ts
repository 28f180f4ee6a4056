import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { openEmbedded, openServer, type Database } from './db.js';

export const LOCK_FILE = 'candor.lock';
export const CONTROL_SOCKET = 'candor.sock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Candor is already running on the data directory ${dataDir} (process ${pid}). ` +
        'The embedded database serves one process: stop that one first, or set CANDOR_DATA_DIR to another directory.',
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockContents {
  pid: number;
  host: string;
  startedAt: string;
}

// sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, the final NUL included.
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/**
 * The control socket's path. A longer one than a Unix socket can hold would
 * be silently cut short by the kernel (a socket created elsewhere, under a
 * truncated name), so it is refused with a clear message instead.
 */
export function controlSocketPath(dataDir: string): string {
  const socket = path.join(dataDir, CONTROL_SOCKET);
  const bytes = Buffer.byteLength(socket);
  if (bytes > MAX_SOCKET_PATH) {
    throw new Error(
      `The data directory path is too long for Candor's control socket: ${socket} is ${bytes} bytes, ` +
        `at most ${MAX_SOCKET_PATH} fit. Set CANDOR_DATA_DIR to a shorter path.`,
    );
  }
  return socket;
}

export function pgDataPath(dataDir: string): string {
  return path.join(dataDir, 'pgdata');
}

/** Who holds the data directory, if a live process does. A stale lock is reported as free. */
export function lockHolder(dataDir: string): number | undefined {
  let lock: LockContents;
  try {
    lock = JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockContents;
  } catch {
    return undefined;
  }
  if (lock.host !== hostname()) return lock.pid; // cannot check another machine: assume alive
  return isAlive(lock.pid) ? lock.pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory for this process. A lock left by a process that
 * no longer runs (killed, crashed) is cleared; a live holder stops us.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  const contents: LockContents = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(contents), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(dataDir);
      if (holder !== undefined) throw new DataDirLockedError(dataDir, holder);
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new Error(`Could not take the lock file ${file}`);
}

export class DataDirNotPrivateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirNotPrivateError';
  }
}

/**
 * Makes the data directory and everything in it private to the user Candor runs as: directories
 * 0700, files 0600, whether Candor made them or found them. Symbolic links are not followed. An
 * entry owned by another user is not ours to change: that stops the start, naming it and the
 * command that fixes it. Returns the paths whose mode was changed.
 */
export function makeDataDirPrivate(dataDir: string): string[] {
  const uid = process.getuid?.();
  if (uid === undefined) return []; // Windows: modes do not apply; the directory's ACL does.
  const changed: string[] = [];
  const visit = (entry: string) => {
    let stat;
    try {
      stat = lstatSync(entry);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // gone since it was listed
      throw error;
    }
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? 0o700 : 0o600;
    if ((stat.mode & 0o777) !== wanted) {
      if (stat.uid !== uid) {
        throw new DataDirNotPrivateError(
          `${entry} in the data directory is mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')} and owned by ` +
            `user ${stat.uid}, not by the user Candor runs as (${uid}), so Candor cannot make it private. ` +
            `Run Candor as its owner, or fix it: chown -R ${uid} ${dataDir} && chmod -R go-rwx ${dataDir}`,
        );
      }
      try {
        chmodSync(entry, wanted);
      } catch (error) {
        throw new DataDirNotPrivateError(
          `Cannot make ${entry} private (mode ${wanted.toString(8)}): ${(error as Error).message}. ` +
            `Fix it by hand: chmod -R go-rwx ${dataDir}`,
        );
      }
      changed.push(entry);
    }
    if (stat.isDirectory()) for (const name of listing(entry)) visit(path.join(entry, name));
  };
  visit(dataDir);
  return changed;
}

/** A directory's entries; none when it is gone since it was seen (the database removes temporary ones). */
function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** How often the embedded database's new files are made private while it runs. */
const PRIVATE_SWEEP_MS = 60_000;

export interface OpenedDatabase {
  db: Database;
  /**
   * Makes the data directory private again (the embedded database writes its files world-readable,
   * 0666, inside directories that are 0700): at the end of the start, and every minute after.
   */
  keepPrivate(): void;
  close(): Promise<void>;
}

/**
 * The server's PostgreSQL when DATABASE_URL is set, otherwise the embedded one in the data
 * directory. Either way the data directory, if there is one, is made private first;
 * `onMadePrivate` hears of the entries that were not.
 */
export async function openDatabase(
  config: { databaseUrl: string | undefined; dataDir: string },
  options: { onMadePrivate?: (paths: string[]) => void } = {},
): Promise<OpenedDatabase> {
  const secureFound = () => {
    const changed = makeDataDirPrivate(config.dataDir);
    if (changed.length) options.onMadePrivate?.(changed);
  };
  if (config.databaseUrl) {
    if (existsSync(config.dataDir)) secureFound();
    const db = openServer(config.databaseUrl);
    return { db, keepPrivate: () => undefined, close: () => db.close() };
  }
  const release = lockDataDir(config.dataDir);
  try {
    secureFound();
    const db = await openEmbedded(pgDataPath(config.dataDir));
    const keepPrivate = () => void makeDataDirPrivate(config.dataDir);
    keepPrivate();
    const sweep = setInterval(() => {
      try {
        keepPrivate();
      } catch {
        // Checked again at the next sweep and at the next start, where it stops with its reason.
      }
    }, PRIVATE_SWEEP_MS).unref();
    return {
      db,
      keepPrivate,
      async close() {
        clearInterval(sweep);
        await db.close();
        try {
          keepPrivate();
        } catch {
          // The next start checks again and stops with the reason.
        }
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
