-- What /metrics shows of the outbox: deliveries due now (pending and due, or claimed by a worker
-- whose lease ran out), platform mail and notices apart, and since when the oldest has waited.
-- Across organizations and counts only, so a SECURITY DEFINER function like the claim itself.
CREATE FUNCTION candor_delivery_backlog()
RETURNS TABLE (kind text, due bigint, oldest_due_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT CASE WHEN d.send_id IS NULL THEN 'mail' ELSE 'notice' END,
         count(*),
         min(CASE WHEN d.status = 'pending' THEN d.next_attempt_at ELSE d.locked_until END)
  FROM deliveries d
  WHERE (d.status = 'pending' AND d.next_attempt_at <= now())
     OR (d.status = 'sending' AND d.locked_until < now())
  GROUP BY 1
$$;
REVOKE ALL ON FUNCTION candor_delivery_backlog() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_delivery_backlog() TO candor_app;
