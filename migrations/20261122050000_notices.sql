-- Customer notices (issue 5): notices per incident, immutable versions written in en, cs and ar,
-- the candour flags accepted with a reason on a version, approval of one version by a legal user
-- who did not write it, the send requests the delivery engine consumes, and the organization's
-- test recipients (exercise sends reach only them).

CREATE TABLE notices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  -- A mandatory breach notice reaches every affected customer; an optional update respects consent.
  kind text NOT NULL CHECK (kind IN ('mandatory', 'optional')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notices_incident ON notices (incident_id);
SELECT candor_enable_tenancy('notices');
SELECT candor_enable_incident_visibility('notices');
GRANT SELECT, INSERT ON notices TO candor_app;

-- An edit is a new version; approval belongs to one version (never approved by its author).
CREATE TABLE notice_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  notice_id uuid NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  -- {"en": {"subject": "…", "sms": "…", "parts": {"acknowledgement": "…", …}}, "cs": {…}, "ar": {…}}
  -- ICU MessageFormat texts, validated before they are stored.
  content jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
  -- The addresses the placeholders {verifyUrl}, {lookupUrl} and {supportUrl} stand for, fixed
  -- when the version is written so that what is approved is what is sent.
  links jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(links) = 'object'),
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  approved_at timestamptz,
  CHECK (approved_by IS NULL OR approved_by IS DISTINCT FROM author_id),
  UNIQUE (notice_id, version)
);
CREATE INDEX notice_versions_incident ON notice_versions (incident_id);
SELECT candor_enable_tenancy('notice_versions');
SELECT candor_enable_incident_visibility('notice_versions');
GRANT SELECT, INSERT, UPDATE (approved_by, approved_at) ON notice_versions TO candor_app;

-- A candour flag (notice-candour.ts, stable id) accepted on one version, with the reason.
CREATE TABLE notice_flag_acceptances (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  notice_version_id uuid NOT NULL REFERENCES notice_versions (id) ON DELETE CASCADE,
  flag_id text NOT NULL CHECK (length(flag_id) BETWEEN 1 AND 200),
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 3 AND 2000),
  accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
  accepted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notice_version_id, flag_id)
);
SELECT candor_enable_tenancy('notice_flag_acceptances');
SELECT candor_enable_incident_visibility('notice_flag_acceptances');
GRANT SELECT, INSERT ON notice_flag_acceptances TO candor_app;

-- A request to send one approved version, now or at a time. The 'notice-send' job (pg-boss)
-- carries {organizationId, sendId}; the delivery engine moves the status on.
CREATE TABLE notice_sends (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  notice_version_id uuid NOT NULL REFERENCES notice_versions (id),
  kind text NOT NULL CHECK (kind IN ('mandatory', 'optional')),
  channels text[] NOT NULL CHECK (cardinality(channels) >= 1 AND channels <@ ARRAY['email', 'sms', 'webhook']),
  audience text NOT NULL CHECK (audience IN ('customers', 'test_recipients')),
  scheduled_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'fanning_out', 'sending', 'paused', 'cancelled', 'completed')),
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  job_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notice_sends_incident ON notice_sends (incident_id, created_at);
SELECT candor_enable_tenancy('notice_sends');
SELECT candor_enable_incident_visibility('notice_sends');
GRANT SELECT, INSERT, UPDATE ON notice_sends TO candor_app;

-- Only an approved version can be sent, whoever writes the row.
CREATE FUNCTION candor_notice_send_approved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM notice_versions v WHERE v.id = NEW.notice_version_id AND v.approved_by IS NOT NULL) THEN
    RAISE EXCEPTION 'notice version % is not approved', NEW.notice_version_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER notice_sends_approved BEFORE INSERT ON notice_sends
  FOR EACH ROW EXECUTE FUNCTION candor_notice_send_approved();

-- The organization's test recipients: name and addresses sealed as one JSON record under data
-- key `key_version`, bound to the row's id; the language in clear.
CREATE TABLE notice_test_recipients (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  personal bytea NOT NULL,
  key_version integer NOT NULL CHECK (key_version >= 1),
  locale text NOT NULL CHECK (locale IN ('en', 'cs', 'ar')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notice_test_recipients_org ON notice_test_recipients (organization_id, id);
SELECT candor_enable_tenancy('notice_test_recipients');
GRANT SELECT, INSERT, UPDATE, DELETE ON notice_test_recipients TO candor_app;
