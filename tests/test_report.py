"""The rendered research report: structure, self-containment, numbers, privacy, failure."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from fivestar_analysis import load_county
from fivestar_analysis.describe.county import describe_county
from fivestar_analysis.render.report import ReportFailed, render_report

ROOT = Path(__file__).resolve().parents[1]
SECTIONS_ZH = ["一、基本情况", "二、创建成效", "三、存在问题", "四、原因分析", "五、对策建议", "附录"]


@pytest.fixture(scope="module")
def rep(demo):
    return describe_county(load_county(demo))


def test_outputs_exist_and_html_is_small_and_titled(rendered):
    result, html = rendered
    assert result.html.exists() and result.ipynb.exists() and result.xlsx.exists()
    assert result.html.stat().st_size <= 1.5 * 1024 * 1024
    assert "<title>示范县“五星”支部创建调研报告（2025年）</title>" in html
    assert not list(result.html.parent.glob(".*.tmp")), "no temporary files left behind"


def test_html_is_self_contained(rendered):
    _, html = rendered
    assert not re.search(r"https?://", html), "no external URL of any kind"
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    srcs = re.findall(r'src="([^"]+)"', html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


def test_no_code_no_traceback_no_failed_chart(rendered):
    _, html = rendered
    for needle in ("Traceback", "prepare(", "show(\"", "import fivestar", "jp-InputArea",
                   "chart-failed", "stderr", "Error:"):
        assert needle not in html, needle


def test_five_sections_and_table_of_contents(rendered):
    _, html = rendered
    positions = [html.find(f">{s}</h2>") for s in SECTIONS_ZH]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    for s in SECTIONS_ZH:
        assert s in toc
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert all(f'id="{a}"' in html for a in anchors)


def test_every_chart_is_embedded(rendered):
    _, html = rendered
    assert html.count("data:image/png;base64,") >= 9


def test_narrative_numbers_match_the_tables(rendered, rep):
    _, html = rendered
    text = re.sub(r"<[^>]+>", "", html)
    s3 = rep.share_3plus.set_index(["year", "kind"]).loc[(rep.year, "all")]
    m = re.search(r"三星以上支部(\d+)个，占([\d.]+)%（n=([\d,]+)）", text)
    assert m, "headline sentence missing"
    assert int(m.group(1)) == int(s3["count_3plus"])
    assert float(m.group(2)) == pytest.approx(round(100 * float(s3["share_3plus"]), 1))
    assert int(m.group(3).replace(",", "")) == int(s3["n_branches"])
    lv = rep.levels[(rep.levels["year"] == rep.year) & (rep.levels["kind"] == "all")].set_index("level")["count"]
    m = re.search(r"评定五星支部(\d+)个、四星(\d+)个、三星(\d+)个、二星(\d+)个", text)
    assert [int(x) for x in m.groups()] == [int(lv[5]), int(lv[4]), int(lv[3]), int(lv[2])]
    att = rep.attainment.set_index(["year", "kind", "star"]).loc[(rep.year, "rural", "industry")]
    m = re.search(r"产业兴旺星（农村）：\d+年获评(\d+)个，占(\d+)个支部的([\d.]+)%；年初计划（申报）(\d+)个", text)
    assert [int(m.group(1)), int(m.group(2)), int(m.group(4))] == [
        int(att["n_awarded"]), int(att["n_branches"]), int(att["n_declared"])]
    econ = rep.county.branches_in(rep.year)
    income = econ.loc[econ["kind"] == "rural", "collective_income_wan"]
    m = re.search(r"村集体经济收入中位数为([\d.]+)万元", text)
    assert float(m.group(1)) == pytest.approx(round(float(income.median()), 1))


def test_findings_and_recommendations_point_back(rendered, rep):
    _, html = rendered
    assert len(rep.findings) >= 3 and rep.recommendations
    for i in range(1, len(rep.findings) + 1):
        assert f'id="finding-{i}"' in html
    refs = set(re.findall(r'href="#finding-(\d+)"', html))
    assert refs and all(f'id="finding-{r}"' in html for r in refs)
    assert "党建N联动" in html or "一村一品" in html


def test_no_personal_data_in_any_output(rendered, demo):
    result, html = rendered
    raw = pd.read_csv(demo / "survey.csv", dtype=str, encoding="utf-8-sig")
    names = set(raw["姓名"].dropna())
    phones = set(raw["手机号"].dropna())
    workbook = pd.read_excel(result.xlsx, sheet_name=None, engine="calamine")
    cells = " ".join(" ".join(map(str, df.astype(str).to_numpy().ravel())) for df in workbook.values())
    executed = result.ipynb.read_text(encoding="utf-8")
    for blob in (html, cells, executed):
        assert not any(p in blob for p in phones)
        assert not any(len(n) >= 2 and n in blob for n in names)


def test_workbook_holds_every_table(rendered, rep):
    result, _ = rendered
    sheets = pd.read_excel(result.xlsx, sheet_name=None, engine="calamine")
    assert len(sheets) >= len(rep.tables()) - 2
    assert any("产业兴旺星" in " ".join(map(str, df.astype(str).to_numpy().ravel())) for df in sheets.values())


def test_english_report(demo, tmp_path):
    result = render_report(demo, tmp_path, language="en", formats=("html",))
    html = result.html.read_text(encoding="utf-8")
    assert result.html.name.endswith("-en.html")
    for s in ("1. Overview", "2. Results of the campaign", "3. Problems", "5. Recommendations"):
        assert f">{s}</h2>" in html
    assert 'lang="en"' in html


def test_failing_cell_keeps_notebook_and_writes_no_html(demo, tmp_path, monkeypatch):
    from fivestar_analysis.render import report as render

    broken = tmp_path / "broken.ipynb"
    nb = nbformat.read(render.report_notebook(), as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('boom in a chart')"))
    nbformat.write(nb, broken)
    monkeypatch.setattr(render, "report_notebook", lambda: broken)
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo-2025.html").write_text("previous good report", encoding="utf-8")
    with pytest.raises(ReportFailed) as exc:
        render_report(demo, out, formats=("html",))
    # the executed notebook (kept for inspection) has papermill's injected parameters
    # cell before it, so the failing cell is number 4 there
    assert exc.value.cell_index == 4 and "boom" in exc.value.evalue
    assert "raise RuntimeError" in exc.value.source
    assert exc.value.notebook.exists()
    assert (out / "demo-2025.html").read_text(encoding="utf-8") == "previous good report"
    assert not [p for p in out.iterdir() if p.name.startswith(".demo-2025.")]


def test_bad_package_fails_before_any_notebook_runs(tmp_path):
    from fivestar_analysis import PackageInvalid

    bad = tmp_path / "bad"
    bad.mkdir()
    with pytest.raises(PackageInvalid):
        render_report(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unchanged_inputs_are_skipped_unless_forced(demo, tmp_path):
    first = render_report(demo, tmp_path, formats=("html",), force=False)
    again = render_report(demo, tmp_path, formats=("html",), force=False)
    assert not first.skipped and again.skipped and again.fingerprint == first.fingerprint


def test_notebook_and_text_twin_agree():
    import jupytext

    ipynb = nbformat.read(ROOT / "fivestar_analysis" / "render" / "notebooks" / "county_report.ipynb", as_version=4)
    twin = jupytext.read(ROOT / "fivestar_analysis" / "render" / "notebooks" / "county_report.py")
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [(c.cell_type, c.source) for c in twin.cells]
    tags = [c.metadata.get("tags", []) for c in ipynb.cells]
    assert ["parameters"] in tags


def test_plain_papermill_command_runs_the_notebook(demo, tmp_path):
    out = tmp_path / "run.ipynb"
    res = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "fivestar_analysis" / "render" / "notebooks" / "county_report.ipynb"),
                          str(out), "-p", "data_dir", str(demo), "-p", "language", "zh", "--no-progress-bar"],
                         capture_output=True, text=True, timeout=600, cwd=ROOT / "notebooks")
    assert res.returncode == 0, res.stderr[-2000:]
    nb = nbformat.read(out, as_version=4)
    assert any("一、基本情况" in str(o.get("data", {})) for c in nb.cells for o in c.get("outputs", []))


def test_cli_report(demo, tmp_path):
    res = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", "report", str(demo), "--out",
                          str(tmp_path), "--format", "html"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "demo-2025.html").exists()
    assert "Traceback" not in res.stdout + res.stderr


def test_explore_notebook_runs_on_the_demo(demo, tmp_path):
    import papermill as pm

    pm.execute_notebook(str(ROOT / "notebooks" / "explore.ipynb"), str(tmp_path / "explore.ipynb"),
                        parameters={"data_dir": str(demo)}, progress_bar=False, kernel_name="python3",
                        cwd=str(ROOT / "notebooks"))
    nb = nbformat.read(tmp_path / "explore.ipynb", as_version=4)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images >= 5
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_explore_notebook_and_twin_agree():
    import jupytext

    ipynb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    twin = jupytext.read(ROOT / "notebooks" / "explore.py")
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [(c.cell_type, c.source) for c in twin.cells]


def test_mentoring_plan_too_large_for_one_problem_is_solved_per_township(demo, monkeypatch):
    """A county too large for one assignment problem still gets a plan: one problem per
    township, said so in the report; pairs then never cross a township."""
    from functools import partial

    from fivestar_analysis import stars as st
    from fivestar_analysis.present.sections import measures_html

    county = load_county(demo)
    whole = st.mentoring_plan(county)
    assert not whole.pairs["same_township"].all()  # county-wide, some pairs cross townships
    per_town = st.mentoring_plan(county, within="township")
    largest = int(per_town.pairs.groupby("partition").size().max())
    # a cap every township's problem fits under but the county-wide one does not
    monkeypatch.setattr(st, "mentoring_plan", partial(st.mentoring_plan, max_cells=largest * 40))
    with pytest.raises(ValueError):
        st.mentoring_plan(county)
    rep = describe_county(county)
    assert rep.mentoring_within == "township"
    assert rep.mentoring.pairs["same_township"].all()
    pd.testing.assert_frame_equal(rep.mentoring.pairs, per_town.pairs)
    assert "在每个乡镇（街道）内分别求解" in measures_html(rep)
