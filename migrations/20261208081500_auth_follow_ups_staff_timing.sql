-- Staff e-mail addresses must not show in response times (issue 14): a failed sign-in and a
-- password-reset request record one row here, in the transaction that counts the request
-- against its throttle, whether or not the address has an account; what only a known account
-- needs (its audit entries, the owner's alert, the reset link) is done from the row after the
-- response, and the row is deleted in the transaction that does it, so a crash loses nothing.
-- Cross-organization like sign_in_throttle and pg-boss's jobs: the data holds the organization's
-- and the user's ids (null for an unknown address) and the request's actor, never the address.
CREATE TABLE auth_follow_ups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('sign_in_failed', 'password_reset')),
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_follow_ups_created ON auth_follow_ups (created_at);
GRANT SELECT, INSERT, DELETE ON auth_follow_ups TO candor_app;
