"""The server's signing secret: WATCHFLOOR_SECRET_KEY, or one kept in WATCHFLOOR_DATA.

Generated once in development and kept in `<data>/secret_key` (mode 0600), so that a
restart, and several local nodes sharing the folder, sign and check links alike.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_NAME = "secret_key"


def load_secret(configured: str | None, data_dir: Path) -> bytes:
    if configured:
        return configured.encode()
    path = data_dir / FILE_NAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        draft.touch(mode=0o600)
        draft.write_text(secrets.token_hex(32))
        try:  # link: appears whole or not at all, and never replaces another node's key
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret: delete it to make a new one")
    return key.encode()
