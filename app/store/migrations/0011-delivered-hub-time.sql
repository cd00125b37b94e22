-- 0011: a tablet's delivered marks are dated by the hub's clock (the
-- receipt's time) from this version on, and the photo retention is counted
-- by it. Marks written before were dated by the tablet's own clock; each is
-- brought to the hub's by the offset its record was queued with, the best
-- measure the tablet has of how far its clock was off then.
UPDATE sync_outbox SET delivered_at = delivered_at - clock_offset_ms
WHERE delivered_at IS NOT NULL AND clock_offset_ms IS NOT NULL;
