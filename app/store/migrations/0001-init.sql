-- 0001: the tables. Times are INTEGER unix milliseconds UTC; IDs are UUIDv7 text.
-- Never edit this file once shipped: add a new migration instead.

CREATE TABLE regions (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE halls (
    id         TEXT PRIMARY KEY,
    region_id  TEXT NOT NULL REFERENCES regions(id),
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
) STRICT;

-- Role and gender are checked in Go, not here, so that a new role in a
-- standard version needs no migration.
CREATE TABLE staff (
    id          TEXT PRIMARY KEY,
    employee_no TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    gender      TEXT NOT NULL,
    role        TEXT NOT NULL,
    badge       TEXT NOT NULL DEFAULT '',
    hall_id     TEXT NOT NULL REFERENCES halls(id),
    active_from INTEGER NOT NULL,
    active_to   INTEGER -- NULL: active
) STRICT;

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    username   TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('supervisor', 'manager')),
    region_id  TEXT REFERENCES regions(id),
    pin_hash   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) STRICT;

CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    region_id  TEXT REFERENCES regions(id),
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- body is the file exactly as imported, so a report can always show the
-- standard an inspection was judged by.
CREATE TABLE standards (
    version     INTEGER PRIMARY KEY CHECK (version > 0),
    hash        TEXT NOT NULL,
    body        BLOB NOT NULL,
    imported_at INTEGER NOT NULL
) STRICT;

-- supervisor_id and device_id are not foreign keys: a hub must be able to hold
-- a sealed record whatever the state of its master data.
CREATE TABLE inspections (
    id               TEXT PRIMARY KEY,
    hall_id          TEXT NOT NULL REFERENCES halls(id),
    supervisor_id    TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    standard_version INTEGER NOT NULL REFERENCES standards(version),
    started_at       INTEGER NOT NULL,
    ended_at         INTEGER,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'sealed')),
    sealed_at        INTEGER,
    seal_hash        TEXT,
    CHECK (status = 'draft' AND sealed_at IS NULL AND seal_hash IS NULL
        OR status = 'sealed' AND sealed_at IS NOT NULL AND ended_at IS NOT NULL
           AND length(seal_hash) = 64)
) STRICT;

-- staff_id is not a foreign key for the same reason as supervisor_id: the
-- observation records what the supervisor saw.
CREATE TABLE observed_people (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    staff_id      TEXT,
    off_roster    INTEGER NOT NULL CHECK (off_roster IN (0, 1)),
    employee_no   TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    badge         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL DEFAULT '',
    gender        TEXT NOT NULL DEFAULT '',
    UNIQUE (inspection_id, position),
    UNIQUE (inspection_id, id) -- target of the findings foreign key
) STRICT;

-- person_id NULL is a hall finding. NULLs never collide in a UNIQUE
-- constraint, so uniqueness per subject and item is the expression index
-- findings_subject_item below.
CREATE TABLE findings (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    person_id     TEXT,
    item_id       TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('nonconform', 'na', 'tally')),
    observed      INTEGER NOT NULL DEFAULT 0 CHECK (observed >= 0),
    failed        INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    note          TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL,
    FOREIGN KEY (inspection_id, person_id)
        REFERENCES observed_people(inspection_id, id) ON DELETE CASCADE
) STRICT;

CREATE UNIQUE INDEX findings_subject_item
    ON findings(inspection_id, ifnull(person_id, ''), item_id);

-- Not a foreign key to photos: a hub receives records before their photos.
CREATE TABLE finding_photos (
    finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    type       TEXT NOT NULL,
    at         INTEGER,
    PRIMARY KEY (finding_id, sha256)
) STRICT;

CREATE TABLE signatures (
    inspection_id TEXT NOT NULL REFERENCES inspections(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('supervisor', 'staff')),
    person_id     TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    image_sha256  TEXT,
    image_size    INTEGER,
    image_type    TEXT,
    image_at      INTEGER,
    disagreement  TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL,
    PRIMARY KEY (inspection_id, role, person_id)
) STRICT;

CREATE TABLE amendments (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections(id),
    original_hash TEXT NOT NULL,
    reason        TEXT NOT NULL,
    author_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    at            INTEGER NOT NULL,
    changes       BLOB NOT NULL,
    seal_hash     TEXT NOT NULL
) STRICT;

CREATE TABLE photos (
    sha256    TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    type      TEXT NOT NULL,
    stored_at INTEGER NOT NULL
) STRICT;
