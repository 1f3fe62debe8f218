"""The string catalogues: zh-CN (the default) and en. Every user-visible string is here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

import web

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
# The plural forms each language writes: a key `x` with a count is `x.one`/`x.other`.
PLURAL_FORMS: Mapping[str, tuple[str, ...]] = {"zh-CN": ("other",), "en": ("one", "other")}


def normalize(language: str | None) -> str:
    return "en" if language and language.lower().startswith("en") else DEFAULT_LANGUAGE


def plural_form(language: str, n: int) -> str:
    """The form for the count `n`: English says "1 person", "2 people"; Chinese has one form."""
    return "one" if normalize(language) == "en" and n == 1 else "other"


class CatalogueError(ValueError):
    """A catalogue file that cannot be used as it is (a duplicate key, a value not text)."""


class _UniqueKeys(yaml.SafeLoader):
    """safe_load keeps the last of two equal keys silently; this loader refuses the second."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    first: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first:
            raise CatalogueError(
                f"{loader.name}:{line}: duplicate key {key!r} (first on line {first[key]})"
            )
        first[key] = line
    return loader.construct_mapping(node)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_catalogue(path: Path) -> dict[str, str]:
    """One language's texts; a duplicate key or a value that is not text names file and line."""
    loader = _UniqueKeys(path.read_text("utf-8"))
    loader.name = str(path)  # the marks (and so the errors) name the file
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: not a mapping of keys to texts")
    wrong = [k for k, v in data.items() if not isinstance(k, str) or not isinstance(v, str)]
    if wrong:
        raise CatalogueError(f"{path}: not text: {', '.join(map(str, wrong))}")
    return data


@cache
def default_catalogue() -> Catalogue:
    """The catalogues as shipped, read once: for the few places without the app's own."""
    return Catalogue.load()


@dataclass(frozen=True, slots=True)
class Catalogue:
    texts: Mapping[str, Mapping[str, str]]

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalogue:
        folder = folder or Path(web.__file__).parent / "locales"
        return cls({lang: read_catalogue(folder / f"{lang}.yaml") for lang in LANGUAGES})

    def with_names(self, prefix: str, names: Mapping[str, tuple[str, str]]) -> Catalogue:
        """Add names from data (units of the office): `{prefix}.{id}` → (zh, en)."""
        zh = {**self.texts["zh-CN"], **{f"{prefix}.{k}": v[0] for k, v in names.items()}}
        en = {**self.texts["en"], **{f"{prefix}.{k}": v[1] for k, v in names.items()}}
        return Catalogue({"zh-CN": zh, "en": en})

    def t(self, language: str, key: str, **params: object) -> str:
        """The text of `key` filled with `params`; a plural key's form is chosen by `n`."""
        n = params.get("n")
        count = n if isinstance(n, int) and not isinstance(n, bool) else None
        lang = normalize(language)
        text = self._text(lang, key, count) or self._text(DEFAULT_LANGUAGE, key, count) or key
        return text.format(**params) if params else text

    def has(self, language: str, key: str) -> bool:
        """Whether `key` has a text in this language (a plural key: any of its forms)."""
        texts = self.texts[normalize(language)]
        return key in texts or f"{key}.other" in texts

    def _text(self, language: str, key: str, n: int | None) -> str | None:
        texts = self.texts[language]
        if key in texts or n is None:
            return texts.get(key)
        return texts.get(f"{key}.{plural_form(language, n)}") or texts.get(f"{key}.other")


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
        return self(key) if self.catalogue.has(self.language, key) else ident

    def who(self, ident: str | None) -> str:
        """A person by display name, a unit ("unit:police") by its name, a worker as the
        system, an API token ("token:hospital-his") by its name; else the id recorded."""
        if not ident:
            return ""
        if ident in self.names:
            return self.names[ident]
        prefix, _, unit = ident.partition(":")
        if prefix == "system":  # a worker: the dispatcher, the timers
            return self("who.system")
        if prefix == "drill":  # a drill script's automated actor (server/drills/)
            return self("who.drill")
        if prefix == "token":  # a system's API token (server/auth/api_tokens.py)
            return self("who.token", name=unit)
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
