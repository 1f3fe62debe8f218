"""What a person may type into a text field, and how stored text is shown on a terminal.

The event log is append-only, so what it takes in is checked before it is written:

- Single-line fields (location, reporter, every reason, names and ids, who answered a
  notice, follow-up evidence and instructions, resource notes): no control character
  (Unicode category Cc: C0 U+0000-U+001F, DEL U+007F, C1 U+0080-U+009F), no line or
  paragraph separator (Zl, Zp: U+2028, U+2029) and no bidirectional embedding, override or
  isolate (U+202A-U+202E, U+2066-U+2069: they reorder what a reader sees, the "Trojan
  Source" trick).
- Multi-line fields, typed into a textarea (summary, demands, notes, injury, report
  fields, the zero report, the note on an acknowledgement): the same, except that a line
  break and a tab are kept; CR LF and a lone CR become LF.
- Everything else passes untouched: Chinese, emoji with their joiners (ZWJ U+200D, ZWNJ
  U+200C), skin tones, flags (regional indicators and tag sequences), variation selectors
  (U+FE0F), mixed scripts. The implicit direction marks LRM U+200E, RLM U+200F and ALM
  U+061C also pass: they open nothing that must be closed, and Arabic and Hebrew writers
  type them.

A refusal names the field, the character (as U+XXXX) and its position, counted in
characters from 1 in the text as trimmed. `visible()` is the same policy on the way out:
a terminal is shown every refused character as an escape, and line breaks and tabs too.
"""

from __future__ import annotations

import unicodedata

from incidents.errors import InvalidCommand, Named

# The bidi classes of the explicit embeddings, overrides and isolates (and their ends).
BIDI_CONTROLS = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
LINE_KEPT = frozenset("\n\t")


def is_bidi_control(char: str) -> bool:
    return unicodedata.bidirectional(char) in BIDI_CONTROLS


def is_refused(char: str) -> bool:
    """A character no text field takes (a multi-line field keeps \\n and \\t besides)."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or is_bidi_control(char)


def code(char: str) -> str:
    """A code point as people write it, without the "U+": "001B", "202E", "1F600"."""
    return f"{ord(char):04X}"


def normalized(value: str, *, multiline: bool) -> str:
    """Line ends as LF in a multi-line field; a single-line field is left as it is."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if multiline else value


def check(value: str, field: str, *, multiline: bool = False) -> str:
    """`value` unchanged, or a refusal naming the field, the character and where it is."""
    kept = LINE_KEPT if multiline else frozenset()
    for position, char in enumerate(value, start=1):
        if char not in kept and is_refused(char):
            raise _refusal(field, char, position)
    return value


def _refusal(field: str, char: str, position: int) -> InvalidCommand:
    name, at = Named("field", field), f"U+{code(char)} at character {position}"
    if is_bidi_control(char):
        return InvalidCommand(
            "text.bidi_control",
            f"{field} holds a bidi control {at}",
            field=field,
            name=name,
            code=code(char),
            position=position,
        )
    return InvalidCommand(
        "text.control_character",
        f"{field} holds a control character {at}",
        field=field,
        name=name,
        code=code(char),
        position=position,
    )


_NAMED_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}


def visible(text: str) -> str:
    """`text` safe to print on a terminal: each control, separator and bidi override as an
    escape ("\\x1b", "\\n", "<U+202E>"); Chinese and emoji as they are. A backslash is
    doubled, so an escape in the text cannot pass for one made here."""
    return "".join(_shown(c) for c in text)


def _shown(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if not is_refused(char):
        return char
    return f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"<U+{code(char)}>"


def json_visible(document: str) -> str:
    """A JSON document (dumped with ensure_ascii=False) safe to print: every refused
    character still left raw in a string (DEL, C1, U+2028, the bidi controls) as \\uXXXX,
    so the document stays valid JSON and reads the same. (json.dumps escapes C0 in strings
    itself; a raw line break there is the indentation.)"""
    return "".join(f"\\u{code(c)}" if c >= "\x7f" and is_refused(c) else c for c in document)
