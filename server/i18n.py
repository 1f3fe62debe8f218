"""The string catalogues: zh-CN (the default) and en. Every user-visible string is here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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

    def t(self, language: str, key: str, **params: object) -> str:
        text = self.texts[normalize(language)].get(key)
        if text is None:
            text = self.texts[DEFAULT_LANGUAGE].get(key, key)
        return text.format(**params) if params else text


@dataclass(frozen=True, slots=True)
class Translator:
    """The catalogue bound to one language and the office's time zone, for templates."""

    catalogue: Catalogue
    language: str
    zone: ZoneInfo

    def __call__(self, key: str, **params: object) -> str:
        return self.catalogue.t(self.language, key, **params)

    def time(self, when: datetime | None) -> str:
        return when.astimezone(self.zone).strftime("%m-%d %H:%M") if when else ""

    def clock(self, when: datetime | None) -> str:
        return when.astimezone(self.zone).strftime("%H:%M:%S") if when else ""

    @property
    def is_en(self) -> bool:
        return self.language == "en"
