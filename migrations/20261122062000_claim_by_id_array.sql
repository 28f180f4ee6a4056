-- The claim, again, for two things a bulk send showed:
-- 1. Its UPDATE finds its rows by primary key. Written as `id IN (subquery)`, the function's
--    generic plan guessed 10 % of the table for `LIMIT p_limit` and joined by hashing a sequential
--    scan of every delivery: 220–310 ms per claim of 100 at a million pending rows (0.3 ms for the
--    subquery alone). `id = ANY(ARRAY(subquery))` is an index scan on the key whatever the guess.
-- 2. Platform mail (sign-in links, invitations, deadline warnings) is claimed before notices: in
--    the order of next_attempt_at alone it waited behind every notice of a send already queued.
CREATE INDEX deliveries_due_mail ON deliveries (next_attempt_at)
  WHERE status IN ('pending', 'sending') AND send_id IS NULL;

CREATE OR REPLACE FUNCTION candor_claim_deliveries(p_limit integer, p_lease_seconds integer, p_notices boolean DEFAULT false)
RETURNS TABLE (organization_id uuid, id uuid, payload bytea, message_id text, attempts integer, max_attempts integer,
               channel text, send_id uuid, notice_version_id uuid, customer_id uuid, test_recipient_id uuid,
               locale text, kind text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH mail AS (
    SELECT x.id FROM deliveries x
    WHERE x.send_id IS NULL
      AND ((x.status = 'pending' AND x.next_attempt_at <= now())
        OR (x.status = 'sending' AND x.locked_until < now()))
    ORDER BY x.next_attempt_at
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED
  ), notice AS (
    SELECT x.id FROM deliveries x
    WHERE p_notices AND x.send_id IS NOT NULL
      AND ((x.status = 'pending' AND x.next_attempt_at <= now())
        OR (x.status = 'sending' AND x.locked_until < now()))
    ORDER BY x.next_attempt_at
    LIMIT greatest(0, p_limit - (SELECT count(*) FROM mail))
    FOR UPDATE SKIP LOCKED
  )
  UPDATE deliveries d
  SET status = 'sending', attempts = d.attempts + 1,
      locked_until = now() + make_interval(secs => p_lease_seconds)
  WHERE d.id = ANY (ARRAY(SELECT mail.id FROM mail UNION ALL SELECT notice.id FROM notice))
  RETURNING d.organization_id, d.id, d.payload, d.message_id, d.attempts, d.max_attempts,
            d.channel, d.send_id, d.notice_version_id, d.customer_id, d.test_recipient_id,
            d.locale, d.kind
$$;
