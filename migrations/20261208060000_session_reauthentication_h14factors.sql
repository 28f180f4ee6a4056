-- Changing a second factor needs a recent proof of the user (issue 14, item 4): the moment the
-- session's user last gave their password, a fresh TOTP code or a passkey assertion. Older than
-- five minutes, the factor-changing routes answer reauthentication_required.
ALTER TABLE sessions ADD COLUMN reauthenticated_at timestamptz;
