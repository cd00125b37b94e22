-- 0002: sealed records cannot change, enforced by the database itself so that
-- no code path (nor a hand-run UPDATE) can alter them quietly. The Go code maps
-- the messages 'inspection is sealed' and 'amendment is sealed' to
-- inspect.ErrSealed; keep them exactly.

-- A sealed inspection row is frozen; the draft -> sealed update is allowed
-- because OLD.status is still 'draft' then.
CREATE TRIGGER inspections_sealed_update BEFORE UPDATE ON inspections
WHEN OLD.status = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER inspections_sealed_delete BEFORE DELETE ON inspections
WHEN OLD.status = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER observed_people_sealed_insert BEFORE INSERT ON observed_people
WHEN (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER observed_people_sealed_update BEFORE UPDATE ON observed_people
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'sealed'
  OR (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER observed_people_sealed_delete BEFORE DELETE ON observed_people
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER findings_sealed_insert BEFORE INSERT ON findings
WHEN (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER findings_sealed_update BEFORE UPDATE ON findings
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'sealed'
  OR (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER findings_sealed_delete BEFORE DELETE ON findings
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER finding_photos_sealed_insert BEFORE INSERT ON finding_photos
WHEN (SELECT i.status FROM findings f JOIN inspections i ON i.id = f.inspection_id
      WHERE f.id = NEW.finding_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER finding_photos_sealed_update BEFORE UPDATE ON finding_photos
WHEN (SELECT i.status FROM findings f JOIN inspections i ON i.id = f.inspection_id
      WHERE f.id = OLD.finding_id) = 'sealed'
  OR (SELECT i.status FROM findings f JOIN inspections i ON i.id = f.inspection_id
      WHERE f.id = NEW.finding_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER finding_photos_sealed_delete BEFORE DELETE ON finding_photos
WHEN (SELECT i.status FROM findings f JOIN inspections i ON i.id = f.inspection_id
      WHERE f.id = OLD.finding_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER signatures_sealed_insert BEFORE INSERT ON signatures
WHEN (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER signatures_sealed_update BEFORE UPDATE ON signatures
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'sealed'
  OR (SELECT status FROM inspections WHERE id = NEW.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

CREATE TRIGGER signatures_sealed_delete BEFORE DELETE ON signatures
WHEN (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'inspection is sealed');
END;

-- Amendments are sealed from the moment they exist.
CREATE TRIGGER amendments_no_update BEFORE UPDATE ON amendments
BEGIN
    SELECT RAISE(ABORT, 'amendment is sealed');
END;

CREATE TRIGGER amendments_no_delete BEFORE DELETE ON amendments
BEGIN
    SELECT RAISE(ABORT, 'amendment is sealed');
END;

-- A standard version is immutable once imported: inspections are judged by it.
CREATE TRIGGER standards_no_update BEFORE UPDATE ON standards
BEGIN
    SELECT RAISE(ABORT, 'standard version is immutable');
END;

CREATE TRIGGER standards_no_delete BEFORE DELETE ON standards
BEGIN
    SELECT RAISE(ABORT, 'standard version is immutable');
END;
