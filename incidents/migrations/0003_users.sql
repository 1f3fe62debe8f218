-- Users, their sessions and login attempts: sign-in for the live console.
-- The raw session token lives only in the browser's cookie; the table keeps its SHA-256.

CREATE TABLE users (
    id             text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_.-]{1,63}$'),
    display_name   text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    role           text        NOT NULL CHECK (
                       role IN ('duty_officer', 'onsite_staff', 'commander', 'admin', 'viewer')),
    password_hash  text        NOT NULL,
    language       text        NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id_hash       text        PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    user_id       text        NOT NULL REFERENCES users (id),
    csrf_token    text        NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- ok: true = signed in, false = refused, NULL = being checked right now (counts as a failure,
-- so that parallel guesses cannot slip past the limit).
CREATE TABLE login_attempts (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login    text        NOT NULL,
    address  text        NOT NULL,
    at       timestamptz NOT NULL,
    ok       boolean
);
CREATE INDEX login_attempts_by_login ON login_attempts (login, at);
CREATE INDEX login_attempts_by_address ON login_attempts (address, at);
CREATE INDEX login_attempts_by_time ON login_attempts (at);

REVOKE ALL ON users, sessions, login_attempts FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON users, sessions TO watchfloor_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempts TO watchfloor_app;
