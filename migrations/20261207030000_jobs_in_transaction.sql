-- A job is queued in the transaction of the change that causes it (platform/jobs.ts sendJob), so
-- requests, running as candor_app, insert into pg-boss's job table. These are the rights that
-- takes, and no more: USAGE on the schema, INSERT on the job table (its per-queue partitions are
-- reached through it, and checked on it), SELECT of the id it returns, and SELECT on the queue
-- table its insert joins. Nothing to read other organizations' jobs, and nothing to work them.
--
-- pg-boss creates its schema when a worker first starts, after the migrations ran, and may
-- recreate tables when it migrates itself. So the grants are a function, called here for an
-- install where pg-boss already exists and by every process right after pg-boss started
-- (startJobs, prepareJobs). Default privileges would not do: they would give candor_app every
-- table pg-boss makes (the archive of every organization's jobs among them), and only for
-- tables made by the role that ran this migration.
CREATE FUNCTION candor_grant_job_rights() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  -- Concurrent GRANTs on one table fail ("tuple concurrently updated"): processes start together.
  PERFORM pg_advisory_xact_lock(727002);
  IF to_regclass('pgboss.job') IS NULL OR to_regclass('pgboss.queue') IS NULL THEN
    RETURN;
  END IF;
  GRANT USAGE ON SCHEMA pgboss TO candor_app;
  GRANT INSERT ON pgboss.job TO candor_app;
  GRANT SELECT (id) ON pgboss.job TO candor_app;
  GRANT SELECT ON pgboss.queue TO candor_app;
END
$$;
REVOKE ALL ON FUNCTION candor_grant_job_rights() FROM PUBLIC;

SELECT candor_grant_job_rights();
