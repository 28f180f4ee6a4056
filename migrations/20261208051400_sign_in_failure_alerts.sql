-- Repeated failed sign-ins are mailed to the account's owner (issue 14, item 1): one row per
-- user counts the failures of the current hour-long window, and notified_at marks the one
-- e-mail the window may send (set by a conditional update, so concurrent failures send once).
-- No address, password or client address is kept here: the user's id and counts only.
CREATE TABLE sign_in_alerts (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  window_started_at timestamptz NOT NULL DEFAULT now(),
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  notified_at timestamptz
);
SELECT candor_enable_tenancy('sign_in_alerts');
GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_alerts TO candor_app;
