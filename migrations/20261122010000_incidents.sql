-- The incident register: incidents, their members (incident roles), jurisdictions and
-- timeline. Restricted incidents are visible only to their members, enforced here by a
-- restrictive policy on every table that hangs off an incident.

-- The user of the current transaction (set by withActor); NULL for API tokens and jobs.
CREATE FUNCTION candor_user() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('candor.user_id', true), '')::uuid $$;

-- System work (deadline warnings, imports) sees every incident of its organization.
CREATE FUNCTION candor_is_system() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('candor.system', true), '') = 'on' $$;

CREATE TABLE incidents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  number integer NOT NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
  type text NOT NULL CHECK (type IN (
    'phishing', 'malware', 'ransomware', 'denial_of_service', 'social_engineering', 'data_breach', 'other')),
  severity text NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
  state text NOT NULL CHECK (state IN (
    'detected', 'triaged', 'contained', 'eradicated', 'recovered', 'closed', 'reviewed')),
  is_exercise boolean NOT NULL DEFAULT false,
  restricted boolean NOT NULL DEFAULT false,
  affected_systems text[] NOT NULL DEFAULT '{}',
  data_categories text[] NOT NULL DEFAULT '{}' CHECK (data_categories <@ ARRAY[
    'contact_details', 'payment_card', 'credentials', 'government_id', 'health', 'financial', 'location', 'other']),
  -- Each key moment on its own: every legal clock starts from its own one.
  occurred_at timestamptz,
  detected_at timestamptz,
  aware_at timestamptz,
  breach_determined_at timestamptz,
  materiality_determined_at timestamptz,
  contained_at timestamptz,
  resolved_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Alerts from detection tools with this key join this incident while it is open.
  dedupe_key text CHECK (length(dedupe_key) <= 300),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, number)
);
CREATE INDEX incidents_dedupe ON incidents (organization_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX incidents_list ON incidents (organization_id, created_at DESC);
SELECT candor_enable_tenancy('incidents');
GRANT SELECT, INSERT, UPDATE ON incidents TO candor_app;

CREATE TABLE incident_members (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('commander', 'communications_lead', 'legal_lead', 'member')),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, user_id, role)
);
CREATE INDEX incident_members_user ON incident_members (user_id);
SELECT candor_enable_tenancy('incident_members');
GRANT SELECT, INSERT, DELETE ON incident_members TO candor_app;

-- Whether the current user may see an incident: not restricted, or its creator or a
-- member, or system work.
CREATE FUNCTION candor_incident_visible(p_incident uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT candor_is_system() OR EXISTS (
    SELECT 1 FROM incidents i
    WHERE i.id = p_incident AND i.organization_id = candor_org()
      AND (NOT i.restricted OR i.created_by = candor_user() OR EXISTS (
        SELECT 1 FROM incident_members m WHERE m.incident_id = i.id AND m.user_id = candor_user())))
$$;
REVOKE ALL ON FUNCTION candor_incident_visible(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_incident_visible(uuid) TO candor_app;

-- The next incident number of the current organization, counting the restricted incidents
-- the caller cannot see; the advisory lock makes concurrent declarations take turns.
CREATE FUNCTION candor_next_incident_number() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727003, hashtext(candor_org()::text));
  RETURN (SELECT coalesce(max(number), 0) + 1 FROM incidents WHERE organization_id = candor_org());
END $$;
REVOKE ALL ON FUNCTION candor_next_incident_number() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_next_incident_number() TO candor_app;

-- Tables hanging off an incident call this: restricted incidents stay with their members.
CREATE FUNCTION candor_enable_incident_visibility(tbl regclass, col text DEFAULT 'incident_id') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'CREATE POLICY incident_visibility ON %s AS RESTRICTIVE TO candor_app USING (candor_incident_visible(%I))',
    tbl, col);
END $$;

CREATE POLICY incident_visibility ON incidents AS RESTRICTIVE TO candor_app
  USING (NOT restricted OR candor_is_system() OR created_by = candor_user() OR EXISTS (
    SELECT 1 FROM incident_members m WHERE m.incident_id = incidents.id AND m.user_id = candor_user()));
SELECT candor_enable_incident_visibility('incident_members');

CREATE TABLE incident_jurisdictions (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  -- ISO 3166-1 alpha-2 ('CZ', 'SA') or 3166-2 ('US-CA') code.
  code text NOT NULL CHECK (code ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
  estimated_affected integer CHECK (estimated_affected >= 0),
  -- Filled from the affected customers once they are imported; replaces the estimate.
  counted_affected integer CHECK (counted_affected >= 0),
  PRIMARY KEY (incident_id, code)
);
SELECT candor_enable_tenancy('incident_jurisdictions');
SELECT candor_enable_incident_visibility('incident_jurisdictions');
GRANT SELECT, INSERT, UPDATE, DELETE ON incident_jurisdictions TO candor_app;

-- The timeline: every change and note of an incident, with actor and time.
CREATE TABLE incident_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_token', 'system')),
  actor_id uuid,
  kind text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  note text CHECK (length(note) <= 20000)
);
CREATE INDEX incident_events_timeline ON incident_events (incident_id, occurred_at);
SELECT candor_enable_tenancy('incident_events');
SELECT candor_enable_incident_visibility('incident_events');
GRANT SELECT, INSERT ON incident_events TO candor_app;

-- Organization settings of the incident capability.
ALTER TABLE organizations
  ADD COLUMN undue_delay_target_hours integer NOT NULL DEFAULT 72 CHECK (undue_delay_target_hours BETWEEN 1 AND 720),
  ADD COLUMN intake_starts_plan boolean NOT NULL DEFAULT false,
  ADD COLUMN intake_webhook_secret bytea;

-- Every alert received from a detection tool, once: a retried delivery finds its first answer here.
CREATE TABLE intake_alerts (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  alert_key text NOT NULL CHECK (length(alert_key) <= 300),
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  action text NOT NULL CHECK (action IN ('opened', 'appended')),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, alert_key)
);
SELECT candor_enable_tenancy('intake_alerts');
SELECT candor_enable_incident_visibility('intake_alerts');
GRANT SELECT, INSERT ON intake_alerts TO candor_app;
