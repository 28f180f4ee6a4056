-- A send's progress without counting its deliveries: every statement that writes notice deliveries
-- appends its net change per (send, channel, status) here, from statement-level triggers on
-- deliveries, so every path (fan-out, claim, outcomes, pause, cancel, resend, delivery reports,
-- bounces) is counted the same way. Appending, never updating one row: concurrent workers do not
-- queue on a hot counter. A send's totals are the sum of its rows; the progress reader folds rows
-- older than a few minutes into one per (channel, status). Counting a million rows costs ~140 ms
-- even as an index-only scan (docs/BENCHMARKS.md, "Send progress").
CREATE TABLE delivery_counts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  send_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'paused')),
  -- The net change in deliveries of that channel in that status (negative when they left it).
  n integer NOT NULL,
  -- The writing transaction's time (the same now() as a delivery's sent_at): the rate reads it.
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_counts_send ON delivery_counts (send_id, at);
SELECT candor_enable_tenancy('delivery_counts');
GRANT SELECT, INSERT, DELETE ON delivery_counts TO candor_app;

-- Owned by the owner (SECURITY DEFINER): the claim runs across organizations; each row carries
-- its delivery's organization, which the statement on deliveries was already allowed to write.
CREATE FUNCTION candor_count_inserted_deliveries() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO delivery_counts (organization_id, send_id, channel, status, n)
  SELECT organization_id, send_id, channel, status, count(*)
  FROM new_rows WHERE send_id IS NOT NULL GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

CREATE FUNCTION candor_count_updated_deliveries() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO delivery_counts (organization_id, send_id, channel, status, n)
  SELECT organization_id, send_id, channel, status, sum(n)
  FROM (SELECT organization_id, send_id, channel, status, -1 AS n FROM old_rows WHERE send_id IS NOT NULL
        UNION ALL
        SELECT organization_id, send_id, channel, status, 1 AS n FROM new_rows WHERE send_id IS NOT NULL) c
  GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;
  RETURN NULL;
END $$;

CREATE FUNCTION candor_count_deleted_deliveries() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO delivery_counts (organization_id, send_id, channel, status, n)
  SELECT organization_id, send_id, channel, status, -count(*)
  FROM old_rows WHERE send_id IS NOT NULL GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION candor_count_inserted_deliveries() FROM PUBLIC;
REVOKE ALL ON FUNCTION candor_count_updated_deliveries() FROM PUBLIC;
REVOKE ALL ON FUNCTION candor_count_deleted_deliveries() FROM PUBLIC;

CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION candor_count_inserted_deliveries();
CREATE TRIGGER deliveries_count_update AFTER UPDATE ON deliveries
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION candor_count_updated_deliveries();
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON deliveries
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION candor_count_deleted_deliveries();

-- The deliveries written before: one row per (send, channel, status), dated so the rate ignores them.
INSERT INTO delivery_counts (organization_id, send_id, channel, status, n, at)
SELECT organization_id, send_id, channel, status, count(*), '-infinity'
FROM deliveries WHERE send_id IS NOT NULL GROUP BY 1, 2, 3, 4;
