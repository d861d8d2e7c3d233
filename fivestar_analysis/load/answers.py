"""Survey answers written as words, turned into the codes the analysis works on.

Online survey platforms (问卷星, 腾讯问卷 …) export the option text a respondent ticked —
“非常满意”, “比较重要”, “是” — and SPSS files carry value labels. A word is looked up, in
order, in the item's own option labels (codebook ``options``, or an SPSS file's value
labels), in the built-in five-point sets of ``resources/aliases.yaml`` (satisfaction,
agreement, importance, frequency, conformity; only on five-point items) and, on 0/1 items,
in the yes/no words. Words meaning “no answer” (说不清, (跳过) …) are missing.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from fivestar_analysis.load.collect import _number_text
from fivestar_analysis.load.vocab import aliases, fold

__all__ = ["AnswerMap", "MISSING", "option_key"]

#: what a missing word maps to
MISSING = "missing"
# a letter or number an export puts before the option text: “A.非常满意”, “5、非常满意”
_OPTION_PREFIX = re.compile(r"^(?:[a-h]|\d{1,2})[.、:)\s]+(?=\D)")
# free text typed into an “other” option: 其他〖…〗 or 其他(…)
_OTHER_TEXT = re.compile(r"[〖\[【].*?[〗\]】]$")


def option_key(text: Any) -> str:
    """The folded form an answer or option label is compared in."""
    f = fold(text)
    f = _OTHER_TEXT.sub("", f)
    return _OPTION_PREFIX.sub("", f) or f


@lru_cache(maxsize=1)
def _five_point() -> dict[str, int]:
    out: dict[str, int] = {}
    for ranks in aliases()["answers"]["five_point"].values():
        for rank, words in enumerate(ranks, start=1):
            for w in words:
                out.setdefault(option_key(w), rank)
    return out


@lru_cache(maxsize=1)
def _yes_no() -> dict[str, int]:
    yes, no = aliases()["answers"]["yes_no"]
    return {**{option_key(w): 0 for w in no}, **{option_key(w): 1 for w in yes}}


@lru_cache(maxsize=1)
def _missing() -> frozenset[str]:
    return frozenset(option_key(w) for w in aliases()["answers"]["missing"])


class AnswerMap:
    """Turns one item's answers (codes or words) into numbers.

    ``code(text)`` returns a float, :data:`MISSING` for a word meaning no answer, or None
    when the text is neither a number nor a known word.
    """

    def __init__(self, scale_min: float, scale_max: float, options: dict[int, str] | None,
                 extra_labels: dict[str, str] | None = None):
        self.labels: dict[str, float] = {}
        for code, label in (options or {}).items():
            self.labels.setdefault(option_key(label), float(code))
        for code, label in (extra_labels or {}).items():
            try:
                self.labels.setdefault(option_key(label), float(code))
            except ValueError:
                continue
        self.lo, self.hi = float(scale_min), float(scale_max)
        self.five = self.hi - self.lo == 4
        self.binary = self.lo == 0 and self.hi == 1

    def code(self, text: str) -> float | str | None:
        number = _number_text(text)
        if number is not None:
            try:
                value = float(number)
                if math.isfinite(value):
                    return value
            except ValueError:
                pass
        key = option_key(text)
        if key in self.labels:
            return self.labels[key]
        if self.binary and key in _yes_no():
            return float(_yes_no()[key])
        if self.five and key in _five_point():
            return self.lo + _five_point()[key] - 1
        if key in _missing():
            return MISSING
        return None


def multi_codes(text: str, options: dict[int, str]) -> list[int] | None:
    """Codes of a multi-select answer: ``1;3``, or labels joined with ┋ ; , 、 or |.

    Returns None when a part is neither a code nor an option label.
    """
    labels = {option_key(v): int(k) for k, v in options.items()}
    out = set()
    for part in re.split(r"[┋|;；,，、\n]+", text):
        part = part.strip()
        if not part:
            continue
        key = option_key(part)
        if key in labels:
            out.add(labels[key])
            continue
        try:
            value = float(part)
        except ValueError:
            return None
        if not value.is_integer():
            return None
        out.add(int(value))
    return sorted(out)
