-- The office's daily routine, kept as office records (not incident events):
-- the duty roster (值班表), the units' daily zero reports (零报告), and the flags raised when
-- a unit has not reported by the hour. A flag row is written once per unit and office day
-- (its primary key), by whichever node gets there first: that node alone notifies.

CREATE TABLE duty_shifts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     text        NOT NULL REFERENCES users (id),
    role        text        NOT NULL CHECK (role IN ('leader', 'officer')),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    ended_by    text,       -- who cut the shift short (ends_at moved to that moment)
    CHECK (ends_at >= starts_at)  -- equal: a future shift called off
);
CREATE INDEX duty_shifts_span ON duty_shifts (ends_at, starts_at);

CREATE TABLE zero_reports (
    unit         text        NOT NULL,
    day          date        NOT NULL,  -- the office day, in WATCHFLOOR_TZ
    status       text        NOT NULL CHECK (status IN ('all_clear', 'situation')),
    text         text        NOT NULL DEFAULT '',
    reported_by  text        NOT NULL,
    reported_at  timestamptz NOT NULL,  -- the first report of the day: lateness is kept
    late         boolean     NOT NULL,
    updated_at   timestamptz NOT NULL,  -- a correction later the same day
    PRIMARY KEY (unit, day)
);

CREATE TABLE zero_report_flags (
    unit         text        NOT NULL,
    day          date        NOT NULL,
    due_at       timestamptz NOT NULL,
    flagged_at   timestamptz NOT NULL,
    notified_at  timestamptz,           -- when the duty officers were told
    notified_to  text[]      NOT NULL DEFAULT '{}',  -- the duty officers on duty then
    PRIMARY KEY (unit, day)
);

REVOKE ALL ON duty_shifts, zero_reports, zero_report_flags FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON duty_shifts, zero_reports, zero_report_flags TO watchfloor_app;
