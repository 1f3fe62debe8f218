"""The log channel's mailbox: each message whole, as a webhook would receive it, one file per
delivery in a folder only this user can read.

An acknowledgement link is a secret (whoever holds it answers for the unit), so it is never in
a log line; the log says which file holds the message. Without a folder (tests that build the
channel bare) the message is only logged, link left out.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

from server.notify.delivery import Delivery
from server.notify.message import Message

FOLDER_MODE = stat.S_IRWXU  # 0700: only this user
FILE_MODE = stat.S_IRUSR | stat.S_IWUSR  # 0600


def file_name(d: Delivery) -> str:
    """One file per delivery: a retry of the same message writes the same file again."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in d.key) + ".json"


def write(folder: Path, d: Delivery, message: Message) -> Path:
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path = folder / file_name(d)
    body = json.dumps(message.payload(d), ensure_ascii=False, indent=2) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(body)
    return path


async def spool(folder: Path, d: Delivery, message: Message) -> Path:
    return await asyncio.to_thread(write, folder, d, message)
