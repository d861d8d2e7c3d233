"""Issue 15: one load per report, a light command line, warm kernels for batches.

Every check compares against something computed another way: the fingerprint the command
computes from bytes against the one the loader's file hashes give, the HTML of a warm kernel
against fresh renders, the rendered page against the same cells rendered in this process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fivestar_analysis.render.report import fingerprint, plan_report, render_report

DATE = "2030-01-02"
HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "nbformat", "papermill", "jieba")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_help_and_parser_import_nothing_heavy():
    loaded = _modules_after("from fivestar_analysis.cli import build_parser\nbuild_parser()")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
    res = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", "--help"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and "report" in res.stdout and "batch" in res.stdout


def test_up_to_date_is_decided_from_bytes_without_pandas(demo):
    loaded = _modules_after("from fivestar_analysis.render.report import plan_report\n"
                            f"plan_report({str(demo)!r})")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_the_fingerprint_from_bytes_is_the_loaders(demo):
    from fivestar_analysis.load.loader import load_county

    county = load_county(demo)
    plan = plan_report(demo)
    params = {"data_dir": str(Path(demo).resolve()), "year": county.meta.year,
              "language": county.meta.language, "rules_path": None}
    assert plan.params == params
    assert plan.fp == fingerprint(dict(county.meta.files), params)
    (Path(demo) / "county.yaml").touch()  # a touch changes no byte
    assert plan_report(demo).fp == plan.fp


def test_refused_data_are_reported_as_validate_reports_them(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "county.yaml").write_text("name: 坏数据县\ncode: bad\n", encoding="utf-8")
    (bad / "ledger.csv").write_text("支部编码,村名\nX1,某村\n", encoding="utf-8")
    cli = [sys.executable, "-m", "fivestar_analysis.cli"]
    report = subprocess.run([*cli, "report", str(bad), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    check = subprocess.run([*cli, "validate", str(bad)], capture_output=True, text=True)
    assert report.returncode == 2 == check.returncode
    errors = [ln for ln in check.stdout.splitlines() if ln.startswith("错误")]
    assert errors and [ln for ln in report.stdout.splitlines() if ln.startswith("错误")] == errors
    assert "Traceback" not in report.stdout + report.stderr
    assert not [p for p in (tmp_path / "out").iterdir()], "no notebook or output kept"


def _in_process_page(demo: Path, fp: str) -> str:
    """The report page built in this process: the notebook's cells computed here, their HTML
    placed as the cells' outputs, exported like a rendered notebook."""
    from fivestar_analysis.present.sections import report_title_for
    from fivestar_analysis.render.html import export_html
    from fivestar_analysis.render.notebook import prepare, section_html
    from fivestar_analysis.render.report import report_notebook

    rep = prepare(str(demo), language="zh", fingerprint=fp, generated=DATE)
    nb = nbformat.read(report_notebook(), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("show("):
            name = cell.source.split('"')[1]
            cell.outputs = [nbformat.v4.new_output(
                "display_data", data={"text/html": section_html(name, rep),
                                      "text/plain": "<IPython.core.display.HTML object>"})]
    return export_html(nb, report_title_for(rep.county.meta.name, rep.year, "zh"), "zh")


def test_demo_page_equals_its_cells_rendered_in_process(demo, tmp_path):
    result = render_report(demo, tmp_path, formats=("html",), generated=DATE)
    page = result.html.read_text(encoding="utf-8")
    assert DATE in page
    assert page == _in_process_page(demo, result.fingerprint)


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory) -> list[Path]:
    from fivestar_analysis.tools.province import write_demo_province

    return write_demo_province(tmp_path_factory.mktemp("warm"), 2, seed=11, scale=0.25)


def test_two_counties_in_one_kernel_equal_fresh_renders(two_counties, tmp_path):
    from fivestar_analysis.render.kernel import WarmKernel
    from fivestar_analysis.render.report import report_notebook

    fresh = [render_report(p, tmp_path / "fresh", formats=("html",), generated=DATE).html
             for p in two_counties]
    kernel = WarmKernel(cwd=report_notebook().parent)
    try:
        warm = []
        pids = set()
        for p in [*two_counties, two_counties[0]]:  # the first again, after the second
            warm.append(render_report(p, tmp_path / "warm", formats=("html",), generated=DATE,
                                      kernel=kernel).html.read_bytes())
            pids.add(kernel.pid())
        assert kernel.runs == 3 and len(pids) == 1, "all three ran in one kernel"
    finally:
        kernel.close()
    assert warm[0] == fresh[0].read_bytes() == warm[2]
    assert warm[1] == fresh[1].read_bytes()
    assert warm[0] != warm[1]


def test_a_timed_out_kernel_is_replaced_and_the_county_reported(two_counties, tmp_path):
    from fivestar_analysis.render.warm import close_kernels, render_warm

    try:
        first = render_warm(str(two_counties[0]), str(tmp_path), timeout=0.5, force=True,
                            formats=("html",))
        second = render_warm(str(two_counties[1]), str(tmp_path), timeout=300, force=True,
                             formats=("html",))
    finally:
        close_kernels()
    assert first["status"] == "timeout" and "time limit" in first["message"]
    assert second["status"] == "rendered" and Path(second["outputs"]["html"]).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.is_dir()]


def test_warm_batch_reports_invalid_and_skips_unchanged(two_counties, tmp_path):
    from fivestar_analysis.render.batch import run_batch

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "county.yaml").write_text("name: 坏数据县\ncode: bad\n", encoding="utf-8")
    (bad / "ledger.csv").write_text("支部编码,村名\nX1,某村\n", encoding="utf-8")
    first = run_batch([two_counties[0], bad], tmp_path / "out", jobs=1, formats=("html",),
                      progress=False)
    again = run_batch([two_counties[0]], tmp_path / "out", jobs=1, formats=("html",),
                      progress=False)
    assert [o.status for o in first.outcomes] == ["rendered", "invalid"]
    assert "problem(s)" in first.outcomes[1].message
    assert [o.status for o in again.outcomes] == ["skipped"]
    assert again.outcomes[0].headline == first.outcomes[0].headline


def test_jieba_tables_from_the_cache_equal_what_jieba_builds(tmp_path, monkeypatch):
    import jieba
    import jieba.posseg

    from fivestar_analysis.load import jieba_tables as jt

    monkeypatch.setenv("FIVESTAR_CACHE", str(tmp_path))
    jt.tables.cache_clear()
    try:
        built = jt.tables()
        assert len(list(tmp_path.glob("jieba-*.pickle"))) == 1
        jt.tables.cache_clear()
        loaded = jt.tables()
    finally:
        jt.tables.cache_clear()
    assert loaded == built
    tk = jieba.Tokenizer()  # the way the survey module built it before the cache
    tk.initialize()
    for line in jt._domain_text().splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("#"):
            tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None,
                        parts[2] if len(parts) > 2 else None)
            tk.suggest_freq(parts[0], tune=True)
    assert loaded["freq"] == tk.FREQ and loaded["total"] == tk.total
    pos = jieba.posseg.POSTokenizer(tk)  # reads the tags from jieba's dictionary file
    pos.makesure_userdict_loaded()
    assert {**loaded["tags"], **loaded["domain_tags"]} == pos.word_tag_tab


def test_commands_leave_out_the_slow_optional_iri_checker_and_notebooks_still_validate():
    # papermill -> nbformat -> jsonschema imports rfc3987_syntax when installed, which builds a
    # grammar for about 3 s; the command line marks it absent; notebook validation never
    # needed it
    code = """
import sys
from fivestar_analysis.cli import main
main(["validate", "/nonexistent-folder-for-this-test"])
import nbformat, papermill, nbconvert
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell("1 + 1")]
nbformat.validate(nb)
bad = nbformat.v4.new_notebook()
bad.cells = [{"cell_type": "code"}]
try:
    nbformat.validate(bad)
except nbformat.ValidationError:
    print("invalid notebook refused")
print("rfc3987_syntax", sys.modules.get("rfc3987_syntax", "absent"))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "invalid notebook refused" in out.stdout
    assert "rfc3987_syntax None" in out.stdout  # marked as not installed, never imported


def test_a_warm_kernel_clears_the_namespace_between_notebooks(tmp_path):
    """The reset sent after a notebook (without waiting) runs before the next one's cells."""
    import nbformat

    from fivestar_analysis.render.kernel import WarmKernel

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "assert 'leftover' not in globals(), 'state leaked from the previous notebook'\n"
        "import fivestar_analysis.describe.county as _d  # preloaded: the module is there\n"
        "leftover = 1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "leak.ipynb"
    nbformat.write(nb, path)
    kernel = WarmKernel(cwd=tmp_path)
    try:
        kernel.start()
        for i in range(3):
            kernel.run(path, tmp_path / f"out{i}.ipynb", {})
        assert kernel.runs == 3 and kernel.reset_sent
    finally:
        kernel.close()
    assert not kernel.sent
