"""The string catalogues: every string exists in zh-CN (the default) and en, alike."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

import pytest

from server.i18n import PLURAL_FORMS, Catalogue, CatalogueError, normalize


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def plurals(texts: Mapping[str, str]) -> set[str]:
    """The plural messages: `x.other` counts `{n}` (unlike `type.other`, a type named other)."""
    return {
        k.removesuffix(".other")
        for k, v in texts.items()
        if k.endswith(".other") and "n" in fields(v)
    }


def messages(texts: Mapping[str, str], language: str) -> dict[str, set[str]]:
    """Each message (a plural key once, without its form) and the blanks it fills."""
    counted = plurals(texts)
    found: dict[str, set[str]] = {}
    for key, text in texts.items():
        stem, _, form = key.rpartition(".")
        name = stem if stem in counted and form in PLURAL_FORMS[language] else key
        found.setdefault(name, set()).update(fields(text))
    return found


def test_both_languages_have_every_key() -> None:
    """No string is shown in one language only."""
    texts = Catalogue.load().texts
    assert set(messages(texts["zh-CN"], "zh-CN")) == set(messages(texts["en"], "en"))


def test_placeholders_match_between_languages() -> None:
    """A sentence fills the same blanks in Chinese and English."""
    texts = Catalogue.load().texts
    zh, en = messages(texts["zh-CN"], "zh-CN"), messages(texts["en"], "en")
    assert [k for k in zh if zh[k] != en[k]] == []


def test_every_plural_has_each_form_its_language_writes() -> None:
    """English writes "one" and "other" for every count; Chinese one form, and no key twice."""
    for language, texts in Catalogue.load().texts.items():
        for stem in plurals(texts):
            assert stem not in texts, stem
            written = {k.rpartition(".")[2] for k in texts if k.rpartition(".")[0] == stem}
            assert written == set(PLURAL_FORMS[language]), (language, stem)


def test_english_counts_people_and_minutes_in_the_singular_and_the_plural() -> None:
    """One person, two people, 1 minute, 5 minutes; Chinese writes 人 and 分钟 for every count."""
    c = Catalogue.load()
    assert c.t("en", "count.people", n=1) == "1 person"
    assert c.t("en", "count.people", n=2) == "2 people"
    assert c.t("en", "count.minutes", n=1) == "1 minute"
    assert c.t("en", "count.minutes", n=5) == "5 minutes"
    assert c.t("zh-CN", "count.people", n=1) == "1 人"
    assert c.t("zh-CN", "count.people", n=35) == "35 人"


def test_a_key_defined_twice_is_a_load_error_naming_file_line_and_key(tmp_path: Path) -> None:
    """A catalogue with a key twice does not load: the error names the file, line and key."""
    (tmp_path / "zh-CN.yaml").write_text(
        "a: 一\nnotify.none: 无\nnotify.none: 本事件无需通报单位\n"
    )
    (tmp_path / "en.yaml").write_text("a: one\n")
    with pytest.raises(CatalogueError) as refused:
        Catalogue.load(tmp_path)
    assert str(refused.value) == (
        f"{tmp_path / 'zh-CN.yaml'}:3: duplicate key 'notify.none' (first on line 2)"
    )


def test_no_blank_means_two_things() -> None:
    """What a notice says when a field is empty is not what the panel says with no unit."""
    c = Catalogue.load()
    assert c.t("zh-CN", "notify.value_none") == "无"
    assert c.t("zh-CN", "notify.none") == "本事件无需通报单位"


def test_every_value_is_text() -> None:
    """YAML 1.1 surprises (yes/no, times) never turn a string into something else."""
    texts = Catalogue.load().texts
    assert all(isinstance(v, str) for lang in texts.values() for v in lang.values())


def test_chinese_is_the_default() -> None:
    """Without a choice, or with an unknown one, the console speaks Chinese."""
    catalogue = Catalogue.load()
    assert normalize(None) == normalize("fr") == "zh-CN"
    assert catalogue.t("zh-CN", "board.title") == "进行中的事件"
    assert catalogue.t("en-GB", "board.title") == "Open incidents"
