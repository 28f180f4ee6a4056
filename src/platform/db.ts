import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { sqlIdentifier } from './sql-text.js';

export type Row = Record<string, unknown>;

/** Anything SQL can be run on: the database itself or an open transaction. */
export interface Sql {
  query<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'embedded' | 'server';
  /** The embedded engine itself (backups, pg-boss's adapter); undefined on a server. */
  readonly pglite?: PGlite;
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The application's role: no superuser, no BYPASSRLS, owns nothing. */
export const APP_ROLE = 'candor_app';

// int8 and numeric as JS numbers on both engines, so rows look the same.
const INT8 = 20;
const NUMERIC = 1700;

export async function openEmbedded(dataDir: string | undefined): Promise<Database> {
  const db = new PGlite(dataDir, {
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) },
  });
  await db.waitReady;
  return embeddedDatabase(db);
}

export function embeddedDatabase(db: PGlite): Database {
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      return (await q.query<T>(text, params)).rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
  });
  return {
    kind: 'embedded',
    pglite: db,
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

export function openServer(connectionString: string, options: { max?: number } = {}): Database {
  const typeParsers = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8 || oid === NUMERIC
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, types: typeParsers });
  // An idle client's error (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const wrap = (client: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      return (await client.query(text, params as unknown[])).rows as T[];
    },
    async exec(text: string) {
      await client.query(text);
    },
  });
  return {
    kind: 'server',
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Who the transaction acts for, beyond the organization: restricted incidents need it. */
export interface ActingAs {
  /** The signed-in user: restricted incidents are visible to their members only. */
  userId?: string;
  /** System work (jobs, timers) sees every incident of the organization. */
  system?: boolean;
}

/**
 * Runs fn as the application role inside one organization: row-level
 * security then limits every query to that organization's rows (and, for
 * restricted incidents, to their members).
 */
export function withOrg<T>(
  db: Database,
  organizationId: string,
  fn: (tx: Sql) => Promise<T>,
  actingAs: ActingAs = {},
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(
      `SELECT set_config('role', $1, true), set_config('candor.organization_id', $2, true),
              set_config('candor.user_id', $3, true), set_config('candor.system', $4, true)`,
      [APP_ROLE, organizationId, actingAs.userId ?? '', actingAs.system ? 'on' : ''],
    );
    return fn(tx);
  });
}

/**
 * Runs fn as the application role outside any organization: it sees no
 * tenant rows and reaches across organizations only through the named
 * SECURITY DEFINER functions of the migrations.
 */
export function asApp<T>(db: Database, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('role', $1, true)`, [APP_ROLE]);
    return fn(tx);
  });
}

/** The named cross-organization look-ups of the migrations: each says where a row lives, nothing more. */
export type Lookup =
  | 'candor_find_session'
  | 'candor_find_api_token'
  | 'candor_find_user_by_email'
  | 'candor_find_password_reset'
  | 'candor_find_invitation';

export interface Located {
  organization_id: string;
  id: string;
}

export async function locate(tx: Sql, lookup: Lookup, key: unknown): Promise<Located | undefined> {
  return (await tx.query<Located>(`SELECT * FROM ${sqlIdentifier(lookup)}($1)`, [key]))[0];
}
