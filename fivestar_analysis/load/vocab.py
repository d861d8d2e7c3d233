"""Header aliases and cell vocabularies: turning what a clerk typed into canonical values.

Everything here is driven by ``resources/aliases.yaml``; the functions only normalise text
(NFKC width folding, case, spaces, trailing units) before looking it up.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "each_distinct",
    "fold",
    "normalize_header",
    "match_header",
    "match_in",
    "header_index",
    "platform_names",
    "question_number",
    "parse_status",
    "parse_kind",
    "parse_group",
    "parse_bool",
    "parse_role",
    "aliases",
]

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# A trailing unit or note in brackets: （万元） (万元) [人] 【户】, possibly repeated.
_TRAILING_BRACKET = re.compile(r"[\(\[【（〔][^\(\)\[\]【】（）〔〕]*[\)\]】）〕]$")
# A unit written after a slash or as a bare suffix: 收入/万元, 收入:万元, 收入单位万元
_TRAILING_UNIT = re.compile(r"(?:[/:：]|单位[:：]?)(?:万元|元|人|户|个|岁|平方米|亩|%)$")


@lru_cache(maxsize=1)
def aliases() -> dict[str, Any]:
    path = resources.files("fivestar_analysis") / "resources" / "aliases.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def fold(text: Any) -> str:
    """Width-fold (NFKC), trim, drop all white space and lower-case a cell or header."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _SPACES.sub("", s).lower()


def each_distinct(cells, fn):
    """``cells.map(fn)`` (a Series of one column), calling ``fn`` once per distinct cell: a
    column of a million answers holds a handful of different texts. ``fn`` must treat
    every missing value (None, NaN) alike."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(v) for v in uniques]
    return pd.Series(mapped[codes], index=cells.index, name=cells.name).infer_objects()


# A leading question number: 3、 3. 3) Q3. Q3、 第3题 (3) — not 2024年 or 3.5万元
_QUESTION_NUMBER = re.compile(
    r"^(?:第\d+题[.、:)_\-]?|q\d+(?:[.、:)_\-]|(?=\D))|\(\d+\)|\d+(?:[、)]|\.(?!\d)))")
_TRAILING_PUNCT = re.compile(r"[:?。!;,*]+$")


@lru_cache(maxsize=1)
def _traditional() -> dict[int, str]:
    table = aliases().get("traditional", {})
    return {ord(t): s for t, s in table.items()}


def question_number(header: Any) -> int | None:
    """The number a survey platform puts before a question (“3、…”, “Q3.”, “第3题”)."""
    h = fold(header)
    m = _QUESTION_NUMBER.match(h)
    if not m:
        return None
    digits = re.search(r"\d+", m.group(0))
    return int(digits.group(0)) if digits else None


def normalize_header(header: Any) -> str:
    """The folded form a header is matched in.

    NFKC width folding, no spaces, lower case, ``-`` → ``_``, Traditional characters of the
    alias table made Simplified, a leading question number (“3、”, “Q3.”, “第3题”) and
    trailing colons or question marks removed.
    """
    h = fold(header).translate(_traditional()).replace("-", "_")
    stripped = _TRAILING_PUNCT.sub("", _QUESTION_NUMBER.sub("", h, count=1))
    return stripped or h


@lru_cache(maxsize=8)
def _header_index(table: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, names in aliases()[table].items():
        for name in [canonical, *names]:
            index.setdefault(normalize_header(name), canonical)
    return index


def match_header(header: Any, table: str, extra: dict[str, str] | None = None) -> str | None:
    """Canonical column name for a header of ``table`` (ledger/survey/codebook), or None.

    ``extra`` maps further folded names to canonical names (e.g. star names from the rubric).
    The whole folded header is tried first, then the header without a trailing unit, so
    ``乡镇（街道）`` stays an alias of its own while ``村集体经济收入（万元）`` loses its unit.
    """
    index = _header_index(table)
    if extra:
        index = dict(index)
        for name, canonical in extra.items():
            index.setdefault(normalize_header(name), canonical)
    return match_in(index, header)


def platform_names() -> dict[str, str]:
    """Survey-platform column names (问卷星, 腾讯问卷 …) -> ``platform:<kind>``."""
    return {name: f"platform:{kind}" for kind, names in aliases()["platform"].items()
            for name in names}


def header_index(table: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Folded name -> canonical name for the headers of ``table``, with ``extra`` names."""
    index = dict(_header_index(table))
    for name, canonical in (extra or {}).items():
        index.setdefault(normalize_header(name), canonical)
    return index


def match_in(index: dict[str, str], header: Any) -> str | None:
    """Look a header up in a prepared index, peeling trailing units one at a time."""
    h = normalize_header(header)
    # peel trailing units one at a time: 村（社区）（万元） -> 村（社区） matches before 村 would
    while True:
        if h in index:
            return index[h]
        shorter = _TRAILING_UNIT.sub("", _TRAILING_BRACKET.sub("", h, count=1))
        if shorter == h or not shorter:
            return None
        h = shorter


@lru_cache(maxsize=16)
def _vocab(section: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, words in aliases()[section].items():
        for w in words:
            out[fold(w)] = str(canonical)
    return out


def _lookup(section: str, value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        value = ""
    if isinstance(value, bool):
        value = "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _vocab(section).get(fold(value))


def parse_status(value: Any) -> str | None:
    """``awarded``/``planned``/``none`` for a star-status cell, or None if unrecognised."""
    return _lookup("status", value)


def parse_kind(value: Any) -> str | None:
    """``rural``/``community`` for a kind cell, or None."""
    return _lookup("kind", value)


def parse_group(value: Any) -> str | None:
    """``resident``/``member``/``cadre`` for a respondent group cell, or None."""
    return _lookup("group", value)


def parse_bool(value: Any) -> bool | None:
    """True/False for a yes/no cell (是/否, 1/0 …); None if unrecognised."""
    hit = _lookup("boolean", value)
    return None if hit is None else hit == "true"


def parse_role(value: Any) -> str | None:
    """Codebook role (satisfaction, importance, knowledge, choice, multi, text) or None."""
    f = fold(value)
    roles = aliases()["role"]
    if f in roles:
        return f
    for canonical, words in roles.items():
        if f in {fold(w) for w in words}:
            return canonical
    return None
