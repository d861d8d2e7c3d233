"""One exception hierarchy and one problem record for everything a user's data can get wrong.

A :class:`DataProblem` names the file, the row as a spreadsheet shows it (header = row 1),
the column as the user wrote it, what was found, what was expected and how to fix it.
Its text comes from the packaged message catalogue (``resources/messages.yaml``) in
Chinese or English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "FivestarError",
    "InvalidArgument",
    "UnknownName",
    "OutputNotWritable",
    "DataProblem",
    "PackageInvalid",
    "message",
]


class FivestarError(Exception):
    """Base class of the errors this package raises on purpose."""


class InvalidArgument(FivestarError, ValueError):
    """A function was called with a value it does not accept (a basis, a year, a table).

    Also a :class:`ValueError`, so ``except ValueError`` in callers keeps working.
    """


class UnknownName(FivestarError, KeyError):
    """A name that does not exist: a star key, a problem code, a settings key.

    Also a :class:`KeyError`.
    """

    def __str__(self) -> str:  # KeyError would print the message with quotes around it
        return str(self.args[0]) if self.args else ""


class OutputNotWritable(FivestarError):
    """The output folder the user gave cannot be created or written to."""

    def __init__(self, folder: Any, reason: str):
        self.folder, self.reason = str(folder), reason
        super().__init__(f"cannot write to the output folder {self.folder}: {reason}")

    def localized(self, language: str = "zh") -> str:
        return message("out_not_writable", language, folder=self.folder, reason=self.reason)


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    path = resources.files("fivestar_analysis") / "resources" / "messages.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def message(key: str, language: str = "zh", **params: Any) -> str:
    """A UI string from the message catalogue (``ui`` section), formatted with ``params``."""
    entry = _catalogue()["ui"][key]
    text = entry.get(language) or entry["zh"]
    return text.format_map(_Default(params))


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text safe to print on a terminal: control characters (a NUL, the ESC of an ANSI
    sequence) and direction overrides shown as ``\\xNN`` / ``\\uNNNN`` instead of acting."""
    return _INVISIBLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def catalogue_text(section: str, name: str, language: str = "zh", /, **params: Any) -> Any:
    """An entry of a section of the message catalogue in ``language`` (Chinese when the
    language has none); a string is formatted with ``params``, a mapping's strings too."""
    entry = _catalogue()[section][name]
    value = entry.get(language) or entry["zh"]
    if isinstance(value, dict):
        return {k: v.format_map(_Default(params)) for k, v in value.items()}
    return value.format_map(_Default(params))


def published_reason(code: str, language: str = "zh", **params: Any) -> str:
    """A sentence of the ``published`` section: why published counts do not add up."""
    entry = _catalogue()["published"][code]
    return (entry.get(language) or entry["zh"]).format_map(_Default(params))


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class DataProblem:
    """One problem (or warning) in a county data package."""

    code: str
    file: str
    row: int | None = None
    column: str | None = None
    found: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # or "warning", or "info" (how a file was read; never stops a run)
    col_letter: str | None = None

    def _entry(self) -> dict[str, Any]:
        cat = _catalogue()["problems"]
        if self.code not in cat:
            raise UnknownName(f"no message for problem code {self.code!r}")
        return cat[self.code]

    def expected(self, language: str = "zh") -> str:
        e = self._entry()[language if language == "en" else "zh"]
        return e["expected"].format_map(_Default(self.params))

    def fix(self, language: str = "zh") -> str:
        e = self._entry()[language if language == "en" else "zh"]
        return e["fix"].format_map(_Default(self.params))

    def location(self, language: str = "zh") -> str:
        return visible(self._location(language))

    def _location(self, language: str = "zh") -> str:
        parts = [self.file]
        is_yaml = self.file.endswith((".yaml", ".yml"))
        if language == "en":
            if self.row is not None:
                parts.append(f"{'line' if is_yaml else 'row'} {self.row}")
            if self.column is not None:
                letter = f" ({self.col_letter})" if self.col_letter else ""
                parts.append(f"{'key' if is_yaml else 'column'} {self.column}{letter}")
            return ", ".join(parts)
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column is not None:
            letter = f"（{self.col_letter}列）" if self.col_letter else ""
            parts.append(f"“{self.column}”{'项' if is_yaml else '列'}{letter}")
        return "，".join(parts)

    def message(self, language: str = "zh") -> str:
        return visible(self._message(language))

    def _message(self, language: str = "zh") -> str:
        """The problem in one sentence: what was found, what was expected, and the fix.

        An info-level note has no fix: its catalogue entry carries one ``note`` sentence.
        """
        if self.severity == "info":
            e = self._entry()[language if language == "en" else "zh"]
            return e["note"].format_map(_Default({"found": self.found or "", **self.params}))
        if language == "en":
            found = "" if self.found is None else (
                "the cell is empty; " if self.found == "" else f"found {self.found!r}; ")
            return f"{found}expected {self.expected('en')}. Fix: {self.fix('en')}"
        found = "" if self.found is None else (
            "单元格为空，" if self.found == "" else f"发现“{self.found}”，")
        return f"{found}应为{self.expected('zh')}。修改：{self.fix('zh')}"

    def line(self, language: str = "zh") -> str:
        """One line for the terminal: severity, location, message."""
        tag = {"error": ("错误", "ERROR"), "warning": ("警告", "WARNING"),
               "info": ("说明", "NOTE")}[self.severity]
        label = tag[1] if language == "en" else tag[0]
        sep = ": " if language == "en" else "："
        return f"{label} {self.location(language)}{sep}{self.message(language)}"

    def to_dict(self, language: str = "zh") -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message(language),
            "code": self.code,
            "severity": self.severity,
        }


class PackageInvalid(FivestarError):
    """A county data package breaks the contract; ``problems`` lists every error found."""

    def __init__(self, problems: list[DataProblem], warnings: list[DataProblem] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        super().__init__(
            f"{len(problems)} problem(s) in the county data package:\n"
            + "\n".join(p.line("en") for p in problems)
        )
