-- Legal deadline clocks: what each notification rule asks of an incident and by when,
-- the evidence of each filing, and the warnings sent to the people who own the clocks.

-- What the rules need to know of the organization itself.
CREATE TABLE deadline_profiles (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  -- The EEA country of the lead supervisory authority (GDPR Art. 56); its time zone runs the EU clocks.
  lead_authority text CHECK (lead_authority ~ '^[A-Z]{2}$'),
  sec_registrant boolean NOT NULL DEFAULT false,
  hipaa_covered boolean NOT NULL DEFAULT false,
  -- NULL: not stated yet, and the rule is assumed to apply.
  nis2_entity boolean,
  cz_regulated boolean,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('deadline_profiles');
GRANT SELECT, INSERT, UPDATE ON deadline_profiles TO candor_app;

-- The incident's assessment that risk conditions read (GDPR Art. 33/34, NIS2 significance).
CREATE TABLE incident_assessments (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  -- NULL: not assessed yet, and the rule is assumed to apply.
  risk_level text CHECK (risk_level IN ('unlikely', 'risk', 'high')),
  significant boolean,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('incident_assessments');
SELECT candor_enable_incident_visibility('incident_assessments');
GRANT SELECT, INSERT, UPDATE ON incident_assessments TO candor_app;

-- One clock per incident, rule and jurisdiction, recomputed whenever the incident's facts change.
CREATE TABLE deadline_clocks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  rule_id text NOT NULL CHECK (rule_id ~ '^[a-z0-9_]{1,60}$'),
  -- 'EU' for the EEA-wide rules, else ISO 3166 ('CZ', 'US', 'US-CA').
  jurisdiction text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
  time_zone text NOT NULL,
  is_exercise boolean NOT NULL DEFAULT false,
  -- Computed from the rules: whether the conditions hold, and if not, why.
  applicable boolean NOT NULL,
  reason text CHECK (reason ~ '^[a-z0-9_]{1,60}$'),
  notes text[] NOT NULL DEFAULT '{}',
  -- NULL while the starting moment (or the filing it follows) is not recorded.
  starts_at timestamptz,
  due_at timestamptz,
  -- active: running or waiting; filed: stopped by a filing; waived: declared not applicable by a person.
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'filed', 'waived')),
  filed_at timestamptz,
  filed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  filed_reference text CHECK (length(filed_reference) <= 500),
  filed_text text CHECK (length(filed_text) <= 20000),
  -- The uploaded evidence, sealed with AES-256-GCM (key derived for 'deadline-evidence').
  document bytea,
  document_name text CHECK (length(document_name) <= 255),
  document_type text CHECK (length(document_type) <= 255),
  document_size integer,
  document_sha256 text,
  waived_at timestamptz,
  waived_by uuid REFERENCES users (id) ON DELETE SET NULL,
  waived_reason text CHECK (length(waived_reason) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, rule_id, jurisdiction),
  CHECK ((status = 'filed') = (filed_at IS NOT NULL)),
  CHECK ((status = 'waived') = (waived_at IS NOT NULL AND waived_reason IS NOT NULL))
);
CREATE INDEX deadline_clocks_running ON deadline_clocks (organization_id, due_at)
  WHERE status = 'active' AND applicable AND due_at IS NOT NULL;
SELECT candor_enable_tenancy('deadline_clocks');
SELECT candor_enable_incident_visibility('deadline_clocks');
GRANT SELECT, INSERT, UPDATE ON deadline_clocks TO candor_app;

-- Each (clock, threshold) warning, recorded once: the unique key is what makes it exactly once,
-- written in the transaction that enqueues its e-mails. A threshold passed while another, later
-- one was reached at the same time (a worker that was down, an incident recorded after the
-- fact) is recorded without being sent. The key holds the due instant warned about: when a
-- corrected moment moves a clock's deadline, its warnings start again for the new one.
CREATE TABLE deadline_warnings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  clock_id uuid NOT NULL REFERENCES deadline_clocks (id) ON DELETE CASCADE,
  threshold text NOT NULL CHECK (threshold IN ('50', '75', '90', 'missed')),
  due_at timestamptz NOT NULL,
  sent boolean NOT NULL,
  is_exercise boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clock_id, threshold, due_at)
);
SELECT candor_enable_tenancy('deadline_warnings');
SELECT candor_enable_incident_visibility('deadline_warnings');
GRANT SELECT, INSERT ON deadline_warnings TO candor_app;

-- The in-app side: each owner's copy of a warning, read or not.
CREATE TABLE deadline_warning_recipients (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  warning_id uuid NOT NULL REFERENCES deadline_warnings (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  read_at timestamptz,
  PRIMARY KEY (warning_id, user_id)
);
CREATE INDEX deadline_warning_recipients_unread ON deadline_warning_recipients (user_id) WHERE read_at IS NULL;
SELECT candor_enable_tenancy('deadline_warning_recipients');
SELECT candor_enable_incident_visibility('deadline_warning_recipients');
GRANT SELECT, INSERT ON deadline_warning_recipients TO candor_app;
GRANT UPDATE (read_at) ON deadline_warning_recipients TO candor_app;

-- The deadline scheduler, every minute: the organizations with a running clock whose
-- "missed" warning (for its current due instant) is not yet recorded. The check itself then runs inside each organization.
CREATE FUNCTION candor_deadline_organizations() RETURNS TABLE (organization_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT c.organization_id FROM deadline_clocks c
  WHERE c.status = 'active' AND c.applicable AND c.due_at IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM deadline_warnings w WHERE w.clock_id = c.id AND w.threshold = 'missed' AND w.due_at = c.due_at)
$$;
REVOKE ALL ON FUNCTION candor_deadline_organizations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_deadline_organizations() TO candor_app;
