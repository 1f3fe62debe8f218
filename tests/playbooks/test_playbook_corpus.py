"""Malformed playbooks are refused with every planted problem at its line, column and path."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from playbooks.loader import PlaybookError, Problem, load_playbook_text, load_units_text
from playbooks.schema import Unit

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus").glob("*.yaml"))
UNITS_CORPUS = sorted((HERE / "corpus" / "units").glob("*.yaml"))
EXPECT = re.compile(rb"# expect: (\d+):(\d+) ([^\s:]*): ?(.*)")
PAD = re.compile(rb"# pad-to-bytes: (\d+)")


@dataclass(frozen=True)
class Expected:
    line: int
    column: int
    path: str
    message: str

    def found_in(self, problems: tuple[Problem, ...]) -> bool:
        return any(
            (p.line, p.column, p.path) == (self.line, self.column, self.path)
            and self.message in p.message
            for p in problems
        )


def expectations(data: bytes) -> list[Expected]:
    """The `# expect: line:col path: message` comments at the top of a corpus file."""
    found = []
    for line in data.splitlines():
        match = EXPECT.fullmatch(line.rstrip())
        if match is None:
            break
        row, col, path, message = match.groups()
        found.append(Expected(int(row), int(col), path.decode(), message.decode()))
    return found


def padded(data: bytes) -> bytes:
    """`data` grown with comment lines to the size a `# pad-to-bytes: N` line asks for."""
    match = PAD.search(data)
    if match is None:
        return data
    missing = int(match.group(1)) - len(data)
    lines = b"# padding\n" * (missing // 10 + 1)
    return data + lines


def refusal(load: Callable[[], object]) -> PlaybookError:
    """The PlaybookError that `load` must raise."""
    with pytest.raises(PlaybookError) as info:
        load()
    return info.value


def test_the_corpus_covers_at_least_thirty_mistakes() -> None:
    """The corpus holds at least thirty malformed playbooks, each declaring its problem."""
    assert len(CORPUS) >= 30
    assert all(len(expectations(path.read_bytes())) == 1 for path in CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_a_malformed_playbook_is_refused_at_the_planted_problem(
    path: Path, units: Mapping[str, Unit]
) -> None:
    """A user checking a broken playbook sees its problem at the right line, column and path."""
    data = padded(path.read_bytes())
    [expected] = expectations(data)
    error = refusal(lambda: load_playbook_text(data, path.name, units))
    assert expected.found_in(error.problems), str(error)


@pytest.mark.parametrize("path", UNITS_CORPUS, ids=lambda p: p.name)
def test_a_malformed_units_registry_is_refused_at_the_planted_problem(path: Path) -> None:
    """A user checking a broken units.yaml sees its problem at the right line and path."""
    data = path.read_bytes()
    [expected] = expectations(data)
    error = refusal(lambda: load_units_text(data, path.name))
    assert expected.found_in(error.problems), str(error)


def test_every_problem_of_a_file_is_reported_at_once(units: Mapping[str, Unit]) -> None:
    """A playbook with six mistakes lists all six in one error, one line per problem."""
    data = (HERE / "several_errors.yaml").read_bytes()
    expected = expectations(data)
    error = refusal(lambda: load_playbook_text(data, "several_errors.yaml", units))
    assert len(expected) == 6
    assert [e for e in expected if not e.found_in(error.problems)] == []
    assert len(error.problems) == len(expected)
    assert str(error).splitlines() == [str(p) for p in error.problems]


def test_a_problem_reads_file_line_column_path_message() -> None:
    """Each problem prints as `file:line:col: path: message`, like a compiler error."""
    problem = Problem("medical.yaml", 14, 9, "phases[0].items[2].due", "bad duration")
    assert str(problem) == "medical.yaml:14:9: phases[0].items[2].due: bad duration"
    assert str(Problem("x.yaml", 1, 1, "", "the file is empty")) == "x.yaml:1:1: the file is empty"
