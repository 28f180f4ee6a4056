-- The re-encryption after `candor keys rotate` and an admin's deletion of their organization, done
-- by a process logged in as a member of candor_app (docs/OPERATIONS.md, "Database roles"): each
-- organization's work runs inside withOrg, under its row-level security, and what must reach past
-- it goes through the named SECURITY DEFINER functions below, each for the current organization
-- only (candor_org(), set by withOrg) except the list of organizations to re-encrypt, which holds
-- ids and versions and no data.

-- Which organizations hold more than one data key version, each with its newest version older
-- than settle_ms (null when none is yet): the re-encryption job's work list.
CREATE FUNCTION candor_organizations_to_reencrypt(settle_ms double precision)
RETURNS TABLE (organization_id uuid, target integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.organization_id,
         max(k.version) FILTER (WHERE k.created_at <= now() - make_interval(secs => settle_ms / 1000))
  FROM organization_keys k WHERE k.purpose = 'data'
  GROUP BY k.organization_id HAVING count(*) > 1 ORDER BY k.organization_id
$$;
REVOKE ALL ON FUNCTION candor_organizations_to_reencrypt(double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_organizations_to_reencrypt(double precision) TO candor_app;

-- The re-encryption re-seals the registered columns (src/modules/keys/sealed-columns.ts) of the
-- organization's rows in place. customers, notice_verifications, notice_webhook_secrets,
-- notice_test_recipients and email_settings are already updatable by candor_app; these two are
-- append-only for requests, so only the sealed column and its key version.
GRANT UPDATE (note, key_version) ON customer_reveal_notes TO candor_app;
GRANT UPDATE (report, key_version) ON import_errors TO candor_app;

-- Destroys the current organization's data key versions older than target, once no row of a
-- registered table (src/modules/keys/sealed-columns.ts: keep this list with it) is sealed under
-- one of them; never the newest version. Returns the versions destroyed. The caller holds the
-- organization's key lock (platform/keys.ts lockOrganizationKeys).
CREATE FUNCTION candor_destroy_data_key_versions(org uuid, target integer)
RETURNS SETOF integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t text;
  remaining boolean;
  gone integer;
BEGIN
  IF org IS NULL OR org IS DISTINCT FROM candor_org() THEN
    RAISE EXCEPTION 'candor_destroy_data_key_versions: not the current organization' USING ERRCODE = '42501';
  END IF;
  IF target IS NULL OR target > (
    SELECT max(k.version) FROM organization_keys k WHERE k.organization_id = org AND k.purpose = 'data'
  ) THEN
    RETURN;
  END IF;
  FOREACH t IN ARRAY ARRAY['customers', 'customer_reveal_notes', 'import_errors', 'notice_verifications',
                           'notice_webhook_secrets', 'notice_test_recipients', 'email_settings',
                           'inbound_reports'] LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE organization_id = $1 AND key_version < $2)', t)
      INTO remaining USING org, target;
    IF remaining THEN
      RETURN;
    END IF;
  END LOOP;
  FOR gone IN
    DELETE FROM organization_keys k WHERE k.organization_id = org AND k.purpose = 'data' AND k.version < target
    RETURNING k.version
  LOOP
    RETURN NEXT gone;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION candor_destroy_data_key_versions(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_destroy_data_key_versions(uuid, integer) TO candor_app;

-- Deletes the current organization with crypto-shredding: every key of it (every version) first,
-- then the organization, everything else cascading. Returns the receipt's numbers: the rows it
-- held per table (counts only) and the keys destroyed. The caller checked who asks (an admin, or
-- the operator's `candor org delete`), holds the organization's row and its key lock.
CREATE FUNCTION candor_delete_organization(org uuid)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t text;
  n bigint;
  counts jsonb := '{}'::jsonb;
  keys bigint;
BEGIN
  IF org IS NULL OR org IS DISTINCT FROM candor_org() THEN
    RAISE EXCEPTION 'candor_delete_organization: not the current organization' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = org) THEN
    RETURN NULL;
  END IF;
  FOR t IN
    SELECT c.table_name FROM information_schema.columns c
      JOIN information_schema.tables s USING (table_schema, table_name)
      WHERE c.table_schema = 'public' AND c.column_name = 'organization_id' AND s.table_type = 'BASE TABLE'
      ORDER BY c.table_name
  LOOP
    EXECUTE format('SELECT count(*) FROM %I WHERE organization_id = $1', t) INTO n USING org;
    IF n > 0 THEN
      counts := counts || jsonb_build_object(t, n);
    END IF;
  END LOOP;
  DELETE FROM organization_keys k WHERE k.organization_id = org;
  GET DIAGNOSTICS keys = ROW_COUNT;
  DELETE FROM organizations o WHERE o.id = org;
  RETURN jsonb_build_object('rows', counts, 'keysDestroyed', keys);
END
$$;
REVOKE ALL ON FUNCTION candor_delete_organization(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_delete_organization(uuid) TO candor_app;
