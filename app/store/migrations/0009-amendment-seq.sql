-- An amendment's place among its inspection's amendments, counted by the
-- device that made it (inspect.Amendment.Seq): the order amendments apply
-- in, which a device's clock (at) cannot be trusted with. Amendments made
-- before this migration keep 0 and the order of their times.
ALTER TABLE amendments ADD COLUMN seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0);
