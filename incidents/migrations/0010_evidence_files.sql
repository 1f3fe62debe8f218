-- Evidence files, kept once by their SHA-256 (the events that attach them hold the hash, so
-- each file is on its incident's chain). Like events: never changed, never deleted.
CREATE TABLE evidence_files (
    sha256        text        PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type  text        NOT NULL,
    size          integer     NOT NULL CHECK (size > 0),
    content       bytea       NOT NULL,
    stored_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT evidence_files_size CHECK (octet_length(content) = size),
    CONSTRAINT evidence_files_hash CHECK (sha256 = encode(sha256(content), 'hex'))
);
-- The bytes are stored apart (TOAST), not compressed: photos and recordings are already.
ALTER TABLE evidence_files ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE FUNCTION evidence_files_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'evidence files are kept as stored: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER evidence_files_no_update BEFORE UPDATE OR DELETE ON evidence_files
    FOR EACH ROW EXECUTE FUNCTION evidence_files_refuse_change();
CREATE TRIGGER evidence_files_no_truncate BEFORE TRUNCATE ON evidence_files
    FOR EACH STATEMENT EXECUTE FUNCTION evidence_files_refuse_change();

REVOKE ALL ON evidence_files FROM PUBLIC;
GRANT SELECT, INSERT ON evidence_files TO watchfloor_app;
