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
