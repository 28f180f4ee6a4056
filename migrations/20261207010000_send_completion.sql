-- A send is completed by a check after each batch of its deliveries commits (send-completion.ts);
-- a process that dies right after the last commit leaves a send whose work is done still
-- 'sending'. The completion sweeper finds such sends across organizations through this function,
-- ids only, and completes each in its organization's transaction.
CREATE INDEX notice_sends_sending ON notice_sends (updated_at) WHERE status = 'sending';

CREATE FUNCTION candor_notice_sends_done() RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.organization_id, s.id FROM notice_sends s
  WHERE s.status = 'sending'
    AND NOT EXISTS (SELECT 1 FROM notice_send_chunks c WHERE c.send_id = s.id AND c.done_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM deliveries d
                    WHERE d.send_id = s.id AND d.status IN ('pending', 'sending', 'paused'))
  ORDER BY s.updated_at LIMIT 1000
$$;
REVOKE ALL ON FUNCTION candor_notice_sends_done() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_notice_sends_done() TO candor_app;
