"""What a hostile or broken client can send, as Hypothesis strategies, class by class.

Every class the issue names is here: numbers that are not whole (1.5, 1e400, NaN,
Infinity, lists and objects in their place), JSON nested past any sane depth, lone
surrogates, ids past the integer range, control characters and bidirectional overrides,
invalid UTF-8 (raw and percent-encoded), bodies of the wrong type, oversized bodies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from hypothesis import strategies as st

import server
import web


@dataclass(frozen=True, slots=True)
class Raw:
    """JSON text put in the body as it is: what json.dumps would never write."""

    text: str


def _source_fields() -> list[str]:
    """Every field name the server reads and every form field the pages send."""
    code = "\n".join(p.read_text() for p in Path(server.__file__).parent.rglob("*.py"))
    pages = "\n".join(
        p.read_text() for p in (Path(web.__file__).parent / "templates").rglob("*.html")
    )
    names = set(re.findall(r'\bf(?:ields)?(?:\.get\(|, )"([a-z_]+)"', code))
    names |= set(re.findall(r'name="([a-z_]+)"', pages))
    return sorted(names | {"x", "中文字段"})


FIELDS = _source_fields()

TYPED = [  # what people type, which must pass untouched
    "来访人情绪激动，称要跳楼",
    "救护车已到 🚑，担架进场",
    "王小明（Wang Xiaoming）13812345678",
    "👨‍👩‍👧‍👦 一家四口 🇨🇳",
    "第３号窗口 ＡＢＣ",
]
HOSTILE_TEXT = [
    "\x1b[2J\x1b[31m清屏",
    "\x00空字节",
    "一段文字中间有\x00空字节",  # long enough to pass a length check first
    "abc\u202edcba",
    "\u2066隔离\u2069",
    "行一\r\n行二\t制表",
    "\x7f\x85\x9b",
    "\ufeff开头BOM",
    " " * 5,
    "",
    "长" * 5000,
]
LONE_SURROGATES = [Raw('"\\ud800"'), Raw('"前\\udfff后"'), Raw('"\\ud83d"')]
NUMBERS = [
    Raw("1e400"),
    Raw("-1e400"),
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("1.5"),
    Raw("-0"),
    Raw("1" * 5000),
    Raw("0.1e1"),
    "1.5",
    "１２",
    " 12 ",
    "0x10",
    "-0",
    "9" * 40,
]
BIG_INTS = st.sampled_from([2**63, -(2**63) - 1, 10**30, -1, 0])
DEEP = st.integers(17, 20000).map(lambda n: Raw("[" * n + "]" * n))

SPECIAL = st.sampled_from(TYPED + HOSTILE_TEXT + NUMBERS + LONE_SURROGATES)
scalars = st.one_of(
    SPECIAL,  # first and so drawn as often as the rest together: the classes that matter
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        BIG_INTS,
        st.floats(),  # infinities and NaN included: dumped as JSON's non-standard tokens
        st.text(max_size=40),
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
field_names = st.one_of(st.sampled_from(FIELDS), st.sampled_from(FIELDS), st.text(max_size=12))
objects = st.dictionaries(field_names, scalars | values, min_size=1, max_size=8)
json_trees = objects | values | DEEP


def dump(value: object) -> str:
    """JSON text, with Raw pieces as they are and floats as Python writes them (NaN too)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v) for v in value) + "]"
    return json.dumps(value)


def _form_value(value: object) -> str:
    if isinstance(value, Raw):
        return value.text
    return "" if value is None else str(value)


# Percent-encoded bytes that are not UTF-8: a lone byte, a surrogate, a cut sequence.
BAD_PERCENT = ["%FF", "%ED%A0%80", "%E4%B8", "%C0%AF", "%00", "%", "%zz"]


@st.composite
def form_bodies(draw: st.DrawFn) -> bytes:
    pairs = draw(st.lists(st.tuples(field_names, values), max_size=6))
    parts = [
        f"{quote(name, safe='')}={quote(_form_value(v), safe='', errors='surrogatepass')}"
        for name, v in pairs
    ]
    if draw(st.booleans()):
        name = quote(draw(st.sampled_from(FIELDS)), safe="")
        parts.append(f"{name}={draw(st.sampled_from(BAD_PERCENT))}")
    body = "&".join(parts).encode("ascii")
    if draw(st.booleans()):
        body += b"&note=\xff\xfe\xe4\xb8"  # raw bytes that are not UTF-8 at all
    return body


@dataclass(frozen=True, slots=True)
class Body:
    content_type: str | None
    data: bytes


JSON_TYPES = ["application/json", "application/json; charset=latin-1"]
OTHER_TYPES = [None, "text/plain", "application/octet-stream", "multipart/form-data"]
MULTIPART = "multipart/form-data; boundary=wfboundary"


def _multipart(fields: dict[str, object]) -> bytes:
    chunks = [
        f'--wfboundary\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{_form_value(v)}\r\n'
        for k, v in fields.items()
    ]
    return ("".join(chunks) + "--wfboundary--\r\n").encode("utf-8", "surrogatepass")


bodies = st.one_of(
    st.builds(
        Body,
        st.sampled_from(JSON_TYPES),
        json_trees.map(lambda tree: dump(tree).encode("utf-8", "surrogatepass")),
    ),
    st.builds(Body, st.just("application/x-www-form-urlencoded"), form_bodies()),
    st.builds(Body, st.just(MULTIPART), objects.map(_multipart)),
    st.builds(Body, st.sampled_from(OTHER_TYPES), st.binary(max_size=64)),
    st.builds(Body, st.sampled_from(JSON_TYPES), st.just(b"{" * 70_000)),  # past 64 KiB
)

# Path parameters: a real one (filled in by the test), or something that is not.
PATH_GARBAGE = [
    "00000000-0000-4000-8000-000000000000",
    "not-a-uuid",
    "9" * 40,
    str(2**63),
    "-1",
    "0",
    "中文",
    "%00",
    "..%2F..%2Fetc",
    "\u202e",
    "a" * 300,
]
