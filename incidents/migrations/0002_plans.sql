-- Plans are stored once (by their playbook hash), not in every incident's snapshot:
-- the snapshot is rewritten on each command and should stay small.
CREATE TABLE plans (
    hash  text PRIMARY KEY,
    plan  jsonb NOT NULL
);
ALTER TABLE incidents ADD COLUMN plan_hash text REFERENCES plans (hash);
REVOKE ALL ON plans FROM PUBLIC;
GRANT SELECT, INSERT ON plans TO watchfloor_app;
