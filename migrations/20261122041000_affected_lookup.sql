-- "Was I affected?": an incident's public guidance (versions, each approved by a legal user who
-- did not write it), the public page that shows one approved version, the one-time links the
-- look-up job e-mails to affected customers, and the look-up's rate limits.

-- Guidance for the public: what happened, what the business has done, what people should do,
-- each in en, cs and ar. An edit is a new version; approval belongs to one version, so an edit
-- leaves the incident without approved guidance until the new version is approved.
CREATE TABLE incident_guidance_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  -- {"en": {"happened": "…", "done": "…", "advice": "…"}, "cs": {…}, "ar": {…}}
  content jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  approved_at timestamptz,
  CHECK (approved_by IS NULL OR approved_by IS DISTINCT FROM author_id),
  UNIQUE (incident_id, version)
);
SELECT candor_enable_tenancy('incident_guidance_versions');
SELECT candor_enable_incident_visibility('incident_guidance_versions');
GRANT SELECT, INSERT, UPDATE ON incident_guidance_versions TO candor_app;

-- The public page of an incident. public_id is random (never the incident number); the page is
-- open while published, showing the approved version it was published with.
CREATE TABLE incident_lookup_pages (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  public_id text NOT NULL UNIQUE CHECK (public_id ~ '^[A-Za-z0-9_-]{22,64}$'),
  published boolean NOT NULL DEFAULT false,
  version_id uuid REFERENCES incident_guidance_versions (id) ON DELETE SET NULL,
  -- Where people find help: an https address or a mailto: link; optional.
  support_url text CHECK (support_url IS NULL OR support_url ~ '^(https://|mailto:)' AND length(support_url) <= 500),
  published_by uuid REFERENCES users (id) ON DELETE SET NULL,
  published_at timestamptz,
  CHECK (NOT published OR version_id IS NOT NULL)
);
SELECT candor_enable_tenancy('incident_lookup_pages');
SELECT candor_enable_incident_visibility('incident_lookup_pages');
GRANT SELECT, INSERT, UPDATE ON incident_lookup_pages TO candor_app;

-- One-time links: stored as SHA-256 of the token, valid 15 minutes, used once.
CREATE TABLE lookup_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lookup_links_incident ON lookup_links (incident_id);
SELECT candor_enable_tenancy('lookup_links');
SELECT candor_enable_incident_visibility('lookup_links');
GRANT SELECT, INSERT, UPDATE, DELETE ON lookup_links TO candor_app;

-- Look-ups per address (the organization's blind index of it, never the address) and per IP
-- (a keyed hash) in fixed one-hour windows, shared by every process.
CREATE TABLE lookup_throttle (
  key text PRIMARY KEY CHECK (length(key) <= 200),
  count integer NOT NULL,
  window_start timestamptz NOT NULL
);
CREATE INDEX lookup_throttle_window ON lookup_throttle (window_start);
GRANT SELECT, INSERT, UPDATE, DELETE ON lookup_throttle TO candor_app;

-- The public page's organization and incident, only while published: nothing else.
CREATE FUNCTION candor_find_lookup_page(p_public_id text) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.organization_id, p.incident_id FROM incident_lookup_pages p
  WHERE p.public_id = p_public_id AND p.published
$$;
REVOKE ALL ON FUNCTION candor_find_lookup_page(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_find_lookup_page(text) TO candor_app;

-- Where a one-time link lives.
CREATE FUNCTION candor_find_lookup_link(p_token_hash bytea) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT l.organization_id, l.id FROM lookup_links l WHERE l.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION candor_find_lookup_link(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_find_lookup_link(bytea) TO candor_app;
