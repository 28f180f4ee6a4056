import type { PGlite } from '@electric-sql/pglite';
import type { Database, Sql } from '../platform/db.js';
import { sqlIdentifier, sqlInteger } from '../platform/sql-text.js';

/* The SQL of backups and of the copy to a server: catalog look-ups and rows moved as JSON. */

/** Whether a database (a backup opened beside the current one) holds Candor's migrations table. */
export async function holdsCandorDatabase(db: PGlite): Promise<boolean> {
  const found = await db.query<{ ok: boolean }>(`SELECT to_regclass('candor_migrations') IS NOT NULL AS ok`);
  return !!found.rows[0]?.ok;
}

/** The tables of the public schema but the migrations' own, by name. */
export async function listTables(db: Database): Promise<string[]> {
  return (
    await db.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'candor_migrations' ORDER BY 1`,
    )
  ).map((r) => r.name);
}

/** The foreign keys of the public schema: each child table and the parent it references. */
export async function listForeignKeys(db: Database): Promise<{ child: string; parent: string }[]> {
  return db.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
     FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
  );
}

export async function countOrganizations(db: Database): Promise<number> {
  const existing = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
  return existing[0]!.n;
}

/** A page of a table's rows, each as JSON text. */
export async function readRowsAsJson(
  db: Database,
  table: string,
  limit: number,
  offset: number,
): Promise<string[]> {
  // row_to_json keeps every type in its text form (bytea as \x…), which json_populate_recordset reads back.
  const rows = await db.query<{ j: string }>(
    `SELECT row_to_json(t)::text AS j FROM ${sqlIdentifier(table)} t ORDER BY ctid LIMIT ${sqlInteger(limit)} OFFSET ${sqlInteger(offset)}`,
  );
  return rows.map((r) => r.j);
}

/** Inserts rows read by readRowsAsJson into the same table of another database. */
export async function insertRowsFromJson(tx: Sql, table: string, rows: string[]): Promise<void> {
  await tx.query(
    `INSERT INTO ${sqlIdentifier(table)} SELECT * FROM json_populate_recordset(NULL::${sqlIdentifier(table)}, $1::json)`,
    [`[${rows.join(',')}]`],
  );
}
