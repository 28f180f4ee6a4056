-- Notice deliveries ride the platform outbox (one pipeline): a delivery row per (notice version,
-- recipient, channel), idempotent by its key, claimed by workers with FOR UPDATE SKIP LOCKED.
-- A notice delivery holds no rendered message: it is rendered from the notice version and the
-- recipient's sealed record just before sending, so a million rows do not each hold a sealed copy.
-- Its payload holds only the sealed verification code (so a repeat after a crash carries the same
-- code as well as the same Message-ID).

ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_check CHECK (channel IN ('email', 'sms', 'webhook'));
-- 'paused': a paused send's rows, not claimed until it is resumed.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'paused'));
ALTER TABLE deliveries
  -- The send request (notice_sends.id) whose fan-out wrote the row; NULL for platform mail.
  ADD COLUMN send_id uuid,
  ADD COLUMN notice_version_id uuid,
  -- Erasing a customer keeps the record that a notice went out (status, channel, dates: no
  -- personal data) and drops the link; a row not yet sent is then cancelled by the worker.
  ADD COLUMN customer_id uuid REFERENCES customers (id) ON DELETE SET NULL,
  -- An exercise send's test recipient (the organization's list).
  ADD COLUMN test_recipient_id uuid,
  ADD COLUMN locale text CHECK (locale IN ('en', 'cs', 'ar')),
  ADD COLUMN kind text CHECK (kind IN ('mandatory', 'optional')),
  ADD COLUMN accepted_by text CHECK (length(accepted_by) <= 200),
  ADD CONSTRAINT deliveries_notice_shape CHECK (
    (send_id IS NULL AND payload IS NOT NULL)
    OR (send_id IS NOT NULL AND notice_version_id IS NOT NULL AND locale IS NOT NULL AND kind IS NOT NULL));
ALTER TABLE deliveries ALTER COLUMN payload DROP NOT NULL;
CREATE INDEX deliveries_send ON deliveries (send_id, status) WHERE send_id IS NOT NULL;
CREATE INDEX deliveries_customer ON deliveries (customer_id) WHERE customer_id IS NOT NULL;

-- The fan-out of one send: its audience cut by keyset into chunks, one pg-boss job each. A chunk
-- is done once its deliveries are written; the send is fanned out when every chunk is done.
CREATE TABLE notice_send_chunks (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  send_id uuid NOT NULL,
  chunk integer NOT NULL CHECK (chunk >= 0),
  -- Keyset bounds over the audience's ids: first <= id <= last.
  first_id uuid NOT NULL,
  last_id uuid NOT NULL,
  recipients integer NOT NULL CHECK (recipients >= 0),
  deliveries integer,
  done_at timestamptz,
  PRIMARY KEY (send_id, chunk)
);
SELECT candor_enable_tenancy('notice_send_chunks');
GRANT SELECT, INSERT, UPDATE ON notice_send_chunks TO candor_app;

-- One claim for every kind of delivery; a worker without the notice engine claims platform mail
-- only (p_notices false). A 'sending' row whose lease ran out belonged to a worker that died: it
-- is claimed again, with the same Message-ID.
DROP FUNCTION candor_claim_deliveries(integer, integer);
CREATE FUNCTION candor_claim_deliveries(p_limit integer, p_lease_seconds integer, p_notices boolean DEFAULT false)
RETURNS TABLE (organization_id uuid, id uuid, payload bytea, message_id text, attempts integer, max_attempts integer,
               channel text, send_id uuid, notice_version_id uuid, customer_id uuid, test_recipient_id uuid,
               locale text, kind text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE deliveries d
  SET status = 'sending', attempts = d.attempts + 1,
      locked_until = now() + make_interval(secs => p_lease_seconds)
  WHERE d.id IN (
    SELECT x.id FROM deliveries x
    WHERE ((x.status = 'pending' AND x.next_attempt_at <= now())
       OR (x.status = 'sending' AND x.locked_until < now()))
      AND (p_notices OR x.send_id IS NULL)
    ORDER BY x.next_attempt_at
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  )
  RETURNING d.organization_id, d.id, d.payload, d.message_id, d.attempts, d.max_attempts,
            d.channel, d.send_id, d.notice_version_id, d.customer_id, d.test_recipient_id,
            d.locale, d.kind
$$;
REVOKE ALL ON FUNCTION candor_claim_deliveries(integer, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_claim_deliveries(integer, integer, boolean) TO candor_app;
