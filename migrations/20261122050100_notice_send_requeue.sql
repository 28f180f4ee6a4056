-- A send request is committed first and its 'notice-send' job queued right after; a process that
-- dies in between leaves a scheduled request without a job. The requeue timer finds such
-- requests (after a grace period) across organizations through this function, ids only.
CREATE INDEX notice_sends_without_job ON notice_sends (created_at) WHERE job_id IS NULL AND status = 'scheduled';

CREATE FUNCTION candor_notice_sends_without_job(p_older_than interval) RETURNS TABLE (organization_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.organization_id, s.id FROM notice_sends s
  WHERE s.job_id IS NULL AND s.status = 'scheduled' AND s.created_at < now() - p_older_than
  ORDER BY s.created_at LIMIT 1000
$$;
REVOKE ALL ON FUNCTION candor_notice_sends_without_job(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_notice_sends_without_job(interval) TO candor_app;
