"""The canonical form that every hash is computed over."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from incidents.canonical import NotCanonical, canonical_bytes, format_time, parse_time


def test_keys_sorted_and_no_whitespace() -> None:
    """The same object always hashes the same: keys sorted, no spaces."""
    assert canonical_bytes({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'


def test_chinese_text_is_written_as_itself() -> None:
    """Chinese text is kept as UTF-8, not escaped."""
    assert canonical_bytes({"t": "集体访"}) == '{"t":"集体访"}'.encode()


@pytest.mark.parametrize("bad", [1.5, {"x": float("nan")}, {1: "a"}, {"t": "a\x00b"}, b"x"])
def test_values_without_one_spelling_are_refused(bad: object) -> None:
    """Floats, non-text keys, NUL characters and bytes have no canonical form."""
    with pytest.raises(NotCanonical):
        canonical_bytes(bad)


def test_times_are_utc_with_microseconds() -> None:
    """A Beijing time is written as the same instant in UTC, and reads back equal."""
    beijing = timezone(timedelta(hours=8))
    when = datetime(2026, 11, 23, 16, 0, 0, 123, tzinfo=beijing)
    assert format_time(when) == "2026-11-23T08:00:00.000123Z"
    assert parse_time(format_time(when)) == when.astimezone(UTC)


def test_naive_times_are_refused() -> None:
    """A time without a zone is ambiguous and refused."""
    with pytest.raises(NotCanonical):
        format_time(datetime(2026, 1, 1))
