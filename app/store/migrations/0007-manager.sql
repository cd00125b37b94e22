-- 0007: the manager's desktop. Devices learn which manager a desktop is bound
-- to and what each tablet said at its last sync; off-roster observations can
-- be linked to roster entries beside the sealed record; and every sealed
-- inspection gets one row of derived facts (inspection_index) so that the
-- manager's list filters and counts 100,000 inspections in milliseconds.
-- Never edit this file once shipped: add a new migration instead.

-- user_id is set for a manager's desktop (the manager it is bound to), NULL
-- for a tablet. pending_count NULL means the device has not said.
ALTER TABLE devices ADD COLUMN user_id TEXT REFERENCES users(id);
ALTER TABLE devices ADD COLUMN last_sync_at INTEGER;
ALTER TABLE devices ADD COLUMN pending_count INTEGER;

-- A manager's statement that an off-roster person observed in a sealed
-- inspection is this roster entry. The sealed record is not touched; the link
-- is kept beside it with who made it and when, one per observed person, and
-- never changes (the message maps to ErrConflict). linked_by is the manager
-- the link is made for; recorded_by says who entered it when that was not
-- the manager at their own desk (the hub's operator with dudao-hub staff
-- link), '' when it was.
CREATE TABLE offroster_links (
    person_id     TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL,
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    linked_by     TEXT NOT NULL REFERENCES users(id),
    linked_at     INTEGER NOT NULL,
    recorded_by   TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (inspection_id, person_id) REFERENCES observed_people(inspection_id, id)
) STRICT;
CREATE INDEX offroster_links_staff ON offroster_links(staff_id, inspection_id);
-- The attention list reads the few off-roster observations among many.
CREATE INDEX observed_people_off_roster ON observed_people(inspection_id) WHERE off_roster = 1;

CREATE TRIGGER offroster_links_no_update BEFORE UPDATE ON offroster_links
BEGIN
    SELECT RAISE(ABORT, 'off-roster link is immutable');
END;
CREATE TRIGGER offroster_links_no_delete BEFORE DELETE ON offroster_links
BEGIN
    SELECT RAISE(ABORT, 'off-roster link is immutable');
END;

-- The photos each sealed inspection references (findings and signature
-- images, written when it is sealed; its amendments' photos, added when it
-- is graded), each once: what "photos expected" counts, and which regions may
-- see a photo.
CREATE TABLE inspection_photos (
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    type          TEXT NOT NULL,
    PRIMARY KEY (inspection_id, sha256)
) STRICT;
CREATE INDEX inspection_photos_sha ON inspection_photos(sha256);

-- One row per sealed inspection. The triggers below keep the location, the
-- time and the photo counts; the grade comes from Go (scoring needs the
-- standard), so graded = 0 marks a row that store.RefreshInspectionIndex
-- must (re)compute: a new row, or one whose inspection got an amendment.
-- photos_present counts rows of photos, which PutPhoto and a completed hub
-- upload write.
CREATE TABLE inspection_index (
    inspection_id    TEXT PRIMARY KEY REFERENCES inspections(id),
    region_id        TEXT NOT NULL,
    hall_id          TEXT NOT NULL,
    supervisor_id    TEXT NOT NULL,
    standard_version INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    photos_expected  INTEGER NOT NULL DEFAULT 0,
    photos_present   INTEGER NOT NULL DEFAULT 0,
    graded           INTEGER NOT NULL DEFAULT 0 CHECK (graded IN (0, 1)),
    -- The rest is of the effective record (amendments applied), as graded.
    amendments       INTEGER NOT NULL DEFAULT 0,
    people           INTEGER NOT NULL DEFAULT 0,
    findings         INTEGER NOT NULL DEFAULT 0,
    scored           INTEGER NOT NULL DEFAULT 0 CHECK (scored IN (0, 1)),
    score            REAL NOT NULL DEFAULT 0,
    grade            TEXT NOT NULL DEFAULT ''
) STRICT;
-- Newest first within each filter; inspection_id breaks ties, as in 0003.
CREATE INDEX inspection_index_started ON inspection_index(started_at, inspection_id);
CREATE INDEX inspection_index_region ON inspection_index(region_id, started_at, inspection_id);
CREATE INDEX inspection_index_hall ON inspection_index(hall_id, started_at, inspection_id);
-- region_id last: a regional manager's supervisor filter checks the region
-- in the index, without reading the table.
CREATE INDEX inspection_index_supervisor ON inspection_index(supervisor_id, started_at, inspection_id, region_id);
CREATE INDEX inspection_index_grade ON inspection_index(grade, started_at, inspection_id);
-- A regional manager's grade filter counts a grade's rows of one region
-- without reading the table (most rows share the best grade).
CREATE INDEX inspection_index_region_grade ON inspection_index(region_id, grade, started_at, inspection_id);
CREATE INDEX inspection_index_incomplete ON inspection_index(started_at, inspection_id)
    WHERE photos_present < photos_expected;
CREATE INDEX inspection_index_ungraded ON inspection_index(inspection_id) WHERE graded = 0;

-- Each observed person's own score in the effective record, written with
-- the inspection's grade: a person's history without re-scoring it, and the
-- list filtered by person in the order it is shown. staff_id is the roster
-- entry observed, or the one an off-roster observation was linked to (NULL
-- until then); started_at and region_id are the inspection's.
CREATE TABLE graded_people (
    person_id     TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    staff_id      TEXT,
    started_at    INTEGER NOT NULL,
    region_id     TEXT NOT NULL,
    scored        INTEGER NOT NULL CHECK (scored IN (0, 1)),
    score         REAL NOT NULL,
    grade         TEXT NOT NULL,
    offences      INTEGER NOT NULL
) STRICT;
CREATE INDEX graded_people_inspection ON graded_people(inspection_id);
CREATE INDEX graded_people_staff ON graded_people(staff_id, started_at, inspection_id, region_id);

CREATE TRIGGER inspection_index_sealed AFTER UPDATE OF status ON inspections
WHEN OLD.status = 'draft' AND NEW.status = 'sealed'
BEGIN
    INSERT OR IGNORE INTO inspection_photos (inspection_id, sha256, size, type)
        SELECT NEW.id, fp.sha256, fp.size, fp.type
        FROM findings f JOIN finding_photos fp ON fp.finding_id = f.id
        WHERE f.inspection_id = NEW.id;
    INSERT OR IGNORE INTO inspection_photos (inspection_id, sha256, size, type)
        SELECT NEW.id, image_sha256, ifnull(image_size, 0), ifnull(image_type, '')
        FROM signatures WHERE inspection_id = NEW.id AND image_sha256 IS NOT NULL;
    INSERT INTO inspection_index (inspection_id, region_id, hall_id, supervisor_id, standard_version,
            started_at, photos_expected, photos_present)
        SELECT NEW.id, h.region_id, NEW.hall_id, NEW.supervisor_id, NEW.standard_version, NEW.started_at,
            (SELECT count(*) FROM inspection_photos WHERE inspection_id = NEW.id),
            (SELECT count(*) FROM inspection_photos ip JOIN photos p ON p.sha256 = ip.sha256
             WHERE ip.inspection_id = NEW.id)
        FROM halls h WHERE h.id = NEW.hall_id;
END;

CREATE TRIGGER inspection_index_amended AFTER INSERT ON amendments
BEGIN
    UPDATE inspection_index SET graded = 0 WHERE inspection_id = NEW.inspection_id;
END;

CREATE TRIGGER inspection_index_photo_held AFTER INSERT ON photos
BEGIN
    UPDATE inspection_index SET photos_present = photos_present + 1
    WHERE inspection_id IN (SELECT inspection_id FROM inspection_photos WHERE sha256 = NEW.sha256);
END;

CREATE TRIGGER inspection_index_photo_gone AFTER DELETE ON photos
BEGIN
    UPDATE inspection_index SET photos_present = photos_present - 1
    WHERE inspection_id IN (SELECT inspection_id FROM inspection_photos WHERE sha256 = OLD.sha256);
END;

-- A hall moved to another region takes its inspections along.
CREATE TRIGGER inspection_index_hall_region AFTER UPDATE OF region_id ON halls
WHEN OLD.region_id IS NOT NEW.region_id
BEGIN
    UPDATE inspection_index SET region_id = NEW.region_id WHERE hall_id = NEW.id;
    UPDATE graded_people SET region_id = NEW.region_id
    WHERE inspection_id IN (SELECT inspection_id FROM inspection_index WHERE hall_id = NEW.id);
END;

-- What was sealed before this migration. Everything starts ungraded.
INSERT OR IGNORE INTO inspection_photos (inspection_id, sha256, size, type)
    SELECT f.inspection_id, fp.sha256, fp.size, fp.type
    FROM inspections i JOIN findings f ON f.inspection_id = i.id JOIN finding_photos fp ON fp.finding_id = f.id
    WHERE i.status = 'sealed';
INSERT OR IGNORE INTO inspection_photos (inspection_id, sha256, size, type)
    SELECT s.inspection_id, s.image_sha256, ifnull(s.image_size, 0), ifnull(s.image_type, '')
    FROM inspections i JOIN signatures s ON s.inspection_id = i.id
    WHERE i.status = 'sealed' AND s.image_sha256 IS NOT NULL;
INSERT INTO inspection_index (inspection_id, region_id, hall_id, supervisor_id, standard_version,
        started_at, photos_expected, photos_present)
    SELECT i.id, h.region_id, i.hall_id, i.supervisor_id, i.standard_version, i.started_at,
        (SELECT count(*) FROM inspection_photos WHERE inspection_id = i.id),
        (SELECT count(*) FROM inspection_photos ip JOIN photos p ON p.sha256 = ip.sha256
         WHERE ip.inspection_id = i.id)
    FROM inspections i JOIN halls h ON h.id = i.hall_id
    WHERE i.status = 'sealed';
