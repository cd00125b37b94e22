-- 0004: the hub's side of sync: device tokens and enrolment codes, what each
-- device delivered and when the hub received it, the photos each record
-- expects, conflicts, and the change log that tablets pull master data by.
-- Never edit this file once shipped: add a new migration instead.

-- Only a hash of a device's token is kept: a copy of the database (a backup)
-- must not let anyone act as a tablet.
ALTER TABLE devices ADD COLUMN token_hash TEXT;
ALTER TABLE devices ADD COLUMN enrolled_at INTEGER;
ALTER TABLE devices ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;
CREATE UNIQUE INDEX devices_token ON devices(token_hash) WHERE token_hash IS NOT NULL;

-- A one-time enrolment code, also kept only as a hash. nonce_hash is the
-- tablet's own secret from the first redemption: the same tablet may redeem
-- again (its answer was lost on a bad network) until the code expires, anyone
-- else may not.
CREATE TABLE sync_enrolments (
    code_hash  TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    nonce_hash TEXT
) STRICT;

-- Every device that delivered a record gets a row, so that each device's
-- receipt covers what it sent even when another device sent it first.
-- received_at is the hub's clock; clock_offset_ms is the device's offset from
-- the hub's clock as measured at its previous sync (device minus hub).
CREATE TABLE sync_received (
    device_id       TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('inspection', 'amendment')),
    seal_hash       TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    clock_offset_ms INTEGER,
    PRIMARY KEY (device_id, record_id)
) STRICT;
CREATE INDEX sync_received_record ON sync_received(record_id);

-- The photo manifest of each record held: a record is complete when every
-- photo listed here is stored and verified.
CREATE TABLE sync_record_photos (
    record_id TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    type      TEXT NOT NULL,
    PRIMARY KEY (record_id, sha256)
) STRICT;
CREATE INDEX sync_record_photos_sha ON sync_record_photos(sha256);

-- The same UUID received with another seal: kept for a person to look at.
CREATE TABLE sync_conflicts (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    held_hash     TEXT NOT NULL,
    received_hash TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    first_at      INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (record_id, received_hash, device_id)
) STRICT;

-- The master-data change log. Triggers write it, so no code path that changes
-- master data can forget to; SQLite's single writer assigns seq under one
-- lock, so a reader never sees seq n+1 committed before n (on PostgreSQL this
-- needs an explicit lock). region_id NULL means every region.
CREATE TABLE sync_changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL CHECK (kind IN ('region', 'hall', 'staff', 'user', 'standard')),
    entity_id TEXT NOT NULL,
    region_id TEXT
) STRICT;
CREATE INDEX sync_changes_region ON sync_changes(region_id, seq);

CREATE TRIGGER sync_regions_insert AFTER INSERT ON regions BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('region', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_regions_update AFTER UPDATE ON regions BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('region', NEW.id, NEW.id);
END;
CREATE TRIGGER sync_regions_delete AFTER DELETE ON regions BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('region', OLD.id, OLD.id);
END;

CREATE TRIGGER sync_halls_insert AFTER INSERT ON halls BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('hall', NEW.id, NEW.region_id);
END;
-- A hall that moves to another region leaves the old one (a tombstone there)
-- and takes its staff along.
CREATE TRIGGER sync_halls_update AFTER UPDATE ON halls BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('hall', NEW.id, NEW.region_id);
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'hall', OLD.id, OLD.region_id WHERE OLD.region_id IS NOT NEW.region_id;
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'staff', s.id, r.region_id FROM staff s,
            (SELECT OLD.region_id AS region_id UNION SELECT NEW.region_id) r
        WHERE s.hall_id = NEW.id AND OLD.region_id IS NOT NEW.region_id;
END;
CREATE TRIGGER sync_halls_delete AFTER DELETE ON halls BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('hall', OLD.id, OLD.region_id);
END;

CREATE TRIGGER sync_staff_insert AFTER INSERT ON staff BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'staff', NEW.id, region_id FROM halls WHERE id = NEW.hall_id;
END;
-- A roster import rewrites every row it names; only a real change is logged,
-- or every import would make every tablet download the whole roster.
CREATE TRIGGER sync_staff_update AFTER UPDATE ON staff
WHEN OLD.employee_no IS NOT NEW.employee_no OR OLD.name IS NOT NEW.name
  OR OLD.gender IS NOT NEW.gender OR OLD.role IS NOT NEW.role OR OLD.badge IS NOT NEW.badge
  OR OLD.hall_id IS NOT NEW.hall_id OR OLD.active_from IS NOT NEW.active_from
  OR OLD.active_to IS NOT NEW.active_to
BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'staff', NEW.id, region_id FROM halls WHERE id = NEW.hall_id;
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'staff', OLD.id, h.region_id FROM halls h
        WHERE h.id = OLD.hall_id
          AND h.region_id IS NOT (SELECT region_id FROM halls WHERE id = NEW.hall_id);
END;
CREATE TRIGGER sync_staff_delete AFTER DELETE ON staff BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'staff', OLD.id, region_id FROM halls WHERE id = OLD.hall_id;
END;

CREATE TRIGGER sync_users_insert AFTER INSERT ON users BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('user', NEW.id, NEW.region_id);
END;
CREATE TRIGGER sync_users_update AFTER UPDATE ON users BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('user', NEW.id, NEW.region_id);
    INSERT INTO sync_changes (kind, entity_id, region_id)
        SELECT 'user', OLD.id, OLD.region_id WHERE OLD.region_id IS NOT NEW.region_id;
END;
CREATE TRIGGER sync_users_delete AFTER DELETE ON users BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('user', OLD.id, OLD.region_id);
END;

CREATE TRIGGER sync_standards_insert AFTER INSERT ON standards BEGIN
    INSERT INTO sync_changes (kind, entity_id, region_id) VALUES ('standard', CAST(NEW.version AS TEXT), NULL);
END;

-- What the database held before this migration is a change too: the first
-- pull must bring it.
INSERT INTO sync_changes (kind, entity_id, region_id) SELECT 'region', id, id FROM regions ORDER BY id;
INSERT INTO sync_changes (kind, entity_id, region_id) SELECT 'hall', id, region_id FROM halls ORDER BY id;
INSERT INTO sync_changes (kind, entity_id, region_id)
    SELECT 'staff', s.id, h.region_id FROM staff s JOIN halls h ON h.id = s.hall_id ORDER BY s.id;
INSERT INTO sync_changes (kind, entity_id, region_id) SELECT 'user', id, region_id FROM users ORDER BY id;
INSERT INTO sync_changes (kind, entity_id, region_id)
    SELECT 'standard', CAST(version AS TEXT), NULL FROM standards ORDER BY version;
