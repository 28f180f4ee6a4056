import type { Sql } from './db.js';

/** What the role a connection logged in as could make itself: the owner, a superuser, past RLS. */
export interface ConnectionRole {
  name: string;
  /** It is, or may SET ROLE to, a superuser or a role with BYPASSRLS. */
  escapesRls: boolean;
  /** It is, or may SET ROLE to, the owner of the tables (who runs migrations and is unrestricted). */
  actsAsOwner: boolean;
  /** CREATEROLE: before PostgreSQL 16 it may grant itself any role but a superuser. */
  createsRoles: boolean;
}

export async function connectionRole(sql: Sql): Promise<ConnectionRole> {
  const [row] = await sql.query<{
    name: string;
    escapes_rls: boolean;
    acts_as_owner: boolean;
    creates_roles: boolean;
  }>(
    `SELECT session_user AS name,
            EXISTS (SELECT 1 FROM pg_roles m
                     WHERE (m.rolsuper OR m.rolbypassrls) AND pg_has_role(session_user, m.oid, 'MEMBER')) AS escapes_rls,
            COALESCE((SELECT pg_has_role(session_user, t.tableowner, 'MEMBER') FROM pg_tables t
                       WHERE t.schemaname = 'public' AND t.tablename = 'organizations'), false) AS acts_as_owner,
            (SELECT rolcreaterole FROM pg_roles WHERE rolname = session_user) AS creates_roles`,
  );
  return {
    name: row!.name,
    escapesRls: row!.escapes_rls,
    actsAsOwner: row!.acts_as_owner,
    createsRoles: row!.creates_roles,
  };
}

/** Why this role could step out of row-level security, or undefined when it cannot. */
export function roleEscapes(role: ConnectionRole): string | undefined {
  if (role.escapesRls) return `"${role.name}" is (or may become) a superuser or a role with BYPASSRLS`;
  if (role.actsAsOwner) return `"${role.name}" is (or may become) the owner of the tables`;
  if (role.createsRoles) return `"${role.name}" has CREATEROLE, so it may grant itself the owner's role`;
  return undefined;
}
