import { existsSync, readFileSync, renameSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../platform/db.js';
import { lockDataDir, pgDataPath } from '../platform/data-dir.js';
import { migrate } from '../platform/migrations.js';

/**
 * Replaces the embedded database with a backup made by `candor backup`.
 * The current one is kept beside it, renamed, never deleted.
 */
export async function restoreBackup(dataDir: string, file: string): Promise<string | undefined> {
  const release = lockDataDir(dataDir);
  try {
    const target = pgDataPath(dataDir);
    let keptAs: string | undefined;
    if (existsSync(target)) {
      keptAs = `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, keptAs);
    }
    const db = new PGlite(target, { loadDataDir: new Blob([readFileSync(file)]) });
    await db.waitReady;
    await db.query('SELECT 1');
    await db.close();
    return keptAs;
  } finally {
    release();
  }
}

/** Tables in an order that satisfies their foreign keys (parents first). */
export async function tablesInDependencyOrder(db: Database): Promise<string[]> {
  const tables = (
    await db.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'candor_migrations' ORDER BY 1`,
    )
  ).map((r) => r.name);
  const edges = await db.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
     FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
  );
  const ordered: string[] = [];
  const visit = (t: string, seen: Set<string>) => {
    if (ordered.includes(t) || seen.has(t)) return;
    seen.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent, seen);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return ordered;
}

const BATCH = 500;

/**
 * Copies every row of the embedded database into an empty, migrated
 * PostgreSQL server: the supported way to move an install to a server.
 */
export async function copyToServer(
  source: Database,
  target: Database,
  report: (line: string) => void,
): Promise<void> {
  await migrate(source);
  await migrate(target);
  const existing = await target.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
  if (existing[0]!.n > 0)
    throw new Error('The target database already holds organizations: copy only into an empty one.');
  const tables = await tablesInDependencyOrder(source);
  await target.transaction(async (tx) => {
    for (const table of tables) {
      let copied = 0;
      for (let offset = 0; ; offset += BATCH) {
        // row_to_json keeps every type in its text form (bytea as \x…), which json_populate_recordset reads back.
        const rows = await source.query<{ j: string }>(
          `SELECT row_to_json(t)::text AS j FROM ${quote(table)} t ORDER BY ctid LIMIT ${BATCH} OFFSET ${offset}`,
        );
        if (rows.length === 0) break;
        await tx.query(
          `INSERT INTO ${quote(table)} SELECT * FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`,
          [`[${rows.map((r) => r.j).join(',')}]`],
        );
        copied += rows.length;
        if (rows.length < BATCH) break;
      }
      report(`${table}: ${copied} rows`);
    }
  });
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
