-- The append-only, hash-chained event log, its board projection and idempotency keys.

DO $$
BEGIN
    CREATE ROLE watchfloor_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- The migrating user must be able to act as the app role (a superuser always can).
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT watchfloor_app TO %I', current_user);
    END IF;
END
$$;

CREATE TABLE incidents (
    id          uuid PRIMARY KEY,
    type        text        NOT NULL,
    level       text        NOT NULL,
    status      text        NOT NULL,
    location    text        NOT NULL,
    headcount   integer     NOT NULL,
    opened_at   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    last_seq    integer     NOT NULL,
    head_hash   text        NOT NULL,
    state       jsonb       NOT NULL
);
CREATE INDEX incidents_open ON incidents (opened_at DESC) WHERE status <> 'closed';

CREATE TABLE events (
    incident_id  uuid        NOT NULL REFERENCES incidents (id),
    seq          integer     NOT NULL CHECK (seq >= 1),
    occurred_at  timestamptz NOT NULL,
    recorded_by  text        NOT NULL,
    kind         text        NOT NULL,
    payload      jsonb       NOT NULL,
    prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (incident_id, seq)
);

CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();

CREATE TABLE command_keys (
    key          text PRIMARY KEY CHECK (length(key) BETWEEN 8 AND 200),
    fingerprint  text        NOT NULL,
    incident_id  uuid,
    result       jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);

REVOKE ALL ON incidents, events, command_keys FROM PUBLIC;
GRANT SELECT, INSERT ON events TO watchfloor_app;
GRANT SELECT, INSERT, UPDATE ON incidents, command_keys TO watchfloor_app;
