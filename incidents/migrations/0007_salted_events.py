"""Chain format 2: every event gets a salt and is hashed by salted commitments.

A format-1 hash is a plain hash of the payload, and a redacted export had to keep it:
a masked phone number could be recovered by guessing and hashing. Each incident's
format-1 chain is verified first (a broken one is refused, naming incident and seq:
re-hashing it would hide the break), then sealed again from seq 1. Its format-1 head
is kept in chain_reseals, so an export handed out before still has an anchor here:
`watchfloor verify` recomputes that head from the events as they are.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from incidents.events import reseal, verify_chain
from incidents.migrate import MigrationError
from incidents.store import event_from_row

_BEFORE = """
ALTER TABLE events ADD COLUMN salt bytea CHECK (octet_length(salt) = 32);
CREATE TABLE chain_reseals (
    incident_id    uuid PRIMARY KEY REFERENCES incidents (id),
    events         integer     NOT NULL,
    old_head_hash  text        NOT NULL,
    new_head_hash  text        NOT NULL,
    resealed_at    timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON chain_reseals FROM PUBLIC;
GRANT SELECT ON chain_reseals TO watchfloor_app;
ALTER TABLE events DISABLE TRIGGER events_no_update;
"""
_AFTER = """
ALTER TABLE events ENABLE TRIGGER events_no_update;
ALTER TABLE events ALTER COLUMN salt SET NOT NULL;
"""
_EVENTS = (
    "SELECT incident_id, seq, occurred_at, recorded_by, kind, payload, prev_hash, hash, salt "
    "FROM events WHERE incident_id = $1 ORDER BY seq"
)
_REHASH = """
UPDATE events e SET prev_hash = u.prev_hash, hash = u.hash, salt = u.salt
FROM unnest($2::int[], $3::text[], $4::text[], $5::bytea[]) AS u (seq, prev_hash, hash, salt)
WHERE e.incident_id = $1 AND e.seq = u.seq
"""
_HEAD = """
UPDATE incidents SET head_hash = $2, state = jsonb_set(state, '{head_hash}', to_jsonb($2::text))
WHERE id = $1
"""


async def upgrade(conn: asyncpg.Connection) -> None:
    await conn.execute(_BEFORE)
    for row in await conn.fetch("SELECT id, last_seq, head_hash FROM incidents ORDER BY id"):
        await _reseal(conn, row["id"], row["last_seq"], row["head_hash"])
    await conn.execute(_AFTER)


async def _reseal(conn: asyncpg.Connection, incident_id: UUID, last_seq: int, head: str) -> None:
    events = [event_from_row(r) for r in await conn.fetch(_EVENTS, incident_id)]
    broken = verify_chain(events)
    if broken is None and (not events or events[-1].seq != last_seq or events[-1].hash != head):
        broken_at = events[-1].seq + 1 if events else 1
        raise _refused(incident_id, broken_at, f"the record ends before seq {last_seq}")
    if broken is not None:
        raise _refused(incident_id, broken.seq, broken.reason)
    new = reseal(events)
    await conn.execute(
        _REHASH,
        incident_id,
        [e.seq for e in new],
        [e.prev_hash for e in new],
        [e.hash for e in new],
        [e.salt for e in new],
    )
    await conn.execute(_HEAD, incident_id, new[-1].hash)
    await conn.execute(
        "INSERT INTO chain_reseals (incident_id, events, old_head_hash, new_head_hash) "
        "VALUES ($1, $2, $3, $4)",
        incident_id,
        len(new),
        head,
        new[-1].hash,
    )


def _refused(incident_id: UUID, seq: int, reason: str) -> MigrationError:
    return MigrationError(
        f"incident {incident_id}, seq {seq}: {reason}. The record was changed; sealing it "
        "again would hide that. Find out what changed it (watchfloor verify) before upgrading."
    )
