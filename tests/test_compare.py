"""Cross-county comparison: tables against independent references, failures isolated, and
one rendered comparison page."""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from scipy import stats

from fivestar_analysis.analysis.comparison import (
    between_county_tests,
    county_income,
    county_ranking,
    county_star_matrix,
    county_survey_indices,
    lagging_counties,
    load_counties,
)
from fivestar_analysis.describe.comparison import describe_comparison
from fivestar_analysis.render.comparison import TooFewCounties, render_comparison
from fivestar_analysis.tools.province import write_demo_province

ROOT = Path(__file__).resolve().parents[1]
SECTIONS_ZH = ["一、总体排名", "二、分星比较", "三、集体经济比较", "四、问卷满意度比较",
               "五、落后县（市、区）", "附录"]


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> dict[str, list[Path] | Path]:
    """Four small demo counties (seed 8: one clearly weaker), the last without a survey,
    and one broken package."""
    root = tmp_path_factory.mktemp("compare")
    folders = write_demo_province(root, 4, seed=8, scale=0.25)
    for name in ("survey.csv", "codebook.csv"):
        (folders[3] / name).unlink()
    broken = root / "broken"
    broken.mkdir()
    (broken / "county.yaml").write_text("name: 坏数据县\ncode: broken\n", encoding="utf-8")
    (broken / "ledger.csv").write_text("支部编码,村名\nX1,某村\n", encoding="utf-8")
    return {"good": folders, "broken": broken}


@pytest.fixture(scope="module")
def loaded(province):
    return load_counties([*province["good"][:2], province["broken"], *province["good"][2:]])


@pytest.fixture(scope="module")
def counties(loaded):
    return loaded[0]


def _wilson_by_hand(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_invalid_package_is_reported_and_the_others_load(loaded, province):
    counties, failures = loaded
    assert [c.meta.code for c in counties] == ["c001", "c002", "c003", "c004"]
    assert list(failures.columns) == ["path", "reason", "n_problems", "message"]
    assert failures["path"].tolist() == [str(province["broken"].resolve())]
    assert failures["reason"].tolist() == ["invalid"] and failures["n_problems"].iloc[0] >= 1
    assert "ledger.csv" in failures["message"].iloc[0]
    again, dup = load_counties([province["good"][0], province["good"][0], "/no/such/folder"])
    assert len(again) == 1 and sorted(dup["reason"]) == ["duplicate_code", "invalid"]


def test_ranking_counts_and_wilson_match_an_independent_computation(counties):
    r = county_ranking(counties)
    assert list(r["rank"]) == [1, 2, 3, 4]
    assert r["share_3plus"].is_monotonic_decreasing
    for c in counties:
        row = r.set_index("county_code").loc[c.meta.code]
        b = c.branches_in(2025)
        n, x = len(b), int((b["level"] >= 3).sum())
        assert (row["n_branches"], row["count_3plus"]) == (n, x)
        lo, hi = _wilson_by_hand(x, n)
        assert row["ci_low"] == pytest.approx(lo, abs=1e-12)
        assert row["ci_high"] == pytest.approx(hi, abs=1e-12)
        rural = b[b["kind"] == "rural"]
        assert row["n_rural"] + row["n_community"] == n
        assert row["share_3plus_rural"] == pytest.approx((rural["level"] >= 3).mean())
    # the package's Wilson interval against a published reference value: 81/263 at 95% is
    # 0.2553–0.3662 (Newcombe 1998), so the ranking's intervals use the right formula
    from fivestar_analysis.analysis.stats import wilson_interval

    lo, hi = wilson_interval(81, 263)
    assert (lo, hi) == (pytest.approx(0.2553, abs=5e-5), pytest.approx(0.3662, abs=5e-5))


def test_lagging_counties_fisher_and_holm_against_scipy(counties):
    lag = lagging_counties(counties)
    t = lag.table
    N, K = int(t["n_branches"].sum()), int(t["count_3plus"].sum())
    raw = []
    for _, r in t.iterrows():
        a, n = int(r["count_3plus"]), int(r["n_branches"])
        table = [[a, n - a], [K - a, (N - n) - (K - a)]]
        odds, p = stats.fisher_exact(table, alternative="less")
        assert r["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300)
        assert r["odds_ratio"] == pytest.approx(odds, rel=1e-9)
        raw.append(p)
    m = len(raw)
    order = np.argsort(raw)
    holm = np.empty(m)
    running = 0.0
    for rank_, i in enumerate(order):  # Holm step-down, written out
        running = max(running, min(1.0, (m - rank_) * raw[i]))
        holm[i] = running
    assert t["p_adj"].to_numpy() == pytest.approx(holm, rel=1e-9, abs=1e-300)
    assert t.loc[t["lagging"], "county_code"].tolist() == ["c001"]
    (f,) = lag.findings
    assert (f.kind, f.scope, f.subject) == ("lagging_county", "county", counties[0].meta.name)
    assert f.p_value == pytest.approx(float(t.loc[0, "p_adj"]))
    assert f.evidence["n_branches"] == int(t.loc[0, "n_branches"]) and f.severity == "high"


def test_star_matrix_and_income_agree_with_the_ledger(counties):
    m = county_star_matrix(counties)
    c = counties[1]
    stars = c.stars[(c.stars["year"] == 2025) & (c.stars["kind"] == "rural")]
    n_rural = int((c.branches_in(2025)["kind"] == "rural").sum())
    got = m[(m["county_code"] == c.meta.code) & (m["kind"] == "rural")].set_index("star")
    for star, g in stars.groupby("star", observed=True):
        assert got.loc[star, "award_rate"] == pytest.approx((g["status"] == "awarded").sum() / n_rural)
    inc = county_income(counties).set_index("county_code")
    for c in counties:
        b = c.branches_in(2025)
        x = b.loc[b["kind"] == "rural", "collective_income_wan"].dropna()
        row = inc.loc[c.meta.code]
        assert row["n"] == len(x) and row["median_wan"] == pytest.approx(x.median())
        assert row["q1_wan"] == pytest.approx(x.quantile(0.25))
        assert row["share_weak"] == pytest.approx((x < c.rubric.weak_village_below_wan).mean())
    tests = between_county_tests(counties).set_index("measure")
    assert tests.loc["share_3plus", "p_value"] < 0.001 and tests.loc["share_3plus", "df"] == 3
    kw = tests.loc["collective_income_wan"]  # ε² = H / (n − 1), as in the county report
    samples = [b.loc[b["kind"] == "rural", "collective_income_wan"].dropna()
               for b in (c.branches_in(2025) for c in counties)]
    h = stats.kruskal(*samples).statistic
    assert kw["n"] == sum(len(s) for s in samples) and kw["statistic"] == pytest.approx(h)
    assert kw["effect_size"] == pytest.approx(h / (kw["n"] - 1))
    assert kw["effect_size_name"] == "epsilon_squared"


def test_county_without_survey_gets_nan(counties):
    s = county_survey_indices(counties)
    assert set(s["dimension"]) == {"overall", "composite"} and len(s) == 8
    none = s[s["county_code"] == "c004"]
    assert not none["has_survey"].any() and none["estimate"].isna().all() and (none["n"] == 0).all()
    some = s[s["county_code"] == "c001"].set_index("dimension")
    assert some.loc["composite", "n"] > 0
    assert some.loc["composite", "ci_low"] < some.loc["composite", "estimate"] < some.loc["composite", "ci_high"]


def test_fewer_than_two_valid_packages_is_refused(province, tmp_path):
    with pytest.raises(TooFewCounties) as err:
        render_comparison([province["good"][0], province["broken"]], tmp_path)
    assert err.value.n_valid == 1 and err.value.failures[0]["reason"] == "invalid"
    assert not list(tmp_path.glob("*.html"))
    with pytest.raises(ValueError):
        describe_comparison([])


def test_notebook_and_text_twin_agree():
    import jupytext

    ipynb = nbformat.read(ROOT / "fivestar_analysis" / "render" / "notebooks" / "compare_counties.ipynb", as_version=4)
    twin = jupytext.read(ROOT / "fivestar_analysis" / "render" / "notebooks" / "compare_counties.py")
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [(c.cell_type, c.source) for c in twin.cells]
    assert ["parameters"] in [c.metadata.get("tags", []) for c in ipynb.cells]


@pytest.fixture(scope="module")
def rendered(province, tmp_path_factory):
    out = tmp_path_factory.mktemp("compare-out")
    paths = [*province["good"], province["broken"]]
    result = render_comparison(paths, out, formats=("html", "ipynb", "xlsx"), timeout=300)
    return result, result.html.read_text(encoding="utf-8")


def test_rendered_page_is_complete_and_self_contained(rendered, counties):
    result, page = rendered
    assert result.html.name == "compare-2025.html" and result.xlsx.exists()
    assert [f["reason"] for f in result.failures] == ["invalid"]
    assert [c["code"] for c in result.counties] == ["c001", "c002", "c003", "c004"]
    positions = [page.find(f">{s}</h2>") for s in SECTIONS_ZH]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    assert '<nav class="toc"' in page
    assert page.count("data:image/png;base64,") >= 3
    assert not re.search(r"https?://", page)
    assert "<script" not in page.lower()
    for needle in ("Traceback", "chart-failed", "Error:", "prepare("):
        assert needle not in page, needle
    assert "broken" in page and "泰康县" in page and result.fingerprint in page
    assert not list(result.html.parent.glob(".*.tmp"))
    import openpyxl

    sheets = openpyxl.load_workbook(result.xlsx, read_only=True).sheetnames
    assert {"总体排名", "落后县检验", "未能载入的数据包"} <= set(sheets)


def test_unchanged_inputs_are_skipped_unless_forced(rendered, province):
    result, _ = rendered
    again = render_comparison([*province["good"], province["broken"]], result.html.parent,
                              formats=("html", "ipynb", "xlsx"), force=False)
    assert again.skipped and again.fingerprint == result.fingerprint


def test_ranking_sentence_matches_the_table(rendered, counties):
    _, page = rendered
    text = re.sub(r"<[^>]+>", "", page)
    r = county_ranking(counties)
    m = re.search(r"三星以上占比最高的是(\S+?)（([\d.]+)%，95%置信区间([\d.]+)%–([\d.]+)%，n=([\d,]+)），"
                  r"最低的是(\S+?)（([\d.]+)%，95%置信区间([\d.]+)%–([\d.]+)%，n=([\d,]+)）", text)
    assert m, "ranking sentence missing"
    for offset, row in ((0, r.iloc[0]), (5, r.iloc[-1])):
        g = m.groups()[offset:offset + 5]
        assert g[0] == row["county_name"]
        assert [float(v) for v in g[1:4]] == pytest.approx(
            [round(100 * row[c], 1) for c in ("share_3plus", "ci_low", "ci_high")])
        assert int(g[4].replace(",", "")) == row["n_branches"]
    lagging = re.search(r">五、落后县（市、区）</h2>(.*?)>附录</h2>", page, re.S).group(1)
    low = lagging_counties(counties).table.iloc[0]
    assert (f"<strong>{low['county_name']}</strong>：三星以上支部{int(low['count_3plus'])}个，"
            f"占{100 * low['share_3plus']:.1f}%（n={int(low['n_branches'])}）") in lagging


def test_english_sections(counties, loaded):
    from fivestar_analysis.render.comparison_notebook import SECTIONS

    cmp = describe_comparison(counties, loaded[1], language="en")
    page = "".join(f(cmp) for f in SECTIONS.values())
    for title in ("1. Overall ranking", "2. Star by star", "5. Counties lagging behind", "Appendix"):
        assert f">{title}</h2>" in page
    assert "The highest share is in" in page and "chart-failed" not in page



def test_cli_refuses_fewer_than_two_valid_packages(province, tmp_path, capsys):
    from fivestar_analysis.cli import main

    code = main(["compare", str(province["good"][0]), str(province["broken"]), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 2
    assert "至少需要两个" in out and "数据有误" in out
    assert "broken" in out and "Traceback" not in out
    assert not list(tmp_path.iterdir())


def test_cli_lists_left_out_packages_and_exits_non_zero(rendered, province, capsys):
    """The command prints the outputs and the package it left out; a left-out package
    makes the exit status 1 (same as ``batch`` when a county fails)."""
    import json

    from fivestar_analysis.cli import main

    result, _ = rendered
    args = ["compare", *map(str, province["good"]), str(province["broken"]),
            "--out", str(result.html.parent), "--format", "html,ipynb,xlsx", "--skip-unchanged"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "已比较 4 个县" in out and str(result.html) in out
    assert "未纳入" in out and str(province["broken"]) in out
    assert main([*args, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["skipped"] and data["year"] == 2025
    assert [c["code"] for c in data["counties"]] == ["c001", "c002", "c003", "c004"]
    assert [f["reason"] for f in data["failures"]] == ["invalid"]
    assert data["outputs"]["html"] == str(result.html)
