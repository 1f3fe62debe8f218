-- When each incident's row was last written, by the database's clock: the one clock every
-- node shares, so a node whose own clock lags still finds what another node wrote (heal).
ALTER TABLE incidents ADD COLUMN touched_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE INDEX incidents_touched ON incidents (touched_at);
