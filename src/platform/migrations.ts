import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './db.js';
import { projectRoot } from './paths.js';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = path.join(projectRoot, 'migrations');

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((name) => /^\d{14}_[a-z0-9_]+\.sql$/.test(name))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

// Any fixed number: serializes migrations of concurrent starts against one server.
const MIGRATION_LOCK = 727_001;

/**
 * Applies pending migrations in order, all in one transaction (a failure
 * leaves the schema as it was), as the owner of the tables. A landed migration that was edited afterwards stops
 * the start: migrations are forward only.
 */
export async function migrate(db: Database, migrations = readMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    // Taken before anything else, so concurrent first starts against one empty server queue here.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS candor_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Map(
      (
        await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM candor_migrations')
      ).map((r) => [r.name, r.checksum]),
    );
    const ran: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.name);
      if (checksum === undefined) {
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO candor_migrations (name, checksum) VALUES ($1, $2)', [
          migration.name,
          migration.checksum,
        ]);
        ran.push(migration.name);
      } else if (checksum !== migration.checksum) {
        throw new Error(
          `Migration ${migration.name} was edited after it was applied. Migrations are forward only: ` +
            'restore the file and add a new migration instead.',
        );
      }
    }
    return ran;
  });
}

export async function pendingMigrations(db: Database, migrations = readMigrations()): Promise<string[]> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass('candor_migrations') IS NOT NULL AS ok`);
  if (!exists[0]?.ok) return migrations.map((m) => m.name);
  const applied = new Set(
    (await db.query<{ name: string }>('SELECT name FROM candor_migrations')).map((r) => r.name),
  );
  return migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
