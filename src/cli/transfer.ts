import { existsSync, renameSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { verifyAuditChains } from '../modules/audit/index.js';
import { embeddedDatabase, type Database } from '../platform/db.js';
import { readBackup } from './backup.js';
import { lockDataDir, makeDataDirPrivate, pgDataPath } from '../platform/data-dir.js';
import { migrate } from '../platform/migrations.js';
import {
  countOrganizations,
  holdsCandorDatabase,
  insertRowsFromJson,
  listForeignKeys,
  listTables,
  readRowsAsJson,
} from './transfer-repo.js';

/**
 * Replaces the embedded database with a backup made by `candor backup`.
 * The backup is decrypted with the operator's identity file, unpacked and
 * opened beside the current database first; only when it reads as a Candor
 * database whose every audit chain verifies with this install's audit key is
 * the current one renamed (kept, never deleted) and the restored one put in
 * its place. A missing, damaged, altered or foreign file leaves the current
 * database untouched.
 */
export async function restoreBackup(
  dataDir: string,
  file: string,
  options: { identityFile: string | undefined; auditKey: Buffer },
): Promise<string | undefined> {
  const release = lockDataDir(dataDir);
  const target = pgDataPath(dataDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const staging = `${target}.restoring-${stamp}`;
  try {
    const backup = await readBackup(file, options.identityFile);
    let broken: string[];
    try {
      const db = new PGlite(staging, { loadDataDir: new Blob([backup]) });
      await db.waitReady;
      try {
        if (!(await holdsCandorDatabase(db))) throw new Error('it holds no Candor database');
        const reports = await verifyAuditChains(embeddedDatabase(db), options.auditKey);
        broken = reports.filter((r) => !r.ok).map((r) => `organization ${r.organizationId}: ${r.problem}`);
      } finally {
        await db.close();
      }
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`${file} is not a backup made by candor backup (${(error as Error).message}).`, {
        cause: error,
      });
    }
    if (broken.length) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(
        `${file} was not restored: its audit chain does not verify with this install's CANDOR_AUDIT_KEY ` +
          `(altered, or from another install). The current database is untouched.\n  ${broken.join('\n  ')}`,
      );
    }
    let keptAs: string | undefined;
    if (existsSync(target)) {
      keptAs = `${target}.replaced-${stamp}`;
      renameSync(target, keptAs);
    }
    renameSync(staging, target);
    makeDataDirPrivate(dataDir);
    return keptAs;
  } finally {
    release();
  }
}

/** Tables in an order that satisfies their foreign keys (parents first). */
export async function tablesInDependencyOrder(db: Database): Promise<string[]> {
  const tables = await listTables(db);
  const edges = await listForeignKeys(db);
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
  if ((await countOrganizations(target)) > 0)
    throw new Error('The target database already holds organizations: copy only into an empty one.');
  const tables = await tablesInDependencyOrder(source);
  await target.transaction(async (tx) => {
    for (const table of tables) {
      let copied = 0;
      for (let offset = 0; ; offset += BATCH) {
        const rows = await readRowsAsJson(source, table, BATCH, offset);
        if (rows.length === 0) break;
        await insertRowsFromJson(tx, table, rows);
        copied += rows.length;
        if (rows.length < BATCH) break;
      }
      report(`${table}: ${copied} rows`);
    }
  });
}
