-- The organization's logo on its public pages (/verify, "Was I affected?"), served without sign-in
-- (issue 13, item 6). It is reached by an opaque id made anew at each upload, never by the
-- organization's id: the address says nothing about the organization and a replaced logo's old
-- address stops answering, so it may be cached for good.
ALTER TABLE organizations
  ADD COLUMN logo_public_id text UNIQUE CHECK (logo_public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
  ADD CONSTRAINT organizations_logo_public CHECK ((logo_public_id IS NULL) OR (logo IS NOT NULL));

-- Whose logo an id is: the organization, nothing else (the logo itself is read in its organization).
CREATE FUNCTION candor_find_public_logo(p_logo_id text) RETURNS TABLE (organization_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id FROM organizations o WHERE o.logo_public_id = p_logo_id AND o.logo IS NOT NULL
$$;
REVOKE ALL ON FUNCTION candor_find_public_logo(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_find_public_logo(text) TO candor_app;
