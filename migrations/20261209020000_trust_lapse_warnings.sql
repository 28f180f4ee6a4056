-- Warnings before a public promise lapses (issue 15, item 2). The promise readers see is the
-- next_update_by of a page's newest published update; staff are warned 30 minutes before it, and
-- once it has passed. One row per (update, threshold): a table rather than a column on
-- trust_updates, since a promise has two warnings, a published update stays immutable (its guard
-- trigger is untouched), and the unique key decides which of two workers sends.
CREATE TABLE trust_lapse_warnings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  update_id uuid NOT NULL REFERENCES trust_updates (id) ON DELETE CASCADE,
  threshold text NOT NULL CHECK (threshold IN ('soon', 'lapsed')),
  -- The promised instant warned about (a published update's never changes).
  due_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (update_id, threshold)
);
SELECT candor_enable_tenancy('trust_lapse_warnings');
SELECT candor_enable_incident_visibility('trust_lapse_warnings');
GRANT SELECT, INSERT ON trust_lapse_warnings TO candor_app;

-- A page's newest published update, found by one index probe per page.
CREATE INDEX trust_updates_newest_published ON trust_updates (page_id, published_at DESC, id DESC)
  WHERE state = 'published';

-- The lapse check, every minute: the organizations with a promise to readers (the newest published
-- update of a published page of a real incident, with a next update promised) due within 30
-- minutes of p_now or already past, and not yet warned about for that threshold. The check itself
-- then runs inside each organization. p_now is the caller's clock.
CREATE FUNCTION candor_trust_lapse_organizations(p_now timestamptz) RETURNS TABLE (organization_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT p.organization_id
    FROM trust_incident_pages p
    JOIN incidents i ON i.id = p.incident_id AND NOT i.is_exercise
    CROSS JOIN LATERAL (
      SELECT u.id, u.next_update_by FROM trust_updates u
       WHERE u.page_id = p.id AND u.state = 'published'
       ORDER BY u.published_at DESC, u.id DESC LIMIT 1
    ) l
   WHERE p.first_published_at IS NOT NULL
     AND l.next_update_by IS NOT NULL AND l.next_update_by <= p_now + interval '30 minutes'
     AND NOT EXISTS (
       SELECT 1 FROM trust_lapse_warnings w
        WHERE w.update_id = l.id AND w.threshold = CASE WHEN l.next_update_by <= p_now THEN 'lapsed' ELSE 'soon' END)
$$;
REVOKE ALL ON FUNCTION candor_trust_lapse_organizations(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION candor_trust_lapse_organizations(timestamptz) TO candor_app;
