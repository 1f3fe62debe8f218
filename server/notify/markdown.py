"""A notification as group-robot markdown (WeCom, DingTalk).

What people typed (place, summary, demands, notes) is escaped, so it reads as the words they
wrote and can neither make a link nor change the formatting. The text fits the robot's limit
in UTF-8 bytes: the fields are cut at a character boundary, the acknowledgement link is kept.
"""

from __future__ import annotations

import re

from server.notify.message import Message

# Inline marks, HTML and entities: a backslash before each makes it literal (CommonMark).
MARKS = frozenset("\\`*_[]()#<>!|~{}&")
LINE_MARK = re.compile(r"^([-+=])", re.MULTILINE)  # list items, setext headings
LINE_NUMBER = re.compile(r"^(\d+)([.)])", re.MULTILINE)  # ordered list items
JOINERS = "\u200d"  # a zero-width joiner left at the end would glue the cut mark to an emoji


def escape(text: str) -> str:
    """`text` as literal markdown: every mark escaped, line-start markers too. Each line loses
    its outer spaces, which would otherwise make a code block or a forced line break."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    plain = "\n".join(line.strip(" \t\f\v") for line in lines)
    marked = "".join("\\" + c if c in MARKS else c for c in plain)
    marked = LINE_MARK.sub(r"\\\1", marked)
    return LINE_NUMBER.sub(r"\1\\\2", marked)


def cut(text: str, budget: int) -> str:
    """The longest start of `text` within `budget` UTF-8 bytes, ending on a whole character
    and never on half an escape (a lone trailing backslash)."""
    raw = text.encode()
    if len(raw) <= budget:
        return text
    kept = raw[: max(budget, 0)].decode("utf-8", errors="ignore")
    trailing = len(kept) - len(kept.rstrip("\\"))
    if trailing % 2:
        kept = kept[:-1]
    return kept.rstrip(JOINERS)


def heading(message: Message, lead: str = "") -> str:
    """The first line: the subject (and, first, a keyword the robot insists on)."""
    return f"### {lead}{escape(message.subject)}"


def field_lines(message: Message) -> list[str]:
    return [f"**{escape(label)}**：{escape(value)}" for _, label, value in message.fields]


def ack_line(message: Message) -> str:
    """The link, shown as its own address so it can also be copied by hand."""
    url = message.ack_url
    return f"{escape(message.ack_prompt)} [{url}]({url})"


def render(message: Message, *, limit: int, sep: str = "\n", lead: str = "") -> str:
    """Heading, fields, ack link, joined by `sep`, in at most `limit` UTF-8 bytes."""
    head, fields, tail = (
        cut(heading(message, lead), limit // 4),
        field_lines(message),
        ack_line(message),
    )
    whole = sep.join([head, *fields, tail])
    if len(whole.encode()) <= limit:
        return whole
    more = escape(message.truncated)
    budget = limit - len(sep.join([head, "", more, tail]).encode())
    return sep.join([head, cut(sep.join(fields), budget) + more, tail])
