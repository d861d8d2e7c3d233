"""Fuzzing the loader: random bytes, CSV grids, workbooks and county.yaml texts end in a
loaded county or in problems with a file named — never another exception, never slow."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import COUNTY_YAML, LEDGER_HEADERS, ledger_rows, make_package, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fivestar_analysis import validate_package

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

WORDS = [*LEDGER_HEADERS, "序号", "小计", "合计", "填表人：某", "已创成", "√", "计划", "农村", "社区",
         "2023", "2024", "12,5", "1,234", "inf", "-1", "1e309", "=SUM(A1)", "", " ", "\x00",
         "<script>", "Sheet1", "问卷编号", "身份", "群众", "非常满意", "┋", "3、您的身份：",
         "item", "role", "dimension", "multi", "村", "乡镇（街道）"]
cell = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
grid = st.lists(st.lists(cell, min_size=0, max_size=12), min_size=0, max_size=25)


def _check(folder: Path) -> None:
    start = time.perf_counter()
    report = validate_package(folder)  # must not raise
    assert time.perf_counter() - start < 10
    for p in report.errors + report.warnings + report.notes:
        assert p.file is not None
        p.line("zh"), p.line("en")  # every message can be formatted
    assert report.valid or report.errors


def _base(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    return folder


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_ledger(tmp_path_factory, data):
    folder = _base(tmp_path_factory.mktemp("bytes"), "p")
    (folder / "ledger.csv").write_bytes(data)
    _check(folder)


@FUZZ
@given(rows=grid, keep_header=st.booleans())
def test_random_csv_grids(tmp_path_factory, rows, keep_header):
    folder = _base(tmp_path_factory.mktemp("csv"), "p")
    if keep_header:
        rows = [LEDGER_HEADERS, *ledger_rows()[:2], *rows]
    write_csv(folder / "台账.csv", rows[0] if rows else [], rows[1:])
    _check(folder)


@FUZZ
@given(rows=grid, sheet=st.text(
    # a sheet name Excel (and openpyxl with lxml) can store: no control characters
    st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=10).filter(
    lambda s: not any(c in s for c in "[]:*?/\\'") and s.strip()))
def test_random_workbooks(tmp_path_factory, rows, sheet):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    folder = _base(tmp_path_factory.mktemp("xlsx"), "p")
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    for r in [LEDGER_HEADERS, *rows]:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in r])
    if rows and len(rows[0]) > 1:
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=2)
    wb.save(folder / "x.xlsx")
    _check(folder)


YAML_BITS = st.sampled_from([
    "name: 县\n", "code: x\n", "code: yes\n", "year: 2024\n", "year: '2024'\n", "year: [1]\n",
    "targets:\n  share_3plus: 2\n", "targets: 5\n", "rubric: nope\n", "rubric: {base: x}\n",
    "survey: {missing: [a]}\n", "a: &x [1]\nb: *x\n", "!!python/object:os.system x\n",
    "name: !!binary aGVsbG8=\n", "- 1\n", "{{\n", "\t\n", "language: fr\n", "\x00\n",
    "name: " + "长" * 300 + "\n",
])


@FUZZ
@given(parts=st.lists(st.one_of(YAML_BITS, st.text(max_size=30)), max_size=8))
def test_random_county_yaml(tmp_path_factory, parts):
    folder = make_package(tmp_path_factory.mktemp("yaml") / "p", survey=False,
                          county_yaml="")
    (folder / "county.yaml").write_text("".join(parts), encoding="utf-8", errors="replace")
    _check(folder)
