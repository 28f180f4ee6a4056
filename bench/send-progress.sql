-- Send progress at a million deliveries: the old count over the rows against the counts kept by
-- the triggers of migration 20261122061000. Run on a scratch database (never a live one):
--   createdb -h 127.0.0.1 -U postgres progress_scratch
--   for f in migrations/*.sql; do psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d progress_scratch -f $f; done
--   psql -h 127.0.0.1 -U postgres -d progress_scratch -f bench/send-progress.sql
\set s '''00000000-0000-0000-0000-000000000051'''
INSERT INTO organizations (id, name) VALUES ('00000000-0000-0000-0000-00000000000a', 'bench');
\timing on
-- One send of 1,000,000: 70 % sent (the last minute at ~1,000/s), 25 % pending, 5 % failed; every tenth an SMS.
INSERT INTO deliveries (organization_id, channel, purpose, idempotency_key, message_id, status, sent_at,
                        send_id, notice_version_id, locale, kind, attempts)
SELECT '00000000-0000-0000-0000-00000000000a', CASE WHEN g % 10 = 0 THEN 'sms' ELSE 'email' END, 'notice',
       'k' || g, '<' || g || '@bench>',
       CASE WHEN g <= 700000 THEN 'sent' WHEN g <= 950000 THEN 'pending' ELSE 'failed' END,
       CASE WHEN g <= 700000 THEN now() - make_interval(secs => (700000 - g) / 1000.0) END,
       :s, gen_random_uuid(), 'en', 'mandatory', 1
FROM generate_series(1, 1000000) g;
ANALYZE deliveries;
\echo '== before: the totals and the rate counted over the rows (not vacuumed: as while sending)'
EXPLAIN (ANALYZE, BUFFERS) SELECT channel, status, count(*)::int FROM deliveries WHERE send_id = :s GROUP BY channel, status;
EXPLAIN (ANALYZE, BUFFERS) SELECT count(*)::int, min(sent_at) FROM deliveries
  WHERE send_id = :s AND status = 'sent' AND sent_at > now() - interval '60 seconds';
\echo '== the best a count can do: index-only scan of deliveries_send after VACUUM (status only)'
VACUUM deliveries;
SET max_parallel_workers_per_gather = 0;
EXPLAIN (ANALYZE, BUFFERS) SELECT status, count(*)::int FROM deliveries WHERE send_id = :s GROUP BY status;
RESET max_parallel_workers_per_gather;
\echo '== the trigger on a claim-sized statement (100 rows), six in one session'
BEGIN;
CREATE TEMP TABLE claim AS SELECT id, (row_number() OVER ()) / 100 AS b FROM deliveries WHERE status = 'pending' LIMIT 600;
EXPLAIN (ANALYZE) UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id IN (SELECT id FROM claim WHERE b = 0);
EXPLAIN (ANALYZE) UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id IN (SELECT id FROM claim WHERE b = 1);
EXPLAIN (ANALYZE) UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id IN (SELECT id FROM claim WHERE b = 2);
EXPLAIN (ANALYZE) UPDATE deliveries SET status = 'sent', sent_at = now() WHERE id IN (SELECT id FROM claim WHERE b = 0);
EXPLAIN (ANALYZE) UPDATE deliveries SET status = 'sent', sent_at = now() WHERE id IN (SELECT id FROM claim WHERE b = 1);
EXPLAIN (ANALYZE) UPDATE deliveries SET status = 'sent', sent_at = now() WHERE id IN (SELECT id FROM claim WHERE b = 2);
ROLLBACK;
\echo '== after: the counts, unfolded worst case (80,000 rows: 20,000 statements over 1,000 s)'
INSERT INTO delivery_counts (organization_id, send_id, channel, status, n, at)
SELECT '00000000-0000-0000-0000-00000000000a', :s, c, st, CASE WHEN g % 2 = 0 THEN 50 ELSE -50 END,
       now() - make_interval(secs => g / 20.0)
FROM generate_series(1, 20000) g, (VALUES ('email'), ('sms')) ch(c), (VALUES ('sending'), ('sent')) x(st);
ANALYZE delivery_counts;
EXPLAIN ANALYZE SELECT channel, status, sum(n)::int FROM delivery_counts WHERE send_id = :s
  GROUP BY channel, status HAVING sum(n) <> 0;
EXPLAIN ANALYZE SELECT coalesce(sum(n), 0)::int, min(at) FROM delivery_counts
  WHERE send_id = :s AND status = 'sent' AND n > 0 AND at > now() - interval '60 seconds';
\echo '== the first fold (rows older than 90 s), then the same reads'
WITH gone AS (DELETE FROM delivery_counts WHERE send_id = :s AND at < now() - interval '90 seconds'
              RETURNING organization_id, channel, status, n, at)
INSERT INTO delivery_counts (organization_id, send_id, channel, status, n, at)
SELECT organization_id, :s, channel, status, sum(n), max(at) FROM gone GROUP BY 1, 3, 4 HAVING sum(n) <> 0;
SELECT count(*) AS rows_left FROM delivery_counts WHERE send_id = :s;
EXPLAIN ANALYZE SELECT channel, status, sum(n)::int FROM delivery_counts WHERE send_id = :s
  GROUP BY channel, status HAVING sum(n) <> 0;
\echo '== a fold a second later (what each computation does)'
EXPLAIN ANALYZE WITH gone AS (DELETE FROM delivery_counts WHERE send_id = :s AND at < now() - interval '89 seconds'
              RETURNING organization_id, channel, status, n, at)
INSERT INTO delivery_counts (organization_id, send_id, channel, status, n, at)
SELECT organization_id, :s, channel, status, sum(n), max(at) FROM gone GROUP BY 1, 3, 4 HAVING sum(n) <> 0;
\echo '== the counts agree with the rows'
SELECT (SELECT json_agg(r ORDER BY r) FROM (SELECT channel, status, count(*)::int AS n FROM deliveries WHERE send_id = :s GROUP BY 1, 2) r)::text
     = (SELECT json_agg(c ORDER BY c) FROM (SELECT channel, status, sum(n)::int AS n FROM delivery_counts WHERE send_id = :s GROUP BY 1, 2 HAVING sum(n) <> 0) c)::text AS counts_agree;
