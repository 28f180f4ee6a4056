-- The customer vault. Personal fields are sealed (AES-256-GCM) under a per-organization data
-- key; that key is stored only wrapped by the master key, which the database never holds.
-- Deleting an organization cascades to its wrapped keys (crypto-shredding).

-- Per-organization keys, each only as sealed by a master key. purpose 'data' seals personal
-- fields; purpose 'index' keys the blind indexes and stays the same when data keys rotate, so
-- look-ups keep working. version grows with each new data key; master_key_id names the master
-- key that wrapped it (a fingerprint, never the key), so a rotation knows what to re-wrap.
CREATE TABLE organization_keys (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('data', 'index')),
  version integer NOT NULL CHECK (version >= 1),
  wrapped_key bytea NOT NULL CHECK (length(wrapped_key) = 61),
  master_key_id text NOT NULL CHECK (length(master_key_id) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz,
  PRIMARY KEY (organization_id, purpose, version)
);
SELECT candor_enable_tenancy('organization_keys');
-- The app creates keys and reads them; re-wrapping is `candor keys rotate`, run as the owner.
GRANT SELECT, INSERT ON organization_keys TO candor_app;

CREATE TABLE customers (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
  -- name, e-mail, phone, postal address and personal attributes, sealed as one JSON record under
  -- data key `key_version`, bound to the row's id.
  personal bytea NOT NULL,
  key_version integer NOT NULL CHECK (key_version >= 1),
  -- Keyed blind indexes (HMAC-SHA-256 under the organization's index key) of the normalized
  -- e-mail (lower case, ASCII domain) and phone (E.164): exact look-up without decrypting.
  email_index text CHECK (length(email_index) = 43),
  phone_index text CHECK (length(phone_index) = 43),
  -- In clear, for counting and segments.
  language text CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$'),
  time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64),
  country text CHECK (country ~ '^[A-Z]{2}$'),
  region text CHECK (region IS NULL OR (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$' AND left(region, 2) = country)),
  tags text[] NOT NULL DEFAULT '{}',
  attributes jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
  consent_email boolean NOT NULL DEFAULT false,
  consent_sms boolean NOT NULL DEFAULT false,
  consent_webhook boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, external_id)
);
CREATE INDEX customers_email ON customers (organization_id, email_index) WHERE email_index IS NOT NULL;
CREATE INDEX customers_phone ON customers (organization_id, phone_index) WHERE phone_index IS NOT NULL;
CREATE INDEX customers_country ON customers (organization_id, country, region);
SELECT candor_enable_tenancy('customers');
GRANT SELECT, INSERT, UPDATE, DELETE ON customers TO candor_app;

-- Why a customer's personal fields were revealed, when the person revealing wrote more than the
-- reason code: free text may itself name people, so it is sealed under the data key and never
-- goes into the audit log (which holds the code and the note's length). Erased with the customer.
CREATE TABLE customer_reveal_notes (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  audit_seq bigint NOT NULL,
  note bytea NOT NULL,
  key_version integer NOT NULL CHECK (key_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, audit_seq)
);
CREATE INDEX customer_reveal_notes_customer ON customer_reveal_notes (customer_id);
SELECT candor_enable_tenancy('customer_reveal_notes');
GRANT SELECT, INSERT ON customer_reveal_notes TO candor_app;
