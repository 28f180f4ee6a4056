-- The e-mail channel of notices: the suppression list (every channel), each organization's
-- sending settings with the DKIM key Candor generated for it, and the one cross-organization
-- path bounces need (where a delivery named by its VERP address lives).

-- Addresses not to send to again: by the organization's blind index of the address (e-mail and
-- phone as the customer vault indexes them; a webhook by its URL), never the address itself.
CREATE TABLE suppressions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
  address_index text NOT NULL CHECK (length(address_index) BETWEEN 16 AND 100),
  reason text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'permanent_failure', 'unsubscribed')),
  -- What told us: 'dsn', 'relay', 'smtp', 'unsubscribe', 'admin'; an optional delivery id.
  source text NOT NULL CHECK (source ~ '^[a-z_]{1,40}$'),
  delivery_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, channel, address_index)
);
CREATE INDEX suppressions_recent ON suppressions (organization_id, created_at DESC, id);
SELECT candor_enable_tenancy('suppressions');
GRANT SELECT, INSERT, UPDATE, DELETE ON suppressions TO candor_app;

-- How an organization sends e-mail: its From address (whose domain DKIM signs as d=, so the two
-- align for DMARC), the DKIM selector, and the RSA-2048 key pair Candor generated: the private
-- key sealed under the organization's data key, the public key (SPKI, DER) in clear for the
-- DNS record.
CREATE TABLE email_settings (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  from_address text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 254),
  from_name text CHECK (from_name IS NULL OR length(from_name) BETWEEN 1 AND 200),
  domain text NOT NULL CHECK (domain ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$'),
  reply_to text CHECK (reply_to IS NULL OR length(reply_to) BETWEEN 3 AND 254),
  dkim_selector text NOT NULL CHECK (dkim_selector ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  dkim_private_key bytea NOT NULL,
  dkim_public_key bytea NOT NULL,
  key_version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('email_settings');
GRANT SELECT, INSERT, UPDATE ON email_settings TO candor_app;

-- A bounce names its delivery by the VERP address bounces+<delivery id>@…: where that delivery
-- lives, nothing else.
CREATE FUNCTION candor_find_delivery(p_id uuid) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT d.organization_id, d.id FROM deliveries d WHERE d.id = p_id
$$;
REVOKE ALL ON FUNCTION candor_find_delivery(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_find_delivery(uuid) TO candor_app;
