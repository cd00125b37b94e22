-- What a staff member was shown when they signed or declined: a digest of
-- their findings at that moment (flow computes it). The review compares it
-- with their findings now and asks them again when any finding was added,
-- removed or edited since, including a note or a count. It is not part of
-- the sealed record (the seal covers the findings themselves) and stays NULL
-- for supervisors, for records received from other devices and for
-- signatures made before this migration.
ALTER TABLE signatures ADD COLUMN findings_seen TEXT;
