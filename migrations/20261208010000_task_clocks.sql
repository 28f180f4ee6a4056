-- Plans serve the law: a task is due its plan's offset after the incident's awareness, and a
-- task tied to a legal clock before that clock runs out. Open tasks are rescheduled when
-- awareness or a clock moves, so each keeps its offset and its clock.
ALTER TABLE incident_tasks
  ADD COLUMN due_after_minutes integer CHECK (due_after_minutes >= 0),
  -- The deadline rule (deadline_clocks.rule_id) whose clock the task must beat; NULL for none.
  ADD COLUMN clock_rule text CHECK (clock_rule ~ '^[a-z0-9_]{1,64}$');

-- Tasks started before this counted from the declaration: their offset is what their due time says.
UPDATE incident_tasks t
SET due_after_minutes = greatest(0, round(extract(epoch FROM t.due_at - i.created_at) / 60))::integer
FROM incidents i
WHERE i.id = t.incident_id;

ALTER TABLE incident_tasks ALTER COLUMN due_after_minutes SET NOT NULL;
