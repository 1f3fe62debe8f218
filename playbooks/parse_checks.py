"""The `checks:` of a playbook: recurring welfare checks on the visitor, read field by field.

    checks:
      - id: hunger_watch
        title: {zh: 绝食人员状况观察, en: Hunger striker welfare check}
        every: 15m            # how often the visitor is looked at
        grace: 5m             # optional: how long past due before it counts as missed
        starts_with: [item]   # optional: ticking one of these starts it; none: from the opening
        manual: true          # optional, not with starts_with: started from the page only
        stops_with: [item]    # optional: ticking one of these stops it
        observe:
          - {id: conscious, label: {zh: 意识清醒, en: Conscious}, answer: yes_no}
          - id: mood
            label: {zh: 情绪, en: Mood}
            choices:
              - {id: calm, label: {zh: 平静, en: Calm}}
              - {id: distressed, label: {zh: 痛苦, en: Distressed}}
        on_missed: {notify: [health]}   # optional: the units told when a check is missed

References (items, units) are checked in validate_checks.py.
"""

from __future__ import annotations

from playbooks.fields import (
    NO_TEXT,
    Ctx,
    Node,
    as_bool,
    as_duration,
    as_id,
    as_text,
    list_of,
    mapping,
    scalar,
)
from playbooks.schema import Check, Choice, Observation, Text

YES_NO = (Choice("yes", Text(zh="是", en="Yes")), Choice("no", Text(zh="否", en="No")))
ANSWERS = {"yes_no": YES_NO}
MAX_CHOICES = 6  # big buttons, one hand, a 375 px screen
MIN_EVERY = 60  # seconds: a check more often than each minute cannot be kept by a person

as_ids = list_of(as_id, unique=True)


def read_check(ctx: Ctx, node: Node, path: str) -> Check:
    required = ("id", "title", "every", "observe")
    optional = ("grace", "starts_with", "manual", "stops_with", "on_missed")
    f = mapping(ctx, node, path, required, optional)
    every = f.get("every", as_duration, MIN_EVERY)
    if 0 < every < MIN_EVERY:
        ctx.report(f"{path}.every", "a check cannot be more often than every 1m")
    manual = f.get("manual", as_bool, False)
    if manual and "starts_with" in f.nodes:
        ctx.report(f"{path}.manual", "a manual check has no starts_with; give one or the other")
    return Check(
        id=f.get("id", as_id, ""),
        title=f.get("title", as_text, NO_TEXT),
        every=every,
        observe=f.get("observe", list_of(read_observation, non_empty=True), ()),
        grace=f.get("grace", as_duration, 0),
        starts_with=f.get("starts_with", as_ids, ()),
        stops_with=f.get("stops_with", as_ids, ()),
        manual=manual,
        notify_on_missed=f.get("on_missed", read_on_missed, ()),
    )


def read_on_missed(ctx: Ctx, node: Node, path: str) -> tuple[str, ...]:
    f = mapping(ctx, node, path, ("notify",))
    return f.get("notify", list_of(as_id, non_empty=True, unique=True), ())


def read_observation(ctx: Ctx, node: Node, path: str) -> Observation:
    """An observation with exactly one of `answer: yes_no` or `choices:`."""
    f = mapping(ctx, node, path, ("id", "label"), ("answer", "choices"))
    if ("answer" in f.nodes) == ("choices" in f.nodes):
        ctx.report(path, "an observation needs exactly one of 'answer: yes_no' or 'choices'", node)
    none: tuple[Choice, ...] = ()
    choices = f.get("choices", list_of(read_choice, non_empty=True), none)
    if len(choices) > MAX_CHOICES:
        ctx.report(f"{path}.choices", f"at most {MAX_CHOICES} choices fit one hand's buttons")
    _check_unique_choices(ctx, path, choices)
    answer = f.get("answer", read_answer, none)
    return Observation(f.get("id", as_id, ""), f.get("label", as_text, NO_TEXT), answer or choices)


def read_answer(ctx: Ctx, node: Node, path: str) -> tuple[Choice, ...]:
    value = scalar(ctx, node, path)
    if value is not None and value not in ANSWERS:
        names = ", ".join(ANSWERS)
        ctx.report(path, f"{value!r} is not a kind of answer; expected one of: {names}", node)
    return ANSWERS.get(value or "", ())


def read_choice(ctx: Ctx, node: Node, path: str) -> Choice:
    f = mapping(ctx, node, path, ("id", "label"))
    return Choice(f.get("id", as_id, ""), f.get("label", as_text, NO_TEXT))


def _check_unique_choices(ctx: Ctx, path: str, choices: tuple[Choice, ...]) -> None:
    seen: set[str] = set()
    for i, choice in enumerate(choices):
        if choice.id and choice.id in seen:
            ctx.report(f"{path}.choices[{i}].id", f"duplicate choice id {choice.id!r}")
        seen.add(choice.id)
