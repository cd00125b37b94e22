-- 0005: the tablet's side of sync: the state of every sealed record on its
-- way to the hub. A record is delivered only when a receipt signed by the hub
-- says the hub holds it with all its photos; quarantined records (the hub
-- holds another record under the same UUID) wait for a person, never for a
-- retry loop. Never edit this file once shipped: add a new migration instead.

CREATE TABLE sync_outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('inspection', 'amendment')),
    seal_hash       TEXT NOT NULL,
    state           TEXT NOT NULL
                    CHECK (state IN ('sealed', 'sent', 'delivered', 'parked', 'quarantined')),
    reason_code     TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    held_hash       TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    photos_expected INTEGER NOT NULL DEFAULT 0,
    photos_present  INTEGER NOT NULL DEFAULT 0,
    clock_offset_ms INTEGER,
    queued_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    receipt_epoch   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sync_outbox_state ON sync_outbox(state, queued_at);
