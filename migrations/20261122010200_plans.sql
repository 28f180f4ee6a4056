-- Response plans: an organization's own copy of a built-in playbook per incident type,
-- versioned (every save is a new immutable version); the plan an incident runs, its tasks;
-- and the out-of-band contact list used when e-mail or chat may be compromised.

CREATE TABLE response_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_type text NOT NULL CHECK (incident_type IN (
    'phishing', 'malware', 'ransomware', 'denial_of_service', 'social_engineering', 'data_breach', 'other')),
  -- The built-in playbook it was copied from.
  source_playbook text NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- One plan per type: declaring an incident of that type starts it.
  UNIQUE (organization_id, incident_type)
);
SELECT candor_enable_tenancy('response_plans');
GRANT SELECT, INSERT ON response_plans TO candor_app;

CREATE TABLE plan_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  plan_id uuid NOT NULL REFERENCES response_plans (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- The language the plan's texts are written in.
  locale text NOT NULL CHECK (locale IN ('en', 'cs', 'ar')),
  tasks jsonb NOT NULL CHECK (jsonb_typeof(tasks) = 'array'),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plan_id, version)
);
SELECT candor_enable_tenancy('plan_versions');
-- Immutable: the app adds versions, never changes or removes one.
GRANT SELECT, INSERT ON plan_versions TO candor_app;

-- The plan an incident runs: an organization's version, or the built-in playbook when the
-- organization has none for the type. The incident keeps it whatever is saved later.
CREATE TABLE incident_plans (
  incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  plan_version_id uuid REFERENCES plan_versions (id),
  playbook text NOT NULL,
  name text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  started_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX incident_plans_version ON incident_plans (plan_version_id);
SELECT candor_enable_tenancy('incident_plans');
SELECT candor_enable_incident_visibility('incident_plans');
GRANT SELECT, INSERT ON incident_plans TO candor_app;

CREATE TABLE incident_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  position integer NOT NULL,
  task_key text NOT NULL,
  -- The texts as the plan had them when the incident started, per language: {"en": "…"}.
  title jsonb NOT NULL,
  description jsonb NOT NULL,
  phase text NOT NULL CHECK (phase IN (
    'preparation', 'detection', 'containment', 'eradication', 'recovery', 'post_incident')),
  kind text CHECK (kind IN ('customer_communication', 'legal_review', 'regulator_notification', 'out_of_band')),
  -- The owner the plan named (an incident or organization role); NULL when it named none.
  owner_role text CHECK (owner_role IN (
    'commander', 'communications_lead', 'legal_lead', 'admin', 'incident_manager', 'communications', 'legal', 'support')),
  -- Who has it now: a person, or an organization role's queue.
  assignee_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  assignee_role text CHECK (assignee_role IN ('admin', 'incident_manager', 'communications', 'legal', 'support')),
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'skipped')),
  closed_at timestamptz,
  closed_by uuid REFERENCES users (id) ON DELETE SET NULL,
  skip_reason text CHECK (length(skip_reason) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, task_key),
  CHECK ((status = 'skipped') = (skip_reason IS NOT NULL)),
  CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, position);
CREATE INDEX incident_tasks_assignee ON incident_tasks (assignee_user_id) WHERE status = 'open';
SELECT candor_enable_tenancy('incident_tasks');
SELECT candor_enable_incident_visibility('incident_tasks');
GRANT SELECT, INSERT, UPDATE ON incident_tasks TO candor_app;

-- The out-of-band contact list. Phone numbers, channels and notes are personal data of
-- staff and partners: sealed (AES-256-GCM) in `details`, opened only for a response that names them.
CREATE TABLE oob_contacts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Their part in the response: "Incident commander", "External counsel", "ISP NOC".
  role text NOT NULL DEFAULT '' CHECK (length(role) <= 200),
  affiliation text NOT NULL DEFAULT '' CHECK (length(affiliation) <= 200),
  details bytea NOT NULL,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oob_contacts_list ON oob_contacts (organization_id, position, name);
SELECT candor_enable_tenancy('oob_contacts');
GRANT SELECT, INSERT, UPDATE, DELETE ON oob_contacts TO candor_app;
