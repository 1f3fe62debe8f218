"""The default library: one faithful, loadable playbook per incident type, and user overrides."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from incidents.kinds import IncidentType, Level
from playbooks.loader import (
    ENV_VAR,
    Library,
    PlaybookError,
    default_dirs,
    load_library,
    load_playbook,
    load_playbook_text,
    load_units_text,
    packaged_dir,
    playbook_hash,
)
from playbooks.schema import (
    ItemDone,
    LevelReached,
    Opened,
    Playbook,
    Unit,
    UnitKind,
)

ALL_TYPES = list(IncidentType)
SMALL = Path(__file__).parent / "valid_small.yaml"


def told_on_open(playbook: Playbook, units: Mapping[str, Unit]) -> set[UnitKind]:
    return {units[n.unit].kind for n in playbook.notifications_on(Opened())}


def told_at_all(playbook: Playbook, units: Mapping[str, Unit]) -> set[UnitKind]:
    return {units[n.unit].kind for n in playbook.notifications}


def test_the_library_has_a_playbook_for_each_of_the_eight_incident_types(library: Library) -> None:
    """Opening an incident of any of the eight types finds its playbook."""
    assert sorted(library.playbooks) == sorted(ALL_TYPES)
    assert library.missing() == ()


@pytest.mark.parametrize("incident_type", ALL_TYPES)
def test_each_default_playbook_file_loads_and_is_named_for_its_type(
    incident_type: IncidentType, units: Mapping[str, Unit]
) -> None:
    """medical.yaml holds the medical playbook, and so on for every type."""
    path = packaged_dir() / f"{incident_type}.yaml"
    playbook = load_playbook(path, units)
    assert (playbook.id, playbook.incident_type, playbook.version) == (
        incident_type.value,
        incident_type,
        1,
    )
    assert playbook.source_hash == playbook_hash(path.read_bytes())


@pytest.mark.parametrize("incident_type", ALL_TYPES)
def test_every_playbook_tells_the_petition_bureau_and_the_police_on_open(
    library: Library, incident_type: IncidentType
) -> None:
    """Whatever happens, the petition bureau and the police are notified as the incident opens."""
    kinds = told_on_open(library.playbook(incident_type), library.units)
    assert {UnitKind.PETITION_BUREAU, UnitKind.POLICE} <= kinds


@pytest.mark.parametrize("incident_type", ALL_TYPES)
def test_every_playbook_has_report_deadlines_and_an_aftermath(
    library: Library, incident_type: IncidentType
) -> None:
    """Every type has a first-report deadline, follow-ups, and the statutory aftermath steps."""
    playbook = library.playbook(incident_type)
    assert 0 < playbook.reports.first_within <= 30 * 60
    assert playbook.reports.followup_every > 0
    assert playbook.reports.final_on_close
    aftermath = {item.id for item in playbook.phases[-1].items}
    assert {"register_matter", "investigate_facts", "unit_reports_result"} <= aftermath
    assert {"reply_to_visitor", "accountability_review", "summary_report"} <= aftermath
    assert playbook.resources


@pytest.mark.parametrize("incident_type", ALL_TYPES)
def test_every_text_is_bilingual(library: Library, incident_type: IncidentType) -> None:
    """Every checklist item and phase reads in both Chinese and English."""
    playbook = library.playbook(incident_type)
    texts = [playbook.title, *(p.title for p in playbook.phases)]
    texts += [item.text for item in playbook.items()]
    assert all(t.zh.strip() and t.en.strip() for t in texts)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t.zh) for t in texts)


def test_the_statutory_time_limits_are_in_the_aftermath(library: Library) -> None:
    """Routing within 15 days, a result within a month, a reply within 60 days."""
    playbook = library.playbook(IncidentType.COLLECTIVE_VISIT)
    days = {i.id: i.due.within_seconds // 86400 for i in playbook.items() if i.due}
    assert (days["register_matter"], days["unit_reports_result"], days["reply_to_visitor"]) == (
        15,
        30,
        60,
    )
    due = playbook.item("reply_to_visitor").due
    assert due is not None
    assert due.after == ItemDone("register_matter")


def test_a_collective_visit_of_thirty_is_major_and_tells_more_units(library: Library) -> None:
    """Thirty visitors raise a collective visit to major, which adds steps and recipients."""
    playbook = library.playbook(IncidentType.COLLECTIVE_VISIT)
    assert playbook.level_for(headcount=29, injured=False) is Level.GENERAL
    assert playbook.level_for(headcount=30, injured=False) is Level.MAJOR
    general = {i.id for i in playbook.items_for_level(Level.GENERAL)}
    major = {i.id for i in playbook.items_for_level(Level.MAJOR)}
    assert general < major
    assert {"ask_representatives", "seat_representatives", "leader_receives"} <= general
    told = {n.unit for n in playbook.notifications_on(LevelReached(Level.MAJOR))}
    assert {"party_government_duty", "stability_office"} <= told


def test_police_at_a_collective_visit_come_only_on_the_commanders_decision(
    library: Library,
) -> None:
    """Police are told, but bringing them to the scene is an optional commander's step."""
    item = library.playbook(IncidentType.COLLECTIVE_VISIT).item("police_on_decision")
    assert (item.role, item.required) == ("commander", False)


def test_self_harm_calls_medics_and_police_at_once_and_tells_the_family(
    library: Library,
) -> None:
    """A self-harm incident notifies health and police on open and the family once reachable."""
    playbook = library.playbook(IncidentType.SELF_HARM)
    assert {UnitKind.HEALTH, UnitKind.POLICE} <= told_on_open(playbook, library.units)
    assert UnitKind.FAMILY in told_at_all(playbook, library.units)
    assert playbook.item("keep_evidence").evidence
    assert playbook.item("call_ambulance").due is not None


@pytest.mark.parametrize(
    ("incident_type", "kind"),
    [
        (IncidentType.MEDICAL, UnitKind.HEALTH),
        (IncidentType.MEDICAL, UnitKind.FAMILY),
        (IncidentType.VIOLENCE, UnitKind.HEALTH),
        (IncidentType.DISRUPTION, UnitKind.HEALTH),
        (IncidentType.CROSS_LEVEL_VISIT, UnitKind.STABILITY_OFFICE),
        (IncidentType.COLLECTIVE_VISIT, UnitKind.DISCIPLINE),
        (IncidentType.COLLECTIVE_VISIT, UnitKind.DEPARTMENT),
    ],
)
def test_the_notification_rules_of_the_plans_are_followed(
    library: Library, incident_type: IncidentType, kind: UnitKind
) -> None:
    """Health when someone is ill or hurt, family, stability office, discipline, departments."""
    assert kind in told_at_all(library.playbook(incident_type), library.units)


def test_a_cross_level_visit_tells_the_stability_office_and_the_higher_office_on_open(
    library: Library,
) -> None:
    """Visitors at a higher office: the stability office and the higher office hear at once."""
    playbook = library.playbook(IncidentType.CROSS_LEVEL_VISIT)
    told = {n.unit for n in playbook.notifications_on(Opened())}
    assert {"stability_office", "higher_petition_office", "liaison_team"} <= told


def test_the_default_units_cover_every_kind_the_rules_speak_of(library: Library) -> None:
    """Police, health, discipline, petition bureau, stability office, departments and family."""
    kinds = {unit.kind for unit in library.units.values()}
    assert set(UnitKind) - {UnitKind.OTHER} <= kinds
    assert library.units["family"].contacts == ()


def test_default_dirs_add_the_user_folder_from_the_environment(tmp_path: Path) -> None:
    """Setting WATCHFLOOR_PLAYBOOKS adds the user's folder after the packaged library."""
    assert default_dirs({}) == [packaged_dir()]
    assert default_dirs({ENV_VAR: str(tmp_path)}) == [packaged_dir(), tmp_path]


def test_a_user_folder_overrides_a_playbook_and_adds_a_unit(tmp_path: Path) -> None:
    """A user's own playbook and units.yaml replace the defaults of the same type and id."""
    police = "  - id: police\n    name: {zh: 城关派出所, en: Chengguan station}\n    kind: police\n"
    (tmp_path / "units.yaml").write_text(f"units:\n{police}", encoding="utf-8")
    text = SMALL.read_text(encoding="utf-8").replace(
        "incident_type: other", "incident_type: medical"
    )
    (tmp_path / "my_medical.yaml").write_text(text, encoding="utf-8")
    library = load_library(default_dirs({ENV_VAR: str(tmp_path)}))
    assert library.playbook(IncidentType.MEDICAL).id == "small"
    assert library.sources[IncidentType.MEDICAL] == tmp_path / "my_medical.yaml"
    assert library.playbook(IncidentType.OTHER).id == "other"
    assert library.units["police"].name.en == "Chengguan station"
    assert "health" in library.units


def test_two_playbooks_for_one_type_in_one_folder_are_refused(tmp_path: Path) -> None:
    """A folder with two playbooks for the same type is refused, naming both files."""
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_bytes(SMALL.read_bytes())
    with pytest.raises(PlaybookError) as info:
        load_library([tmp_path])
    [problem] = info.value.problems
    assert problem.file.endswith("b.yaml")
    assert "a.yaml" in problem.message


def test_a_missing_user_folder_is_reported(tmp_path: Path) -> None:
    """Pointing WATCHFLOOR_PLAYBOOKS at a folder that does not exist is an error, not a no-op."""
    with pytest.raises(PlaybookError, match="no such folder"):
        load_library([packaged_dir(), tmp_path / "nowhere"])


def test_problems_in_several_files_of_a_library_are_reported_together(tmp_path: Path) -> None:
    """Two broken files in a user folder are both reported in one error."""
    (tmp_path / "one.yaml").write_text("id: one\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("- not a playbook\n", encoding="utf-8")
    with pytest.raises(PlaybookError) as info:
        load_library([tmp_path])
    assert {Path(p.file).name for p in info.value.problems} == {"one.yaml", "two.yaml"}


def test_an_unreadable_file_is_a_problem_not_a_crash(
    tmp_path: Path, units: Mapping[str, Unit]
) -> None:
    """A playbook path that cannot be read is reported like any other problem."""
    with pytest.raises(PlaybookError, match="cannot read the file"):
        load_playbook(tmp_path / "absent.yaml", units)


def test_the_readme_examples_load(units: Mapping[str, Unit]) -> None:
    """The complete example playbook and units registry in playbooks/README.md are valid."""
    readme = (packaged_dir().parent / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```yaml\n")
    example = next(b for b in blocks if b.startswith("id: collective_visit"))
    playbook = load_playbook_text(example.split("```")[0], "README.md", units)
    assert playbook.level_for(headcount=30, injured=False) is Level.MAJOR
    registry = next(b for b in blocks if b.startswith("units:"))
    assert set(load_units_text(registry.split("```")[0], "README.md")) == {"police"}
