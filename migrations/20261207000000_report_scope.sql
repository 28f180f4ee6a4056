-- Nobody can silence a breach notice (issue 11):
-- 1. A suppression has a scope: 'all' stops every notice on the channel (the address does not
--    take mail: a hard bounce, a permanent refusal at sending, a number that answered STOP),
--    'optional' stops optional updates only (an unsubscribe, a complaint): a mandatory breach
--    notice still goes out.
-- 2. A delivery remembers the blind index of the address it was sent to, so a bounce acts on that
--    address and nothing else, even after the customer's record changed.
-- 3. A delivery a suppression stopped is 'suppressed', not 'cancelled': the send's report lists it
--    so staff can reach the customer another way.
-- 4. Bounce, complaint and unsubscribe reports that cannot be trusted (a made-up VERP token, a
--    recipient other than the delivery's, a delivery that sends no notice) change nothing and are
--    kept for review: per organization when the delivery they name exists, else unattributed.

-- Existing rows, by the stated rule (suppression.ts, scopeFor): an e-mail unsubscribe or a
-- complaint was a choice about optional mail, so it becomes 'optional'; a hard bounce or a
-- permanent failure means the address takes no mail at all, and an SMS unsubscribe (STOP) makes
-- the provider refuse every later message to the number, so those stay 'all'.
ALTER TABLE suppressions ADD COLUMN scope text NOT NULL DEFAULT 'all' CHECK (scope IN ('all', 'optional'));
UPDATE suppressions SET scope = 'optional'
WHERE reason = 'complaint' OR (reason = 'unsubscribed' AND channel <> 'sms');
ALTER TABLE suppressions ALTER COLUMN scope DROP DEFAULT;

ALTER TABLE deliveries ADD COLUMN recipient_index text CHECK (length(recipient_index) BETWEEN 16 AND 100);

ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'paused', 'suppressed'));
ALTER TABLE delivery_counts DROP CONSTRAINT delivery_counts_status_check;
ALTER TABLE delivery_counts ADD CONSTRAINT delivery_counts_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'paused', 'suppressed'));

-- A report held for review in the organization whose delivery it names. The raw message is sealed
-- under the organization's data key (it may name third parties' addresses); nothing in clear
-- names a person.
CREATE TABLE inbound_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  delivery_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint', 'unsubscribe')),
  source text NOT NULL CHECK (source ~ '^[a-z_]{1,40}$'),
  verdict text NOT NULL CHECK (verdict IN ('bad_token', 'recipient_mismatch', 'not_a_notice')),
  -- How many recipients the report named, and how many of them were not the delivery's.
  recipients integer NOT NULL CHECK (recipients >= 0),
  foreign_recipients integer NOT NULL CHECK (foreign_recipients >= 0),
  statuses text[] NOT NULL DEFAULT '{}',
  remote_address text CHECK (length(remote_address) <= 100),
  raw bytea,
  key_version integer,
  received_at timestamptz NOT NULL DEFAULT now(),
  reviewed_at timestamptz,
  reviewed_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX inbound_reports_recent ON inbound_reports (organization_id, received_at DESC, id);
SELECT candor_enable_tenancy('inbound_reports');
GRANT SELECT, INSERT, UPDATE ON inbound_reports TO candor_app;

-- A report naming a delivery that does not exist belongs to no organization: kept here (no
-- message, no address: what was named, by whom, when) for the operator, 30 days.
CREATE TABLE unattributed_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  named text NOT NULL CHECK (length(named) <= 100),
  kind text NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint', 'unsubscribe')),
  source text NOT NULL CHECK (source ~ '^[a-z_]{1,40}$'),
  remote_address text CHECK (length(remote_address) <= 100),
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unattributed_reports_recent ON unattributed_reports (received_at);
ALTER TABLE unattributed_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE unattributed_reports FORCE ROW LEVEL SECURITY;
DO $$ BEGIN
  EXECUTE format('CREATE POLICY owner_access ON unattributed_reports TO %I USING (true) WITH CHECK (true)', current_user);
END $$;

CREATE FUNCTION candor_record_unattributed_report(p_named text, p_kind text, p_source text, p_remote text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DELETE FROM unattributed_reports WHERE received_at < now() - interval '30 days';
  INSERT INTO unattributed_reports (named, kind, source, remote_address)
  VALUES (left(p_named, 100), p_kind, p_source, left(p_remote, 100));
$$;
REVOKE ALL ON FUNCTION candor_record_unattributed_report(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_record_unattributed_report(text, text, text, text) TO candor_app;
