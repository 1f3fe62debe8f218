"""Numbers and JSON bodies at the boundary: refused by name, never guessed, never a 500."""

from __future__ import annotations

import json

import pytest

from incidents.errors import InvalidCommand
from server.incident.commands import MAX_DEPTH, parse_object
from server.incident.input import integer

NOT_WHOLE = [1.5, 2.0, float("inf"), float("nan"), [3], {"n": 3}, True, None, "", "1.5", "1e3"]


@pytest.mark.parametrize("value", NOT_WHOLE, ids=repr)
def test_a_headcount_that_is_not_a_whole_number_is_refused_by_name(value: object) -> None:
    """1.5 people, infinity, a list: refused naming the field, never stored as a guess."""
    with pytest.raises(InvalidCommand) as refused:
        integer({"headcount": value}, "headcount")
    assert refused.value.reason == "input.integer" and refused.value.field == "headcount"


def test_whole_numbers_from_json_and_forms_are_taken() -> None:
    """35 from JSON, " 35 " from a form; digits other than ASCII are not numbers here."""
    assert integer({"n": 35}, "n") == integer({"n": " 35 "}, "n") == 35
    with pytest.raises(InvalidCommand):
        integer({"n": "３５"}, "n")  # full-width digits
    with pytest.raises(InvalidCommand):
        integer({"n": "9" * 5000}, "n")  # more digits than Python reads


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"headcount": 1e400}', None),  # parses (to inf); integer() refuses it later
        (b'{"headcount": Infinity}', "request.not_json"),
        (b'{"headcount": NaN}', "request.not_json"),
        (b"[" * 60_000, "request.not_json"),  # would be a RecursionError
        (b'{"a": ' + b"[" * MAX_DEPTH + b"1" + b"]" * MAX_DEPTH + b"}", "request.too_deep"),
        (b'{"text": "\\ud800"}', "request.bad_text"),
        (b'{"\\udfff": "x"}', "request.bad_text"),
        (b'["not", "an object"]', "request.not_object"),
        (b"x" * (64 * 1024 + 1), "request.too_large"),
    ],
)
def test_a_body_past_the_limits_is_refused_with_its_reason(body: bytes, reason: str | None) -> None:
    """Each malformed body gets its own refusal; none raises anything else."""
    if reason is None:
        with pytest.raises(InvalidCommand):
            integer(parse_object(body), "headcount")
        return
    with pytest.raises(InvalidCommand) as refused:
        parse_object(body)
    assert refused.value.reason == reason


def test_a_body_at_the_depth_limit_is_taken() -> None:
    """Nesting up to the limit is fine: only deeper is refused."""
    body: object = 1
    for _ in range(MAX_DEPTH - 1):
        body = [body]
    assert parse_object(json.dumps({"a": body}).encode())["a"]
