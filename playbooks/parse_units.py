"""A units registry node tree to units by id (police, health, the family…)."""

from __future__ import annotations

import re

from playbooks.fields import (
    NO_TEXT,
    Ctx,
    Node,
    as_id,
    as_str,
    as_text,
    enum_of,
    join,
    list_of,
    mapping,
    scalar,
)
from playbooks.schema import Channel, Contact, Language, Unit, UnitKind

ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,127}")
ADDRESS_RULES: dict[Channel, tuple[str, str]] = {
    Channel.WEBHOOK: (r"https?://[^\s/]+\S*", "a webhook address is an http(s):// URL"),
    Channel.EMAIL: (r"[^\s@]+@[^\s@]+\.[^\s@]+", "an email address looks like name@example.org"),
    Channel.SMS: (
        r"\+?[0-9][0-9 -]{4,19}",
        "an sms address is a phone number like +86 10 5555 0110",
    ),
    Channel.LOG: (r"\S.*", "a log address names the log"),
}
as_kind = enum_of(UnitKind, "unit kind")
as_channel = enum_of(Channel, "channel")
as_language = enum_of(Language, "language")


def read_units(ctx: Ctx, root: Node) -> dict[str, Unit]:
    """Units by id; duplicate ids are reported."""
    f = mapping(ctx, root, "", ("units",))
    units: dict[str, Unit] = {}
    listed: tuple[Unit, ...] = f.get("units", list_of(read_unit, non_empty=True), ())
    for i, unit in enumerate(listed):
        if unit.id in units:
            ctx.report(f"units[{i}].id", f"duplicate unit id {unit.id!r}")
        elif unit.id:
            units[unit.id] = unit
    return units


def read_unit(ctx: Ctx, node: Node, path: str) -> Unit:
    f = mapping(ctx, node, path, ("id", "name", "kind"), ("contacts", "secret_env"))
    unit = Unit(
        id=f.get("id", as_id, ""),
        name=f.get("name", as_text, NO_TEXT),
        kind=f.get("kind", as_kind, UnitKind.OTHER),
        contacts=f.get("contacts", list_of(read_contact), ()),
        secret_env=f.optional("secret_env", as_env_name),
    )
    if unit.secret_env and all(c.channel != Channel.WEBHOOK for c in unit.contacts):
        ctx.report(
            join(path, "secret_env"), "secret_env signs webhooks, but no contact is a webhook"
        )
    return unit


def as_env_name(ctx: Ctx, node: Node, path: str) -> str:
    value = scalar(ctx, node, path)
    if value is not None and not ENV_NAME.fullmatch(value):
        ctx.report(path, f"{value!r} is not an environment variable name (like WF_SECRET)", node)
        return ""
    return value or ""


def read_contact(ctx: Ctx, node: Node, path: str) -> Contact:
    f = mapping(ctx, node, path, ("name", "channel", "address"), ("language",))
    contact = Contact(
        name=f.get("name", as_str, ""),
        channel=f.get("channel", as_channel, Channel.LOG),
        address=f.get("address", as_str, ""),
        language=f.get("language", as_language, Language.ZH),
    )
    _check_address(ctx, contact, path)
    return contact


def _check_address(ctx: Ctx, contact: Contact, path: str) -> None:
    """The address must suit the channel (unless the channel or address is already wrong)."""
    pattern, rule = ADDRESS_RULES[contact.channel]
    if ctx.failed(join(path, "address")) or ctx.failed(join(path, "channel")):
        return
    if not re.fullmatch(pattern, contact.address):
        ctx.report(join(path, "address"), f"{contact.address!r}: {rule}")
