-- The organization's time zone (IANA name, checked by the application against the runtime's zone
-- data): the admin app shows times in it, and notices use it for customers whose own is unknown.
ALTER TABLE organizations
  ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (time_zone ~ '^[A-Za-z0-9_+/-]{1,64}$');
