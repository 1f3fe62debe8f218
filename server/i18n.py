"""The string catalogues: zh-CN (the default) and en. Every user-visible string is here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

import web

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


def normalize(language: str | None) -> str:
    return "en" if language and language.lower().startswith("en") else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Catalogue:
    texts: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalogue:
        folder = folder or Path(web.__file__).parent / "locales"
        return cls(
            {
                lang: yaml.safe_load((folder / f"{lang}.yaml").read_text("utf-8"))
                for lang in LANGUAGES
            }
        )

    def with_names(self, prefix: str, names: Mapping[str, tuple[str, str]]) -> Catalogue:
        """Add names from data (units of the office): `{prefix}.{id}` → (zh, en)."""
        zh = {**self.texts["zh-CN"], **{f"{prefix}.{k}": v[0] for k, v in names.items()}}
        en = {**self.texts["en"], **{f"{prefix}.{k}": v[1] for k, v in names.items()}}
        return Catalogue({"zh-CN": zh, "en": en})

    def t(self, language: str, key: str, **params: object) -> str:
        text = self.texts[normalize(language)].get(key)
        if text is None:
            text = self.texts[DEFAULT_LANGUAGE].get(key, key)
        return text.format(**params) if params else text


@dataclass(frozen=True, slots=True)
class Translator:
    """The catalogue bound to one language and the office's time zone, for templates;
    with the users' display names by login id (the record keeps ids: names are for showing)."""

    catalogue: Catalogue
    language: str
    zone: ZoneInfo
    names: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, key: str, **params: object) -> str:
        return self.catalogue.t(self.language, key, **params)

    def name(self, prefix: str, ident: str) -> str:
        """A named thing (a unit) in this language, or its id when it has no name here."""
        key = f"{prefix}.{ident}"
        return self(key) if key in self.catalogue.texts[self.language] else ident

    def who(self, ident: str | None) -> str:
        """A person by display name, a unit ("unit:police") by its name; else the id recorded."""
        if not ident:
            return ""
        if ident in self.names:
            return self.names[ident]
        prefix, _, unit = ident.partition(":")
        named = prefix == "unit" and f"unit.{unit}" in self.catalogue.texts[self.language]
        return self.name("unit", unit) if named else ident

    def label(self, key: str) -> str:
        """A label followed by this language's colon: "现场指挥：", "Commander: "."""
        return self(key) + self("punct.colon")

    def time(self, when: datetime | None) -> str:
        return when.astimezone(self.zone).strftime("%m-%d %H:%M") if when else ""

    def date(self, when: datetime | None) -> str:
        """With the year, for what may fall in another year: deadlines weeks ahead, shifts."""
        return when.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if when else ""

    def deadline(self, when: datetime | None, now: datetime) -> str:
        """A deadline: month, day and time today, with the year when it falls after today."""
        if when is None:
            return ""
        later = when.astimezone(self.zone).date() > now.astimezone(self.zone).date()
        return self.date(when) if later else self.time(when)

    def clock(self, when: datetime | None) -> str:
        return when.astimezone(self.zone).strftime("%H:%M:%S") if when else ""

    @property
    def is_en(self) -> bool:
        return self.language == "en"
