-- The trust center (issue 15): an organization's public site, its incident pages and the updates
-- published on them, each written per language. A page is reached by a random public id, the site
-- by its slug, and only while published (candor_find_trust_site); everything else is read inside
-- the organization, under its row-level security.

-- One site per organization. require_approval: an update needs a second person's approval before
-- it is published (the default); an organization may turn that off.
CREATE TABLE trust_sites (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$'),
  published boolean NOT NULL DEFAULT false,
  require_approval boolean NOT NULL DEFAULT true,
  support_url text CHECK (support_url IS NULL OR support_url ~ '^https://\S+$' AND length(support_url) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('trust_sites');
GRANT SELECT, INSERT, UPDATE ON trust_sites TO candor_app;

-- An incident's public page: its title and summary per language
-- ({"en": {"title": "…", "summary": "…"}, "ar": {…}}), public once an update on it is published.
CREATE TABLE trust_incident_pages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL UNIQUE REFERENCES incidents (id) ON DELETE CASCADE,
  public_id text NOT NULL UNIQUE CHECK (public_id ~ '^[A-Za-z0-9_-]{22,64}$'),
  texts jsonb NOT NULL CHECK (jsonb_typeof(texts) = 'object'),
  first_published_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('trust_incident_pages');
SELECT candor_enable_incident_visibility('trust_incident_pages');
GRANT SELECT, INSERT, UPDATE ON trust_incident_pages TO candor_app;

-- The updates of a page: a draft, approved by someone who did not write it (neither its author
-- nor the maker of the API token that wrote it), then published and never changed again.
-- incident_id repeats the page's, so restricted incidents' updates stay with their members.
CREATE TABLE trust_updates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  page_id uuid NOT NULL REFERENCES trust_incident_pages (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('investigating', 'identified', 'contained', 'resolved')),
  -- {"en": {"message": "…", "customerActions": "…"}, "cs": {…}}
  texts jsonb NOT NULL CHECK (jsonb_typeof(texts) = 'object'),
  next_update_by timestamptz,
  state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'approved', 'published')),
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Written by an API token: its maker stands as the author.
  author_token_id uuid REFERENCES api_tokens (id) ON DELETE SET NULL,
  approved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  approved_at timestamptz,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'resolved' OR next_update_by IS NULL),
  CHECK (approved_by IS NULL OR approved_by IS DISTINCT FROM author_id),
  CHECK (state <> 'approved' OR approved_by IS NOT NULL),
  CHECK ((state = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX trust_updates_page ON trust_updates (page_id, created_at);
CREATE INDEX trust_updates_published ON trust_updates (organization_id, published_at) WHERE state = 'published';
SELECT candor_enable_tenancy('trust_updates');
SELECT candor_enable_incident_visibility('trust_updates');
GRANT SELECT, INSERT, UPDATE ON trust_updates TO candor_app;

-- What the application checks, held by the database too: a published update never changes, and
-- one is published unapproved only when its organization's site does not require approval. Only
-- changes are checked: rows copied as they are (backup, copy-to-server) go in unchanged.
CREATE FUNCTION candor_trust_update_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  -- (The people it names may still become NULL: a user or token removed is SET NULL.)
  IF OLD.state = 'published' AND (NEW.state, NEW.status, NEW.texts, NEW.next_update_by, NEW.published_at,
       NEW.page_id, NEW.incident_id, NEW.organization_id, NEW.approved_at)
     IS DISTINCT FROM (OLD.state, OLD.status, OLD.texts, OLD.next_update_by, OLD.published_at,
       OLD.page_id, OLD.incident_id, OLD.organization_id, OLD.approved_at) THEN
    RAISE EXCEPTION 'a published trust update cannot change' USING ERRCODE = '23514';
  END IF;
  IF OLD.state <> 'published' AND NEW.state = 'published' AND NEW.approved_by IS NULL AND coalesce(
       (SELECT s.require_approval FROM trust_sites s WHERE s.organization_id = NEW.organization_id), true) THEN
    RAISE EXCEPTION 'a trust update needs approval before it is published' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER trust_updates_guard BEFORE UPDATE ON trust_updates
  FOR EACH ROW EXECUTE FUNCTION candor_trust_update_guard();

-- The organization of a published site, by its slug: nothing else.
CREATE FUNCTION candor_find_trust_site(p_slug text) RETURNS TABLE (organization_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.organization_id FROM trust_sites s WHERE s.slug = p_slug AND s.published
$$;
REVOKE ALL ON FUNCTION candor_find_trust_site(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_find_trust_site(text) TO candor_app;
