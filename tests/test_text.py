"""The reports' short wording lives in resources/report/text.yaml: every key the code asks
for exists in both languages with the same values to fill, no key is dead, and the section
modules hold no Chinese prose of their own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import fivestar_analysis
from fivestar_analysis.errors import InvalidArgument, UnknownName
from fivestar_analysis.present.text import _texts, placeholders, text, text_keys

PACKAGE = Path(fivestar_analysis.__file__).parent
PRESENT = PACKAGE / "present"
#: keys the code composes at run time: section titles and finding headings
DYNAMIC = ("section.", "compare.section.", "finding.")
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")


def _string_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)}


def _used_keys() -> set[str]:
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        used |= {s for s in _string_literals(path) if KEY.match(s)}
    return used


#: texts where one language does not need a value: Chinese lists “A、B、C等” without the count
ONE_SIDED = {"title.compare.more"}


def test_both_languages_fill_the_same_values():
    for key, entry in _texts().items():
        zh, en = placeholders(entry["zh"]), placeholders(entry["en"])
        assert zh == en or (key in ONE_SIDED and zh <= en), key
        assert entry["zh"].strip() and entry["en"].strip(), key


def test_every_key_the_code_uses_exists():
    missing = {k for k in _used_keys() if k.split(".")[0] in {"section", "basic", "achievements",
                                                               "problems", "causes", "measures",
                                                               "appendix", "compare", "meta",
                                                               "title", "note", "finding",
                                                               "table", "chart", "list",
                                                               "clause", "bool"}
               and k not in text_keys()}
    assert missing == set()


def test_no_key_is_dead():
    used = _used_keys()
    dead = {k for k in text_keys() if k not in used and not k.startswith(DYNAMIC)}
    assert dead == set()


def test_the_sections_hold_no_chinese_prose():
    # what is left are docstrings and comments; no string literal in the section modules
    han = re.compile(r"[\u4e00-\u9fff]")
    for name in ("sections.py", "survey_sections.py", "comparison_sections.py", "html.py",
                 "display.py", "workbook.py"):
        path = PRESENT / name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        prose = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str) and han.search(n.value)
                 and id(n) not in docstrings]
        assert prose == [], (name, prose)


def test_text_fills_values_and_refuses_what_it_cannot():
    assert text("basic.levels.caption", "zh", year=2025) == "2025年各星级支部数（个）"
    assert text("basic.levels.caption", "en", year=2025) == "Branches by level, 2025"
    # anything but en is Chinese, the reports' default
    assert text("section.basic", "fr") == text("section.basic", "zh")
    with pytest.raises(UnknownName):
        text("no.such.key")
    with pytest.raises(InvalidArgument, match="year"):
        text("basic.levels.caption", "zh")


def test_dead_key_check_can_fail(tmp_path):
    # the scan that finds used keys sees a key written in code, and only such strings
    f = tmp_path / "m.py"
    f.write_text('x = p.t("basic.levels.caption")\ny = "not a key"\n"""中文 docstring"""\n')
    assert {s for s in _string_literals(f) if KEY.match(s)} == {"basic.levels.caption"}
