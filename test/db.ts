import { randomBytes } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { openEmbedded, openServer, type Database } from '../src/platform/db.js';

export const testDbKind = (process.env.CANDOR_TEST_DB ?? 'embedded') as 'embedded' | 'server';

export interface TestDatabase {
  /** The owner's connection (the one migrations use): tests arrange and inspect through it. */
  db: Database;
  /**
   * The connection the app under test uses: on a server a login role that is a member of
   * candor_app and candor_jobs and cannot step out of row-level security, as in production
   * (docs/OPERATIONS.md, "Database roles"); on the embedded engine the same as db.
   */
  appDb: Database;
  /** For a server: the connection URL of this file's own database, as its owner. */
  url?: string;
  /** For a server: the same database as the app's login role. */
  appUrl?: string;
  /** For the embedded engine: this file's data directory. */
  dir?: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, cloned from the migrated template. */
export async function cloneTestDatabase(): Promise<TestDatabase> {
  const id = randomBytes(6).toString('hex');
  if (testDbKind === 'server') {
    const base = process.env.TEST_DATABASE_URL!;
    const name = `candor_test_${id}`;
    const admin = openServer(base, { max: 1 });
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const db = openServer(url.toString(), { max: 5 });
    const appUrl = new URL(url);
    appUrl.username = inject('appRole');
    const appDb = openServer(appUrl.toString(), { max: 5 });
    return {
      db,
      appDb,
      url: url.toString(),
      appUrl: appUrl.toString(),
      async drop() {
        await appDb.close();
        await db.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.close();
      },
    };
  }
  const template = inject('templateDir');
  const dir = path.join(path.dirname(template), `test-${id}`);
  cpSync(template, dir, { recursive: true });
  const db = await openEmbedded(dir);
  return {
    db,
    appDb: db,
    dir,
    async drop() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
