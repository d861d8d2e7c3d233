"""The comparison report's sections as HTML, built from a :class:`CountyComparison`.

标题 → 一、总体排名 → 二、分星比较 → 三、集体经济比较 → 四、问卷满意度比较 →
五、落后县（市、区） → 附录. Each function returns an HTML string (one notebook cell each);
the prose comes from ``templates/{zh,en}/compare_*.md.j2`` filled with numbers read from
the bundle's tables, so a sentence can never disagree with its table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fivestar_analysis._version import __version__
from fivestar_analysis.describe.comparison import CountyComparison
from fivestar_analysis.model.formats import format_int
from fivestar_analysis.present.charts import comparison as cc
from fivestar_analysis.present.escape import html_text
from fivestar_analysis.present.html import Page
from fivestar_analysis.present.text import text

__all__ = ["SECTIONS", "comparison_title", "title_html", "ranking_html", "stars_html",
           "income_html", "survey_html", "lagging_html", "appendix_html", "facts_ranking"]

#: the sections in order (titles are ``compare.section.<key>`` in text.yaml)
SECTIONS = ("ranking", "stars", "income", "survey", "lagging", "appendix")


def page(cmp: CountyComparison) -> Page:
    return Page(cmp.language, cmp.rubric, sections="compare.section.")


def _rows_figsize(n_rows: int, per_row: float = 0.45) -> tuple[float, float]:
    """A chart with one band per county: height grows with the counties (2 → compact)."""
    return 7.5, min(24.0, max(2.6, 1.6 + per_row * n_rows))


def _lab(cmp: CountyComparison, key: Any) -> str:
    return page(cmp).label(key)


# -- title ------------------------------------------------------------------------------

def comparison_title(names: list[str], year: int, language: str) -> str:
    """The page title: the counties (the first three named) and the year."""
    k = len(names)
    who = text("list.sep", language).join(names[:3])
    if k > 3:
        who += text("title.compare.more", language, more=k - 3)
    return text("title.compare", language, who=who, k=k, year=year)


def title_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    listed = p.join(p.t("meta.county_code", place="", name=c.meta.name, code=c.meta.code)
                    for c in cmp.counties)
    return p.title_block(comparison_title([c.meta.name for c in cmp.counties], cmp.year,
                                          cmp.language), [
        ("meta.counties", listed),
        ("meta.compare_year", str(cmp.year)),
        ("meta.not_loaded", p.t("meta.not_loaded.value", n=len(cmp.failures))),
        ("meta.generated", cmp.generated),
        ("meta.version", f"fivestar-analysis {__version__}"),
        ("meta.fingerprint", cmp.fingerprint or "—"),
        ("meta.parameters", f"year={cmp.year}, language={cmp.language}"),
    ])


# -- 一、总体排名 -------------------------------------------------------------------------

def _who(r: pd.Series, **extra: str) -> dict[str, Any]:
    return {"name": str(r["county_name"]), **{k: r[v] for k, v in extra.items()}}


def facts_ranking(cmp: CountyComparison) -> dict[str, Any]:
    """The numbers of the ranking paragraph, read from ``cmp.ranking`` and ``cmp.tests``."""
    r = cmp.ranking
    keep = dict(share="share_3plus", ci_low="ci_low", ci_high="ci_high", n="n_branches",
                count="count_3plus")
    chi = cmp.tests[cmp.tests["measure"] == "share_3plus"]
    return {
        "year": cmp.year, "k": len(r), "n_total": int(r["n_branches"].sum()),
        "count_total": int(r["count_3plus"].sum()),
        "pooled": r["count_3plus"].sum() / max(int(r["n_branches"].sum()), 1),
        "top": _who(r.iloc[0], **keep), "bottom": _who(r.iloc[-1], **keep),
        "chi": chi.iloc[0].to_dict() if len(chi) else None,
        "same_year": bool((r["year"] == cmp.year).all()),
    }


def ranking_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    out = [p.section("ranking"), p.md("compare_ranking", **facts_ranking(cmp))]
    out.append(p.table(cmp.ranking, p.t("compare.ranking.caption", year=cmp.year),
                       p.method_n("compare.ranking.method", cmp.ranking["n_branches"].sum()),
                       columns=["rank", "county_name", "n_branches", "count_3plus",
                                "share_3plus", "ci_low", "ci_high", "share_3plus_rural",
                                "share_3plus_community"],
                       percent=["share_3plus", "ci_low", "ci_high", "share_3plus_rural",
                                "share_3plus_community"]))
    out.append(p.chart(cc.ranking_bars, cmp.ranking, lagging=cmp.lagging_codes,
                       alt=p.t("compare.ranking.chart"), figsize=_rows_figsize(len(cmp.ranking))))
    return "".join(out)


# -- 二、分星比较 -------------------------------------------------------------------------

#: a county's kind needs this many branches before its star rates enter the spread sentence
MIN_BRANCHES_FOR_SPREAD = 10


def facts_stars(cmp: CountyComparison) -> dict[str, Any]:
    m = cmp.star_matrix[cmp.star_matrix["n_branches"] > 0]
    if m.empty:
        return {"widest": None, "narrowest": None, "common": None}
    spread = []
    # stars every county can be judged on: the capstone aside, kinds with enough branches
    solid = m[(m["star"] != cmp.rubric.capstone) & (m["n_branches"] >= MIN_BRANCHES_FOR_SPREAD)]
    for (kind, star), g in solid.groupby(["kind", "star"], sort=False):
        if len(g) < 2:
            continue
        hi, lo = g.loc[g["award_rate"].idxmax()], g.loc[g["award_rate"].idxmin()]
        spread.append({"star": _lab(cmp, star), "kind": _lab(cmp, kind),
                       "gap": float(hi["award_rate"] - lo["award_rate"]),
                       "max_name": hi["county_name"], "max_rate": float(hi["award_rate"]),
                       "min_name": lo["county_name"], "min_rate": float(lo["award_rate"])})
    if not spread:
        return {"widest": None, "narrowest": None, "common": None}
    spread.sort(key=lambda s: s["gap"])
    rural = m[(m["kind"] == "rural") & (m["star"] != cmp.rubric.capstone)]
    common = None
    if not rural.empty:
        lowest = rural.loc[rural.groupby("county_code")["award_rate"].idxmin(), "star"]
        top = lowest.value_counts()
        common = {"star": _lab(cmp, top.index[0]), "n": int(top.iloc[0]),
                  "k": int(rural["county_code"].nunique())}
    return {"widest": spread[-1], "narrowest": spread[0], "common": common}


def stars_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    out = [p.section("stars"), p.md("compare_stars", **facts_stars(cmp))]
    order = cmp.ranking["county_code"].tolist()
    out.append(p.chart(cc.county_star_heatmap, cmp.star_matrix, order=order,
                       alt=p.t("compare.stars.chart"),
                       figsize=(7.5, max(3.6, 2.4 + 0.5 * len(order)))))
    m = cmp.star_matrix
    stars = list(dict.fromkeys(m["star"]))
    rank = {c: i for i, c in enumerate(order)}
    wide = (m.assign(_r=m["county_code"].map(rank), _k=(m["kind"] != "rural").astype(int))
            .pivot_table(index=["_r", "county_name", "_k", "kind"], columns="star",
                         values="award_rate", aggfunc="first")
            .reindex(columns=stars).sort_index().reset_index().drop(columns=["_r", "_k"]))
    wide.columns.name = None
    out.append(p.table(wide, p.t("compare.stars.caption", year=cmp.year),
                       p.method_n("compare.stars.method", cmp.ranking["n_branches"].sum()),
                       percent=stars, decimals={s: 0 for s in stars}))
    return "".join(out)


# -- 三、集体经济比较 ---------------------------------------------------------------------

def facts_income(cmp: CountyComparison) -> dict[str, Any]:
    inc = cmp.income[cmp.income["n"] > 0]
    if inc.empty:
        return {"top": None}
    weak = inc.sort_values(["share_weak", "county_code"], kind="stable")
    kw = cmp.tests[cmp.tests["measure"] == "collective_income_wan"]
    return {"top": _who(inc.iloc[0], median="median_wan", n="n"),
            "bottom": _who(inc.iloc[-1], median="median_wan", n="n"),
            "weak_low": _who(weak.iloc[0], share="share_weak"),
            "weak_high": _who(weak.iloc[-1], share="share_weak"),
            "weak_below": float(inc["weak_below_wan"].iloc[0]), "n_total": int(inc["n"].sum()),
            "kw": kw.iloc[0].to_dict() if len(kw) else None}


def income_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    out = [p.section("income"), p.md("compare_income", **facts_income(cmp))]
    inc = cmp.income
    if (inc["n"] > 0).any():
        out.append(p.chart(cc.income_ranges, inc, alt=p.t("compare.income.chart"),
                           figsize=_rows_figsize(len(inc))))
    out.append(p.table(inc, p.t("compare.income.caption"),
                       p.method_n("compare.income.method", inc["n"].sum()),
                       columns=["county_name", "n_rural", "n", "median_wan", "q1_wan", "q3_wan",
                                "geo_mean_wan", "n_weak", "share_weak"]))
    if len(cmp.tests):
        out.append(p.table(cmp.tests, p.t("compare.tests.caption"), p.t("compare.tests.method"),
                           columns=["measure", "method", "n", "n_groups", "statistic", "df",
                                    "p_value", "effect_size", "effect_size_name"], percent=[]))
    return "".join(out)


# -- 四、问卷满意度比较 -------------------------------------------------------------------

def facts_survey(cmp: CountyComparison) -> dict[str, Any]:
    s = cmp.survey_indices
    k = s["county_code"].nunique()
    sep = ", " if cmp.language == "en" else "、"
    missing = sep.join(dict.fromkeys(s.loc[~s["has_survey"], "county_name"]))
    shown = s[s["estimate"].notna()]
    dim = "composite" if (shown["dimension"] == "composite").any() else (
        shown["dimension"].iloc[0] if len(shown) else None)
    d = shown[shown["dimension"] == dim].sort_values(["estimate", "county_code"], ascending=[False, True])
    if len(d) < 1:
        return {"top": None, "missing": missing, "k": k}
    keep = dict(estimate="estimate", ci_low="ci_low", ci_high="ci_high", n="n")
    top, bottom = d.iloc[0], d.iloc[-1]
    return {"k": k, "n_with": int(s.loc[s["has_survey"], "county_code"].nunique()),
            "dim": _lab(cmp, dim), "top": _who(top, **keep), "bottom": _who(bottom, **keep),
            "overlap": bool(bottom["ci_high"] >= top["ci_low"]), "missing": missing}


def survey_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    out = [p.section("survey"), p.md("compare_survey", **facts_survey(cmp))]
    s = cmp.survey_indices
    if s["estimate"].notna().any():
        out.append(p.chart(cc.survey_index_dots, s, alt=p.t("compare.survey.chart"),
                           figsize=_rows_figsize(s["county_code"].nunique(), per_row=0.6)))
    out.append(p.table(s, p.t("compare.survey.caption"), p.t("compare.survey.method"),
                       columns=["county_name", "dimension", "has_survey", "n", "estimate",
                                "ci_low", "ci_high", "suppressed"],
                       decimals={"estimate": 1, "ci_low": 1, "ci_high": 1}, percent=[]))
    return "".join(out)


# -- 五、落后县 ---------------------------------------------------------------------------

def facts_lagging(cmp: CountyComparison) -> dict[str, Any]:
    from fivestar_analysis.analysis.stars import thresholds

    lag = cmp.lagging
    th = thresholds()
    alpha = th.get("lagging_county", th["lagging_township"])["alpha"]

    def row(r: pd.Series) -> dict[str, Any]:
        return {"name": r["county_name"], "count": r["count_3plus"], "n": r["n_branches"],
                "share": r["share_3plus"], "rest_share": r["rest_share"],
                "odds_ratio": r["odds_ratio"], "p_adj": r["p_adj"]}

    return {"k": int(lag["p_value"].notna().sum()), "alpha": alpha,
            "rows": [row(r) for _, r in lag[lag["lagging"]].iterrows()],
            "lowest": row(lag.iloc[0])}


def lagging_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    out = [p.section("lagging"), p.md("compare_lagging", **facts_lagging(cmp))]
    lag = cmp.lagging
    out.append(p.table(lag, p.t("compare.lagging.caption"),
                       p.method_n("compare.lagging.method", lag["n_branches"].sum()),
                       columns=["county_name", "n_branches", "count_3plus", "share_3plus",
                                "rest_n", "rest_share", "share_difference", "odds_ratio",
                                "p_value", "p_adj", "lagging"]))
    return "".join(out)


# -- 附录 -------------------------------------------------------------------------------

def appendix_html(cmp: CountyComparison) -> str:
    p = page(cmp)
    out = [p.section("appendix"), p.h(3, p.t("compare.packages"))]
    out.append(p.table(cmp.packages, p.t("compare.packages.caption"),
                       p.t("compare.packages.method"),
                       columns=["county_code", "county_name", "province", "city", "year",
                                "n_branches", "n_townships", "n_respondents", "n_warnings"]))
    out.append(p.say("compare.packages.ok") if cmp.failures.empty else _failures_html(cmp))
    out.append(p.h(3, p.t("compare.methods")))
    out.append(p.md("compare_methods"))
    return "".join(out)


def _failures_html(cmp: CountyComparison) -> str:
    """The packages left out, each with why (a list: messages are too long for a table)."""
    p = page(cmp)
    items = []
    for _, f in cmp.failures.iterrows():
        head = p.t("compare.failure.head", reason=_lab(cmp, f["reason"]),
                   n=format_int(f["n_problems"]))
        lines = "<br>".join(html_text(x) for x in str(f["message"]).splitlines())
        items.append(f"<li><code>{html_text(str(f['path']))}</code>{html_text(head)}"
                     f'<br><span class="table-note">{lines}</span></li>')
    caption = p.t("compare.failures.caption", n=len(cmp.failures))
    return (f'<div class="failures"><p><strong>{html_text(caption)}</strong></p><ul>'
            + "".join(items) + f"</ul><p>{html_text(p.t('compare.failures.hint'))}</p></div>")