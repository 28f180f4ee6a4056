-- Candor's foundation: the application role, tenancy helpers, organizations,
-- staff accounts, sessions, tokens, throttling, the audit chain and the outbox.
-- Runs as the owner of the tables; requests run as candor_app.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'candor_app') THEN
    CREATE ROLE candor_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
  END IF;
  -- The owner must be able to SET ROLE candor_app (a superuser already can).
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT candor_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO candor_app;

-- The organization of the current transaction, set by withOrg(); NULL outside one.
CREATE FUNCTION candor_org() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('candor.organization_id', true), '')::uuid $$;

-- Every table with organization_id goes through this: RLS enabled and forced,
-- the app role confined to the current organization, the owner unrestricted
-- (the owner runs migrations and the named SECURITY DEFINER functions).
CREATE FUNCTION candor_enable_tenancy(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s TO candor_app USING (organization_id = candor_org()) WITH CHECK (organization_id = candor_org())',
    tbl);
  EXECUTE format('CREATE POLICY owner_access ON %s TO %I USING (true) WITH CHECK (true)', tbl, current_user);
END $$;

CREATE TABLE organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  default_locale text NOT NULL DEFAULT 'en' CHECK (default_locale IN ('en', 'cs', 'ar')),
  require_mfa boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations TO candor_app USING (id = candor_org()) WITH CHECK (id = candor_org());
DO $$ BEGIN
  EXECUTE format('CREATE POLICY owner_access ON organizations TO %I USING (true) WITH CHECK (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE ON organizations TO candor_app;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email)),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  password_hash text NOT NULL,
  roles text[] NOT NULL CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'incident_manager', 'communications', 'legal', 'support', 'viewer']
  ),
  locale text CHECK (locale IN ('en', 'cs', 'ar')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
  totp_secret bytea,
  totp_pending_secret bytea,
  totp_enabled_at timestamptz,
  -- The last TOTP time step accepted: a code is never accepted twice.
  totp_last_step bigint NOT NULL DEFAULT 0,
  recovery_codes text[] NOT NULL DEFAULT '{}',
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- A staff e-mail address signs in to exactly one organization.
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_organization ON users (organization_id);
SELECT candor_enable_tenancy('users');
GRANT SELECT, INSERT, UPDATE ON users TO candor_app;

CREATE TABLE webauthn_credentials (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id text NOT NULL UNIQUE,
  public_key bytea NOT NULL,
  counter bigint NOT NULL DEFAULT 0,
  transports text[] NOT NULL DEFAULT '{}',
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);
SELECT candor_enable_tenancy('webauthn_credentials');
GRANT SELECT, INSERT, UPDATE, DELETE ON webauthn_credentials TO candor_app;

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  -- mfa: password accepted, second factor pending; enroll: must enrol MFA first.
  state text NOT NULL CHECK (state IN ('mfa', 'enroll', 'active')),
  webauthn_challenge text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user ON sessions (user_id);
SELECT candor_enable_tenancy('sessions');
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO candor_app;

CREATE TABLE invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email)),
  roles text[] NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('invitations');
GRANT SELECT, INSERT, UPDATE ON invitations TO candor_app;

CREATE TABLE password_resets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('password_resets');
GRANT SELECT, INSERT, UPDATE ON password_resets TO candor_app;

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix text NOT NULL,
  token_hash bytea NOT NULL UNIQUE,
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
SELECT candor_enable_tenancy('api_tokens');
GRANT SELECT, INSERT, UPDATE ON api_tokens TO candor_app;

-- One-time links that create an organization and its first admin. Not tenant
-- data: reached only through the named functions below.
CREATE TABLE setup_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash bytea NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed sign-ins per account (keyed HMAC of the address, never the address)
-- and per IP, shared by every process.
CREATE TABLE sign_in_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  blocked_until timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_throttle TO candor_app;

-- The audit log: one hash chain per organization. The app may only append.
CREATE TABLE audit_events (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_token', 'system')),
  actor_id uuid,
  action text NOT NULL,
  target_type text,
  target_id text,
  request_id text,
  data jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (organization_id, seq)
);
CREATE INDEX audit_events_action ON audit_events (organization_id, action);
CREATE INDEX audit_events_time ON audit_events (organization_id, occurred_at);
SELECT candor_enable_tenancy('audit_events');
GRANT SELECT, INSERT ON audit_events TO candor_app;

-- The head of each chain, signed with a key the database never holds.
CREATE TABLE audit_heads (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  hash text NOT NULL,
  mac text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT candor_enable_tenancy('audit_heads');
GRANT SELECT, INSERT, UPDATE ON audit_heads TO candor_app;

CREATE TABLE audit_checkpoints (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  hash text NOT NULL,
  mac text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, seq)
);
SELECT candor_enable_tenancy('audit_checkpoints');
GRANT SELECT, INSERT ON audit_checkpoints TO candor_app;

-- The outbox: every message Candor sends is a row here, written in the same
-- transaction as the decision to send it.
CREATE TABLE deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email')),
  purpose text NOT NULL,
  idempotency_key text NOT NULL,
  payload bytea NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 8,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_error text,
  message_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
SELECT candor_enable_tenancy('deliveries');
GRANT SELECT, INSERT, UPDATE ON deliveries TO candor_app;

-- Named cross-organization paths. Each returns the least it can: where a row
-- lives, so the caller continues inside that organization under RLS.

CREATE FUNCTION candor_setup_needed() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT NOT EXISTS (SELECT 1 FROM users WHERE status = 'active' AND 'admin' = ANY (roles))
$$;

CREATE FUNCTION candor_setup_consume(p_token_hash bytea) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH used AS (
    UPDATE setup_tokens SET used_at = now()
    WHERE token_hash = p_token_hash AND used_at IS NULL AND expires_at > now()
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM used)
$$;

CREATE FUNCTION candor_find_user_by_email(p_email text) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.organization_id, u.id FROM users u WHERE u.email = lower(p_email)
$$;

CREATE FUNCTION candor_email_taken(p_email text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM users u WHERE u.email = lower(p_email))
$$;

CREATE FUNCTION candor_find_session(p_token_hash bytea) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.organization_id, s.id FROM sessions s WHERE s.token_hash = p_token_hash
$$;

CREATE FUNCTION candor_find_api_token(p_token_hash bytea) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT t.organization_id, t.id FROM api_tokens t WHERE t.token_hash = p_token_hash
$$;

CREATE FUNCTION candor_find_invitation(p_token_hash bytea) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.organization_id, i.id FROM invitations i WHERE i.token_hash = p_token_hash
$$;

CREATE FUNCTION candor_find_password_reset(p_token_hash bytea) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT r.organization_id, r.id FROM password_resets r WHERE r.token_hash = p_token_hash
$$;

CREATE FUNCTION candor_find_webauthn_credential(p_credential_id text)
RETURNS TABLE (organization_id uuid, user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT c.organization_id, c.user_id FROM webauthn_credentials c WHERE c.credential_id = p_credential_id
$$;

-- The outbox worker claims due deliveries of every organization at once.
-- A 'sending' row whose lease ran out belonged to a worker that died: it is
-- claimed again, with the same Message-ID.
CREATE FUNCTION candor_claim_deliveries(p_limit integer, p_lease_seconds integer)
RETURNS TABLE (organization_id uuid, id uuid, payload bytea, message_id text, attempts integer, max_attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE deliveries d
  SET status = 'sending', attempts = d.attempts + 1,
      locked_until = now() + make_interval(secs => p_lease_seconds)
  WHERE d.id IN (
    SELECT x.id FROM deliveries x
    WHERE (x.status = 'pending' AND x.next_attempt_at <= now())
       OR (x.status = 'sending' AND x.locked_until < now())
    ORDER BY x.next_attempt_at
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  )
  RETURNING d.organization_id, d.id, d.payload, d.message_id, d.attempts, d.max_attempts
$$;

-- Hourly: the signed head of every chain becomes a checkpoint.
CREATE FUNCTION candor_checkpoint_audit_heads() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH added AS (
    INSERT INTO audit_checkpoints (organization_id, seq, hash, mac)
    SELECT organization_id, seq, hash, mac FROM audit_heads
    ON CONFLICT DO NOTHING RETURNING 1
  )
  SELECT count(*)::int FROM added
$$;

-- Expired sessions, links and throttle entries are deleted, in every organization.
CREATE FUNCTION candor_purge_expired() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n integer := 0; m integer;
BEGIN
  DELETE FROM sessions WHERE expires_at < now(); GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM password_resets WHERE expires_at < now() - interval '1 day'; GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM invitations WHERE expires_at < now() - interval '30 days'; GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM setup_tokens WHERE expires_at < now() - interval '1 day'; GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  DELETE FROM sign_in_throttle WHERE last_failure_at < now() - interval '1 day'
    AND (blocked_until IS NULL OR blocked_until < now()); GET DIAGNOSTICS m = ROW_COUNT; n := n + m;
  RETURN n;
END $$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'candor_setup_needed()', 'candor_setup_consume(bytea)', 'candor_find_user_by_email(text)',
    'candor_email_taken(text)', 'candor_find_session(bytea)', 'candor_find_api_token(bytea)',
    'candor_find_invitation(bytea)', 'candor_find_password_reset(bytea)',
    'candor_find_webauthn_credential(text)', 'candor_claim_deliveries(integer, integer)',
    'candor_checkpoint_audit_heads()', 'candor_purge_expired()'
  ] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO candor_app', f);
  END LOOP;
END $$;
