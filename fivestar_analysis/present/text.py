"""The reports' short wording by key (``resources/report/text.yaml``), in Chinese or English.

>>> text("basic.levels.caption", "en", year=2025)
'Branches by level, 2025'

Values are formatted by the caller (:mod:`fivestar_analysis.model.formats`) and filled in
with ``str.format``; the result is plain text, escaped where it is written out.
"""

from __future__ import annotations

import string
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from fivestar_analysis.errors import InvalidArgument, UnknownName

__all__ = ["text", "text_keys", "placeholders"]

LANGUAGES = ("zh", "en")


@lru_cache(maxsize=1)
def _texts() -> dict[str, dict[str, str]]:
    path = resources.files("fivestar_analysis") / "resources" / "report" / "text.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): {lang: str(v[lang]) for lang in LANGUAGES} for k, v in data.items()}


def text_keys() -> set[str]:
    """Every key of the wording file."""
    return set(_texts())


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of one text."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def text(key: str, language: str = "zh", **values: Any) -> str:
    """The text of ``key`` in ``language`` (anything but ``en`` is Chinese), filled in."""
    try:
        entry = _texts()[key]
    except KeyError:
        raise UnknownName(f"no report text {key!r} in resources/report/text.yaml") from None
    template = entry["en" if language == "en" else "zh"]
    try:
        return template.format(**values)
    except KeyError as exc:
        raise InvalidArgument(f"report text {key!r} needs the value {exc.args[0]!r}") from None
