-- API tokens for systems (`watchfloor tokens`): only the token's SHA-256 is kept, never the
-- token; a revoked token keeps its row and its name, which stays on the timelines it wrote.
CREATE TABLE api_tokens (
    name        text PRIMARY KEY,
    role        text NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
-- Rows are revoked, never deleted: a timeline's token: name always finds its record.
GRANT SELECT, INSERT, UPDATE ON api_tokens TO watchfloor_app;
