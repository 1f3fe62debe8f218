"""The API fuzzed from its own document (schemathesis): requests made from /api/openapi.json,
sound and unsound, against the real server; every answer must be one the document
describes (status, content type, body) and none a server error.

Half the cases name real things (the incident, its items and notifications, a live
acknowledgement token), so the commands reach the domain and not only the 404.
Bounded: CASES sound and CASES // 2 unsound requests per operation, derandomized.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from incidents.kinds import Role
from server.api_table import api_document
from server.auth.api_tokens import ApiTokenStore
from tests.fuzz.conftest import Target, trouble

CASES = int(os.environ.get("WATCHFLOOR_FUZZ_API", "24"))
CHECKS: list[Callable[..., Any]] = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _aim(case: Any, real: dict[str, list[str]], pick: int) -> None:
    """Put real ids (and a real ack token) into the case: `pick` chooses which of each."""
    for name in list(case.path_parameters or {}):
        if real.get(name):
            case.path_parameters[name] = real[name][pick % len(real[name])]
    if isinstance(case.body, dict) and "token" in case.body and real["token"]:
        case.body["token"] = real["token"][pick % len(real["token"])]


def fuzz(url: str, headers: dict[str, str], real: dict[str, list[str]]) -> dict[str, int]:
    """Every operation of the served document, sound then unsound cases: requests made each."""
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json")
    made: dict[str, int] = {}
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, count in (
            (GenerationMode.POSITIVE, CASES),
            (GenerationMode.NEGATIVE, CASES // 2),
        ):

            @settings(
                max_examples=count,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), pick=st.integers(0, 7))
            def one(case: Any, pick: int) -> None:
                if pick % 2:
                    _aim(case, real, pick // 2)
                response = case.call(base_url=url, session=session, headers=headers, timeout=30)
                made[case.operation.label] = made.get(case.operation.label, 0) + 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            one()
    return made


@pytest.mark.slow
async def test_the_api_answers_as_its_document_says(
    target: Target, capfd: pytest.CaptureFixture[str]
) -> None:
    live = target.live
    token, _ = await ApiTokenStore(live.pool).create("模糊测试 🤖", Role.COMMANDER)
    headers = {"Authorization": f"Bearer {token}"}
    made = await asyncio.to_thread(fuzz, live.url, headers, target.real)
    described = {f"{m.upper()} {p}" for p, ops in api_document()["paths"].items() for m in ops}
    # every operation was fuzzed (but the document's own, which schemathesis leaves out)
    assert set(made) == described - {"GET /api/openapi.json"}
    assert min(made.values()) >= CASES
    assert trouble(capfd.readouterr().err) == []
