-- Regulator reports (GDPR Art. 33(3), NIS2 Art. 23): an editable draft per incident and
-- kind, and every exported version kept immutable with the SHA-256 of its bytes.

-- The default contact point of reports (the DPO or another contact), copied into each new draft.
ALTER TABLE organizations
  ADD COLUMN report_contact_point text NOT NULL DEFAULT '' CHECK (length(report_contact_point) <= 2000);

CREATE TABLE regulator_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('gdpr_art33', 'nis2_early_warning', 'nis2_notification', 'nis2_final')),
  -- The language the draft was pre-filled in; an export may choose another.
  locale text NOT NULL CHECK (locale IN ('en', 'cs', 'ar')),
  -- What the user typed, field by field; validated by the application per kind.
  fields jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object'),
  -- Bumped by every edit: an edit made against an older revision is refused.
  revision integer NOT NULL DEFAULT 1,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, kind)
);
CREATE INDEX regulator_reports_organization ON regulator_reports (organization_id);
SELECT candor_enable_tenancy('regulator_reports');
SELECT candor_enable_incident_visibility('regulator_reports');
GRANT SELECT, INSERT, UPDATE ON regulator_reports TO candor_app;

CREATE TABLE regulator_report_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  report_id uuid NOT NULL REFERENCES regulator_reports (id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number > 0),
  kind text NOT NULL,
  format text NOT NULL CHECK (format IN ('html', 'pdf')),
  locale text NOT NULL CHECK (locale IN ('en', 'cs', 'ar')),
  is_exercise boolean NOT NULL,
  -- The draft revision the document was made from.
  report_revision integer NOT NULL,
  content bytea NOT NULL,
  -- The database checks the hash itself: a stored hash always describes the stored bytes.
  sha256 text NOT NULL CHECK (sha256 = encode(sha256(content), 'hex')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (report_id, number)
);
CREATE INDEX regulator_report_versions_incident ON regulator_report_versions (incident_id);
SELECT candor_enable_tenancy('regulator_report_versions');
SELECT candor_enable_incident_visibility('regulator_report_versions');
-- Append-only for the application: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON regulator_report_versions TO candor_app;

-- Not even the owner rewrites an exported version (deleting the organization still cascades).
CREATE FUNCTION candor_refuse_version_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'regulator report versions are immutable';
END $$;
CREATE TRIGGER regulator_report_versions_immutable BEFORE UPDATE ON regulator_report_versions
  FOR EACH ROW EXECUTE FUNCTION candor_refuse_version_update();
