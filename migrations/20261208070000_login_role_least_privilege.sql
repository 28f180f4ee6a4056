-- Least privilege at the database (issue 14, item 5). On a PostgreSQL server the web and worker
-- processes log in as a role of their own that is a member of candor_app (and, for a worker, of
-- candor_jobs), never as the owner of the tables: such a role cannot RESET ROLE or SET ROLE its
-- way to the owner's rights, since it is not a member of the owner. Migrations, pg-boss's schema
-- and its queues are made by the owner (CANDOR_MIGRATION_DATABASE_URL). docs/OPERATIONS.md holds
-- the SQL an operator runs to create the login roles.

-- The rights pg-boss needs to work jobs (fetch, complete, retry, archive, schedule, maintain), and
-- nothing to create or alter its tables: a worker's login role is a member of this one. A web
-- process's login role is not: it only queues jobs, as candor_app.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'candor_jobs') THEN
    CREATE ROLE candor_jobs NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;

-- Granted again each time the owner prepares pg-boss (platform/jobs.ts), since pg-boss makes and
-- migrates its tables after our migrations ran. A queue's partition is reached through pgboss.job,
-- whose rights are the ones checked.
CREATE OR REPLACE FUNCTION candor_grant_job_rights() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE t text;
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

  GRANT USAGE ON SCHEMA pgboss TO candor_jobs;
  FOREACH t IN ARRAY ARRAY['job', 'archive', 'queue', 'schedule', 'subscription', 'version'] LOOP
    IF to_regclass('pgboss.' || t) IS NOT NULL THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON pgboss.%I TO candor_jobs', t);
    END IF;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION candor_grant_job_rights() FROM PUBLIC;

SELECT candor_grant_job_rights();

-- /readyz tells whether migrations are pending: the processes read which ones ran (names and
-- checksums only), and nothing else of the owner's.
GRANT SELECT ON candor_migrations TO candor_app;
