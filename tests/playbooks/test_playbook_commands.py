"""`watchfloor playbooks check` and `show`, as a user at the terminal sees them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from playbooks.commands import check_command, show_command
from playbooks.loader import ENV_VAR, packaged_dir, packaged_units

HERE = Path(__file__).parent
PROBLEM_LINE = re.compile(r"^\S+:\d+:\d+: .+$")


def run_check(paths: list[Path]) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = check_command(paths, out)
    return code, out.getvalue().splitlines()


def run_show(incident_type: str, lang: str) -> tuple[int, str]:
    out = io.StringIO()
    code = show_command(incident_type, lang, out)
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def _no_user_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_check_passes_on_the_default_library() -> None:
    """`playbooks check` with no arguments checks the defaults and says they are fine."""
    code, lines = run_check([])
    assert code == 0
    assert lines == ["ok: 9 file(s) checked, no problems"]


def test_check_passes_on_given_files_and_folders() -> None:
    """Checking the library folder, the units registry and one playbook file all pass."""
    paths = [packaged_dir(), packaged_units(), HERE / "valid_small.yaml"]
    code, lines = run_check(paths)
    assert (code, lines[-1]) == (0, "ok: 10 file(s) checked, no problems")


def test_check_prints_every_problem_as_file_line_column_path_message() -> None:
    """A broken file yields one `file:line:col: path: message` line per problem and a summary."""
    bad = HERE / "several_errors.yaml"
    code, lines = run_check([bad, HERE / "corpus" / "cycle_two.yaml"])
    assert code == 1
    assert len(lines) == 8
    assert all(PROBLEM_LINE.match(line) for line in lines[:-1])
    assert f"{bad}:8:10: version: expected a positive whole number" in lines[0]
    assert lines[-1] == "7 problem(s) in 2 of 2 file(s)"


def test_check_includes_the_user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With WATCHFLOOR_PLAYBOOKS set, `check` also checks the user's playbooks."""
    (tmp_path / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    code, lines = run_check([])
    assert code == 1
    assert any("broken.yaml:1:1: version: required key 'version' is missing" in x for x in lines)


def test_show_prints_the_checklist_tree_in_chinese() -> None:
    """`playbooks show collective_visit` prints phases, items, notifications and reports in zh."""
    code, text = run_show("collective_visit", "zh")
    assert code == 0
    assert text.splitlines()[0] == "集体访 · collective_visit v1"
    assert "劝导来访群众推选不超过5名代表 [ask_representatives]" in text
    assert "现场工作人员 · 事件开启后10分钟内" in text
    assert "升至重大级时" in text
    assert "报告：首报30分钟内；续报每1小时；结束时终报" in text


def test_show_prints_the_checklist_tree_in_english() -> None:
    """With --lang en, the same tree reads in English."""
    code, text = run_show("self_harm", "en")
    assert code == 0
    assert (
        "Call 120 and ask the hospital to send a medical team to the scene [call_ambulance]" in text
    )
    assert "on-site staff · within 2m of opening" in text
    assert "Police (local station) [police] · on open · acknowledge within 3m" in text
    assert "Reports: first within 10m; follow-up every 30m; final report on close" in text


@pytest.mark.parametrize(("incident_type", "lang"), [("riot", "zh"), ("medical", "fr")])
def test_show_refuses_an_unknown_type_or_language(incident_type: str, lang: str) -> None:
    """An unknown incident type or language is named in the answer, with exit code 1."""
    code, text = run_show(incident_type, lang)
    assert code == 1
    assert repr(incident_type if lang == "zh" else lang) in text
