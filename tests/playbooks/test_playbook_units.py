"""The units registry: who is notified and how, read as strictly as the playbooks."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from playbooks.loader import PlaybookError, load_units_text
from playbooks.schema import Channel, Contact, Language, Unit, UnitKind


def test_the_default_units_use_demo_addresses_only(units: Mapping[str, Unit]) -> None:
    """The shipped registry reaches nobody real: example.org addresses, 5550 phone numbers."""
    contacts = [c for unit in units.values() for c in unit.contacts]
    assert contacts
    for contact in contacts:
        if contact.channel in (Channel.WEBHOOK, Channel.EMAIL):
            assert "example.org" in contact.address
        if contact.channel is Channel.SMS:
            assert " 5550 " in contact.address


def test_webhook_units_name_the_variable_holding_their_secret(units: Mapping[str, Unit]) -> None:
    """Every unit reached by webhook says which environment variable holds its HMAC secret."""
    for unit in units.values():
        if any(c.channel is Channel.WEBHOOK for c in unit.contacts):
            assert unit.secret_env is not None and unit.secret_env.startswith("WATCHFLOOR_")


def test_a_unit_is_read_into_the_model() -> None:
    """A unit's name, kind, contacts and language arrive typed."""
    text = """\
units:
  - id: hospital
    name: {zh: 人民医院, en: People's hospital}
    kind: health
    contacts:
      - name: Emergency desk
        channel: email
        address: er@hospital.example.org
        language: en
      - name: 急诊
        channel: sms
        address: "+86 10 5550 0120"
"""
    [unit] = load_units_text(text, "units.yaml").values()
    assert (unit.id, unit.kind, unit.secret_env) == ("hospital", UnitKind.HEALTH, None)
    assert unit.contacts == (
        Contact("Emergency desk", Channel.EMAIL, "er@hospital.example.org", Language.EN),
        Contact("急诊", Channel.SMS, "+86 10 5550 0120", Language.ZH),
    )


def test_an_empty_registry_is_refused() -> None:
    """A units.yaml with an empty list is refused: a registry must name at least one unit."""
    with pytest.raises(PlaybookError, match="must not be empty"):
        load_units_text("units: []\n", "units.yaml")


WECOM_KEY = "0f4c2b9e-7a1d-4c3e-9b2a-5d6e7f8a9b0c"
DING_TOKEN = "3" * 64
ELEVEN = ",".join(f"k{i}" for i in range(11))


def test_group_robots_are_read_with_their_key_keywords_and_secret_variable() -> None:
    """WeCom and DingTalk contacts: a pasted webhook URL keeps only its key; the DingTalk
    robot's keywords and the variable holding its secret are read, the secret itself is not."""
    text = f"""\
units:
  - id: police
    name: {{zh: 派出所, en: Police}}
    kind: police
    contacts:
      - {{name: 企业微信群, channel: wecom, address: "{WECOM_KEY}"}}
      - name: 钉钉群🚓
        channel: dingtalk
        address: "https://oapi.dingtalk.com/robot/send?access_token={DING_TOKEN}"
        keywords: [突发事件, 通报]
        secret_env: WATCHFLOOR_DINGTALK_POLICE
      - name: 企业微信群（备用）
        channel: wecom
        address: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}"
"""
    [unit] = load_units_text(text, "units.yaml").values()
    assert unit.contacts == (
        Contact("企业微信群", Channel.WECOM, WECOM_KEY),
        Contact(
            "钉钉群🚓",
            Channel.DINGTALK,
            DING_TOKEN,
            keywords=("突发事件", "通报"),
            secret_env="WATCHFLOOR_DINGTALK_POLICE",
        ),
        Contact("企业微信群（备用）", Channel.WECOM, WECOM_KEY),
    )


@pytest.mark.parametrize(
    ("contact", "path", "at", "says"),
    [
        (
            '{name: 群, channel: wecom, address: "https://qyapi.weixin.qq.com/x?key=1"}',
            "address",
            '"https',
            "a wecom address is the robot's key",
        ),
        (
            "{name: 群, channel: dingtalk, address: abc123}",
            "address",
            "abc123",
            "access_token (64 hexadecimal digits)",
        ),
        (
            f"{{name: 群, channel: dingtalk, address: {DING_TOKEN}, keywords: ['[告警]']}}",
            "keywords[0]",
            "'[告警]'",
            "without spaces or markdown marks",
        ),
        (
            f"{{name: 群, channel: dingtalk, address: {DING_TOKEN}, keywords: []}}",
            "keywords",
            "[]",
            "must not be empty",
        ),
        (
            f"{{name: 群, channel: dingtalk, address: {DING_TOKEN}, secret_env: SEC123abc}}",
            "secret_env",
            "SEC123abc",
            "not an environment variable name",
        ),
        (
            f"{{name: 群, channel: wecom, address: {WECOM_KEY}, keywords: [通报]}}",
            "keywords",
            "[通报]",
            "keywords is a dingtalk robot setting, but this contact's channel is wecom",
        ),
        (
            "{name: 群, channel: email, address: a@b.org, secret_env: WF_X}",
            "secret_env",
            "WF_X",
            "secret_env is a dingtalk robot setting",
        ),
        (
            f"{{name: 群, channel: dingtalk, address: {DING_TOKEN}, keywords: [{ELEVEN}]}}",
            "keywords",
            "[k0",
            "at most 10 keywords",
        ),
    ],
)
def test_a_wrong_robot_contact_is_refused_where_it_is_written(
    contact: str, path: str, at: str, says: str
) -> None:
    """Each mistake names its file, line and column, the value's path and what is wrong."""
    text = (
        "units:\n  - id: police\n    name: {zh: 派出所, en: Police}\n    kind: police\n"
        "    contacts:\n\n"
        f"      - {contact}\n"
    )
    with pytest.raises(PlaybookError) as refused:
        load_units_text(text, "units.yaml")
    message = str(refused.value)
    column = contact.index(at) + len("      - ") + 1
    where = f"units.yaml:7:{column}: units[0].contacts[0].{path}: "
    assert where in message and says in message, message
