-- 0010: every master-data change gets a random tag, which the tablets'
-- cursors carry with its number. A hub database rolled back in place (a disk
-- or VM snapshot, a copy put back without dudao-hub backup) keeps its epoch
-- and hands out again change numbers its tablets have seen; a cursor whose
-- number now names a change with another tag, or none, is from a state the
-- hub lost, and the hub starts that tablet's pull over. Changes made before
-- this migration keep the tag 0.
ALTER TABLE sync_changes ADD COLUMN tag INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER sync_changes_tag AFTER INSERT ON sync_changes
BEGIN
    UPDATE sync_changes SET tag = random() WHERE seq = NEW.seq;
END;
