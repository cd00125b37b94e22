-- 0003: indexes for the inspection list (newest first, by hall, status,
-- supervisor or staff member) and for counting repeat offences.
-- id is the last column so that ties on started_at sort without a temporary
-- b-tree.

CREATE INDEX inspections_started ON inspections(started_at, id);
CREATE INDEX inspections_hall_started ON inspections(hall_id, started_at, id);
CREATE INDEX inspections_status_started ON inspections(status, started_at, id);
CREATE INDEX inspections_supervisor_started ON inspections(supervisor_id, started_at, id);
CREATE INDEX inspections_standard ON inspections(standard_version);

-- A member of staff is one person per inspection: the findings about them are
-- the findings of that one observation. This index also finds a staff member's
-- observations for repeat offences and the list filtered by staff.
CREATE UNIQUE INDEX observed_people_staff ON observed_people(staff_id, inspection_id);

-- Repeat offences: a person's findings by item. It also serves the
-- (inspection_id, person_id) foreign key from findings when a person is removed.
CREATE INDEX findings_person_item ON findings(person_id, item_id);

CREATE INDEX amendments_inspection ON amendments(inspection_id, at);
CREATE INDEX staff_hall ON staff(hall_id);
