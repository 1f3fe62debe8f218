"""A refusal as a person reads it: `refusal.<reason>` in their language, every id by its name.

The domain raises a reason key with parameters (incidents/errors.py); only here do they
become a sentence. A reason without a text says so in the log and shows a plain "could
not be done" in the reader's language: tests/test_refusals.py keeps that from happening.
"""

from __future__ import annotations

import structlog

from incidents.errors import DomainError, Named, Param
from incidents.plan import Bilingual
from server.i18n import Translator

log = structlog.get_logger(__name__)
UNKNOWN = "refusal.unknown"


def shown(t: Translator, value: Param) -> str | int:
    """A parameter in the reader's language: a name for an id, one language of two, a list."""
    if isinstance(value, Named):
        return t.who(value.id) if value.kind == "user" else t.name(value.kind, value.id)
    if isinstance(value, Bilingual):
        return value.get(t.language)
    if isinstance(value, tuple):
        return t("punct.list").join(str(shown(t, v)) for v in value)
    return value


def refusal_text(t: Translator, reason: str, params: dict[str, Param]) -> str:
    """The sentence for `reason`; the plain "could not be done" when the catalogue has none."""
    key = f"refusal.{reason}"
    if not t.catalogue.has(t.language, key):
        log.error("refusal_untranslated", reason=reason)
        return t(UNKNOWN)
    filled = {name: shown(t, value) for name, value in params.items()}
    try:  # `_` makes the text be formatted even without parameters: no "{items}" shows
        return t(key, _=reason, **filled)
    except (KeyError, IndexError):  # the sentence wants a parameter the refusal lacks
        log.error("refusal_parameters", reason=reason, params=sorted(params))
        return t(UNKNOWN)


def explain(t: Translator, exc: DomainError) -> str:
    """What a person reads for a domain refusal."""
    return refusal_text(t, exc.reason, dict(exc.params))
