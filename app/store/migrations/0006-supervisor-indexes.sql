-- The app's start screens ask for one supervisor's drafts, and for the
-- supervisor's latest inspection in each hall. With only the
-- (supervisor_id, started_at) index, both walk every inspection the
-- supervisor ever made to find a few rows; these answer them directly.
CREATE INDEX inspections_supervisor_status_started ON inspections(supervisor_id, status, started_at, id);
CREATE INDEX inspections_hall_supervisor_started ON inspections(hall_id, supervisor_id, started_at, id);
