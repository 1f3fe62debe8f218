"""A units registry node tree to units by id (police, health, the family…)."""

from __future__ import annotations

import re

from playbooks.fields import (
    NO_TEXT,
    Ctx,
    Fields,
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
    Channel.WECOM: (
        r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}",
        "a wecom address is the robot's key (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) or its "
        "webhook URL https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY",
    ),
    Channel.DINGTALK: (
        r"[0-9a-fA-F]{64}",
        "a dingtalk address is the robot's access_token (64 hexadecimal digits) or its "
        "webhook URL https://oapi.dingtalk.com/robot/send?access_token=TOKEN",
    ),
    Channel.LOG: (r"\S.*", "a log address names the log"),
}
# The webhook URL a robot's settings page shows: pasted whole, it is reduced to its key.
ROBOT_URLS: dict[Channel, str] = {
    Channel.WECOM: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=",
    Channel.DINGTALK: "https://oapi.dingtalk.com/robot/send?access_token=",
}
MAX_KEYWORDS = 10  # DingTalk takes at most 10 keywords per robot
KEYWORD = re.compile(r"[^\s\\`*_\[\]()#<>!|~{}+\-=]{1,32}")  # plain text: it is sent unescaped
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
    f = mapping(ctx, node, path, ("id", "name", "kind"), ("contacts", "secret_env", "drill"))
    unit = Unit(
        id=f.get("id", as_id, ""),
        name=f.get("name", as_text, NO_TEXT),
        kind=f.get("kind", as_kind, UnitKind.OTHER),
        contacts=f.get("contacts", list_of(read_contact), ()),
        secret_env=f.optional("secret_env", as_env_name),
        drill=f.optional("drill", read_contact),
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
    f = mapping(
        ctx, node, path, ("name", "channel", "address"), ("language", "keywords", "secret_env")
    )
    channel = f.get("channel", as_channel, Channel.LOG)
    contact = Contact(
        name=f.get("name", as_str, ""),
        channel=channel,
        address=_robot_key(channel, f.get("address", as_str, "")),
        language=f.get("language", as_language, Language.ZH),
        keywords=f.get("keywords", list_of(as_keyword, non_empty=True, unique=True), ()),
        secret_env=f.optional("secret_env", as_env_name),
    )
    _check_address(ctx, contact, path)
    _check_dingtalk_only(ctx, f, contact)
    return contact


def _robot_key(channel: Channel, address: str) -> str:
    prefix = ROBOT_URLS.get(channel)
    return address.removeprefix(prefix) if prefix else address


def as_keyword(ctx: Ctx, node: Node, path: str) -> str:
    value = scalar(ctx, node, path)
    if value is not None and not KEYWORD.fullmatch(value):
        ctx.report(
            path,
            f"{value!r}: a keyword is 1 to 32 characters of plain text, without spaces or "
            "markdown marks (` * _ [ ] ( ) # < > ! | ~ { } + - = \\)",
            node,
        )
        return ""
    return value or ""


def _check_dingtalk_only(ctx: Ctx, f: Fields, contact: Contact) -> None:
    """Keywords and a signing secret are DingTalk robot settings; elsewhere they are a mistake."""
    if contact.channel is Channel.DINGTALK:
        if len(contact.keywords) > MAX_KEYWORDS:
            message = f"a dingtalk robot takes at most {MAX_KEYWORDS} keywords"
            ctx.report(join(f.path, "keywords"), message, f.nodes["keywords"])
        return
    if ctx.failed(join(f.path, "channel")):
        return
    for key in ("keywords", "secret_env"):
        if key in f.nodes:
            ctx.report(
                join(f.path, key),
                f"{key} is a dingtalk robot setting, but this contact's channel is "
                f"{contact.channel.value}",
                f.nodes[key],
            )


def _check_address(ctx: Ctx, contact: Contact, path: str) -> None:
    """The address must suit the channel (unless the channel or address is already wrong)."""
    pattern, rule = ADDRESS_RULES[contact.channel]
    if ctx.failed(join(path, "address")) or ctx.failed(join(path, "channel")):
        return
    if not re.fullmatch(pattern, contact.address):
        ctx.report(join(path, "address"), f"{contact.address!r}: {rule}")
