import { afterAll, describe, expect, it } from 'vitest';
import { cloneTestDatabase } from '../../test/db.js';
import { APP_ROLE, asApp, withOrg } from './db.js';

const t = await cloneTestDatabase();
afterAll(() => t.drop());
const { db } = t;

describe('tenant isolation in the database', () => {
  it('every table with organization_id has row-level security enabled, forced and a policy for the app role', async () => {
    const tables = await db.query<{ table: string; enabled: boolean; forced: boolean; policies: number }>(
      `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
              (SELECT count(*)::int FROM pg_policies p
               WHERE p.schemaname = 'public' AND p.tablename = c.relname AND $1 = ANY (p.roles)) AS policies
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id')
              OR c.relname = 'organizations')
       ORDER BY 1`,
      [APP_ROLE],
    );
    expect(tables.length).toBeGreaterThan(8);
    for (const table of tables) {
      expect(table, table.table).toMatchObject({ enabled: true, forced: true });
      expect(table.policies, table.table).toBeGreaterThan(0);
    }
  });

  it('the app role is neither superuser, nor owner of anything, nor BYPASSRLS', async () => {
    const role = (
      await db.query<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
        'SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = $1',
        [APP_ROLE],
      )
    )[0];
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false });
    const owned = await db.query(
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1`,
      [APP_ROLE],
    );
    expect(owned).toEqual([]);
    const who = await asApp(db, (tx) => tx.query<{ u: string }>('SELECT current_user AS u'));
    expect(who[0]!.u).toBe(APP_ROLE);
  });

  it("under organization A's setting a direct read returns none of B's rows, and B's rows cannot be written", async () => {
    const a = '00000000-0000-4000-8000-00000000000a';
    const b = '00000000-0000-4000-8000-00000000000b';
    for (const [id, name] of [
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      await withOrg(db, id, async (tx) => {
        await tx.query('INSERT INTO organizations (id, name) VALUES ($1, $2)', [id, name]);
        await tx.query(
          `INSERT INTO users (organization_id, email, display_name, password_hash, roles)
           VALUES ($1, $2, 'x', 'x', '{viewer}')`,
          [id, `someone@${name.toLowerCase()}.test`],
        );
      });
    }
    const seen = await withOrg(db, a, (tx) =>
      tx.query<{ organization_id: string }>('SELECT organization_id FROM users'),
    );
    expect(seen.map((r) => r.organization_id)).toEqual([a]);
    const orgs = await withOrg(db, a, (tx) => tx.query<{ id: string }>('SELECT id FROM organizations'));
    expect(orgs.map((r) => r.id)).toEqual([a]);
    // Writing a row into B while acting as A is refused by the policy's WITH CHECK.
    await expect(
      withOrg(db, a, (tx) =>
        tx.query(
          `INSERT INTO users (organization_id, email, display_name, password_hash, roles)
           VALUES ($1, 'intruder@b.test', 'x', 'x', '{viewer}')`,
          [b],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await withOrg(db, a, (tx) =>
      tx.query(`UPDATE users SET display_name = 'y' WHERE organization_id = $1 RETURNING id`, [b]),
    );
    expect(updated).toEqual([]);
    // Outside any organization the app role sees no tenant rows at all.
    expect(await asApp(db, (tx) => tx.query('SELECT id FROM users'))).toEqual([]);
    // Reports that belong to no organization: the app role may only add one, through its function.
    await expect(asApp(db, (tx) => tx.query('SELECT id FROM unattributed_reports'))).rejects.toThrow(
      /permission denied/,
    );
  });

  it('the cross-organization paths are the named SECURITY DEFINER functions, executable by the app role only', async () => {
    const functions = await db.query<{
      name: string;
      definer: boolean;
      app: boolean;
      public: boolean;
      trigger: boolean;
    }>(
      `SELECT p.proname AS name, p.prosecdef AS definer, p.prorettype = 'trigger'::regtype AS trigger,
              has_function_privilege($1, p.oid, 'EXECUTE') AS app,
              -- an ACL entry with an empty grantee ("=X/owner") is a grant to PUBLIC
              coalesce(array_to_string(p.proacl, ',') ~ '(^|,)=X', true) AS public
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public' AND p.prosecdef ORDER BY 1`,
      [APP_ROLE],
    );
    expect(functions.map((f) => f.name)).toEqual([
      'candor_checkpoint_audit_heads',
      'candor_claim_deliveries',
      'candor_count_deleted_deliveries',
      'candor_count_inserted_deliveries',
      'candor_count_updated_deliveries',
      'candor_deadline_organizations',
      'candor_delete_organization',
      'candor_delivery_backlog',
      'candor_destroy_data_key_versions',
      'candor_email_taken',
      'candor_find_api_token',
      'candor_find_delivery',
      'candor_find_invitation',
      'candor_find_lookup_link',
      'candor_find_lookup_page',
      'candor_find_notice_verification',
      'candor_find_password_reset',
      'candor_find_public_logo',
      'candor_find_session',
      'candor_find_trust_site',
      'candor_find_user_by_email',
      'candor_find_webauthn_credential',
      'candor_incident_visible',
      'candor_next_incident_number',
      'candor_notice_sends_done',
      'candor_notice_sends_without_job',
      'candor_organizations_to_reencrypt',
      'candor_purge_expired',
      'candor_purge_import_errors',
      'candor_record_unattributed_report',
      'candor_setup_consume',
      'candor_setup_needed',
      'candor_trust_lapse_organizations',
    ]);
    for (const f of functions) {
      // Trigger functions (delivery_counts') run only as their triggers: no one may call them.
      expect(f.app, f.name).toBe(!f.trigger);
      expect(f.public, f.name).toBe(false);
    }
  });
});
