"""A form body read as it was sent, or refused by name: nothing is stored half-decoded.

Starlette reads an urlencoded form's raw bytes as Latin-1 and its %-escapes as UTF-8, so raw
GBK or a stray byte would reach the append-only log as Latin-1 letters, for ever. Here the
body must be UTF-8, and so must every %-escape; a field that is not is refused by its name.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from incidents.errors import InvalidCommand, Named

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

Form = dict[str, list[str]]


async def read_form(request: Request) -> Form:
    """Each field's values, in the order sent (a checkbox list: several)."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(MULTIPART):  # each part is decoded by the parser: U+FFFD marks a bad one
        form = await request.form()
        pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        bad = next((k for k, v in pairs if "\ufffd" in v), None)
        if bad is not None:
            raise _bad(bad)
        return _fields(pairs)
    # Raw bytes and %-escapes alike, as bytes (Latin-1 maps each byte to one letter); then
    # each name and value must be UTF-8. The body is kept: a second reader gets it too.
    raw = parse_qsl((await request.body()).decode("latin-1"), True, encoding="latin-1")
    return _fields([(_utf8(k, k), _utf8(k, v)) for k, v in raw])


def _utf8(name: str, text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(name.encode("latin-1").decode("utf-8", "replace")) from None


def _fields(pairs: list[tuple[str, str]]) -> Form:
    fields: Form = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


def _bad(name: str) -> InvalidCommand:
    return InvalidCommand(
        "request.bad_encoding", f"{name} is not valid UTF-8", field=name, name=Named("field", name)
    )
