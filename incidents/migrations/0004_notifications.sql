-- Notification outbox and escalation timers: rows written in the command's own transaction,
-- taken by workers on any node with FOR UPDATE SKIP LOCKED and a lease, so that a restart
-- loses nothing and two nodes never work on the same row at once.

CREATE TABLE notification_outbox (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id      uuid        NOT NULL REFERENCES incidents (id),
    notification     text        NOT NULL,
    round            integer     NOT NULL CHECK (round >= 0),
    unit             text        NOT NULL,
    contact          integer     NOT NULL,  -- index in the unit's contacts; -1: no contact
    contact_name     text        NOT NULL,
    channel          text        NOT NULL,
    address          text        NOT NULL,
    language         text        NOT NULL,
    idempotency_key  text        NOT NULL UNIQUE,  -- the same on every attempt of one message
    attempt          integer     NOT NULL DEFAULT 0,  -- attempts whose result is recorded
    next_attempt_at  timestamptz NOT NULL,
    lease_until      timestamptz,
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'done', 'failed')),
    last_error       text,
    created_at       timestamptz NOT NULL
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX notification_outbox_incident ON notification_outbox (incident_id);

CREATE TABLE notification_timers (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id   uuid        NOT NULL REFERENCES incidents (id),
    notification  text        NOT NULL,
    step          text        NOT NULL CHECK (step IN ('renotify', 'next_contact', 'alert')),
    due_at        timestamptz NOT NULL,
    lease_until   timestamptz,
    fired_at      timestamptz,
    outcome       text,
    UNIQUE (incident_id, notification, step)
);
CREATE INDEX notification_timers_due ON notification_timers (due_at) WHERE fired_at IS NULL;

REVOKE ALL ON notification_outbox, notification_timers FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON notification_outbox, notification_timers TO watchfloor_app;
