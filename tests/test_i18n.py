"""The string catalogues: every string exists in zh-CN (the default) and en, alike."""

from __future__ import annotations

import string

from server.i18n import Catalogue, normalize


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_every_key() -> None:
    """No string is shown in one language only."""
    texts = Catalogue.load().texts
    assert set(texts["zh-CN"]) == set(texts["en"])


def test_placeholders_match_between_languages() -> None:
    """A sentence fills the same blanks in Chinese and English."""
    texts = Catalogue.load().texts
    wrong = [k for k in texts["zh-CN"] if fields(texts["zh-CN"][k]) != fields(texts["en"][k])]
    assert wrong == []


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
