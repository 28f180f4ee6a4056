import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
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

export interface OpenedDatabase {
  db: Database;
  close(): Promise<void>;
}

/** The server's PostgreSQL when DATABASE_URL is set, otherwise the embedded one in the data directory. */
export async function openDatabase(config: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    const db = openServer(config.databaseUrl);
    return { db, close: () => db.close() };
  }
  const release = lockDataDir(config.dataDir);
  try {
    const db = await openEmbedded(pgDataPath(config.dataDir));
    return {
      db,
      async close() {
        await db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
