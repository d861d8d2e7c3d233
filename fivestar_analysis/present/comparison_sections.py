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
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.charts import comparison as cc
from fivestar_analysis.present.display import chart_html, markdown_html, table_html
from fivestar_analysis.present.escape import html_text
from fivestar_analysis.model.labels import label

__all__ = ["SECTION_TITLES", "comparison_title", "title_html", "ranking_html", "stars_html",
           "income_html", "survey_html", "lagging_html", "appendix_html", "facts_ranking"]

SECTION_TITLES = {
    "ranking": ("一、总体排名", "1. Overall ranking"),
    "stars": ("二、分星比较", "2. Star by star"),
    "income": ("三、集体经济比较", "3. Collective economy"),
    "survey": ("四、问卷满意度比较", "4. Survey satisfaction"),
    "lagging": ("五、落后县（市、区）", "5. Counties lagging behind"),
    "appendix": ("附录", "Appendix"),
}


def _t(cmp: CountyComparison, zh: str, en: str) -> str:
    return en if cmp.language == "en" else zh


def _h(level: int, text: str) -> str:
    return f"<h{level}>{html_text(text)}</h{level}>\n"


def _section(cmp: CountyComparison, key: str) -> str:
    zh, en = SECTION_TITLES[key]
    return _h(2, _t(cmp, zh, en))


def _md(cmp: CountyComparison, name: str, **context: Any) -> str:
    return markdown_html(nv.render_section(name, cmp.language, rubric=cmp.rubric, **context))


def _table(cmp: CountyComparison, df: pd.DataFrame, caption: str, note: str, **kw: Any) -> str:
    return table_html(df, caption=caption, note=note, language=cmp.language, rubric=cmp.rubric, **kw)


def _chart(cmp: CountyComparison, draw, *args: Any, alt: str, **kw: Any) -> str:
    return chart_html(draw, *args, alt=alt, language=cmp.language, rubric=cmp.rubric, **kw)


def _rows_figsize(n_rows: int, per_row: float = 0.45) -> tuple[float, float]:
    """A chart with one band per county: height grows with the counties (2 → compact)."""
    return 7.5, min(24.0, max(2.6, 1.6 + per_row * n_rows))


def _note(cmp: CountyComparison, zh: str, en: str, n: int) -> str:
    return _t(cmp, f"方法：{zh}；n={n:,}", f"Method: {en}; n={n:,}")


def _lab(cmp: CountyComparison, key: Any) -> str:
    return label(key, cmp.language, cmp.rubric)


# -- title ------------------------------------------------------------------------------

def comparison_title(names: list[str], year: int, language: str) -> str:
    """The page title: the counties (the first three named) and the year."""
    k = len(names)
    if language == "en":
        who = ", ".join(names[:3]) + (f" and {k - 3} more" if k > 3 else "")
        return f"Five-Star Branch campaign: {k} counties compared ({who}), {year}"
    who = "、".join(names[:3]) + ("等" if k > 3 else "")
    return f"{who}{k}个县（市、区）“五星”支部创建比较分析（{year}年）"


def title_html(cmp: CountyComparison) -> str:
    names = [c.meta.name for c in cmp.counties]
    listed = "、".join(f"{c.meta.name}（{c.meta.code}）" for c in cmp.counties)
    if cmp.language == "en":
        listed = ", ".join(f"{c.meta.name} ({c.meta.code})" for c in cmp.counties)
    rows = [
        (_t(cmp, "比较对象", "Counties"), listed),
        (_t(cmp, "比较年度", "Year"), str(cmp.year)),
        (_t(cmp, "未能载入", "Not loaded"),
         str(len(cmp.failures)) + _t(cmp, "个数据包（见附录）", " package(s), see the appendix")),
        (_t(cmp, "生成日期", "Generated"), cmp.generated),
        (_t(cmp, "工具版本", "Tool version"), f"fivestar-analysis {__version__}"),
        (_t(cmp, "输入指纹", "Input fingerprint"), cmp.fingerprint or "—"),
        (_t(cmp, "参数", "Parameters"), f"year={cmp.year}, language={cmp.language}"),
    ]
    items = "".join(f"<dt>{html_text(k)}</dt><dd>{html_text(v)}</dd>" for k, v in rows)
    title = comparison_title(names, cmp.year, cmp.language)
    return f'<h1>{html_text(title)}</h1>\n<div class="title-block"><dl>{items}</dl></div>\n'


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
    out = [_section(cmp, "ranking"), _md(cmp, "compare_ranking", **facts_ranking(cmp))]
    n = int(cmp.ranking["n_branches"].sum())
    out.append(_table(cmp, cmp.ranking, _t(cmp, f"{cmp.year}年各县（市、区）三星以上支部占比排名",
                                           f"Counties by three-plus share, {cmp.year}"),
                      _note(cmp, "按评定结果计数；Wilson 95%置信区间；农村、社区分列",
                            "awarded levels; Wilson 95% interval; rural and community apart", n),
                      columns=["rank", "county_name", "n_branches", "count_3plus", "share_3plus",
                               "ci_low", "ci_high", "share_3plus_rural", "share_3plus_community"],
                      percent=["share_3plus", "ci_low", "ci_high", "share_3plus_rural",
                               "share_3plus_community"]))
    out.append(_chart(cmp, cc.ranking_bars, cmp.ranking, lagging=cmp.lagging_codes,
                      alt=_t(cmp, "各县三星以上占比", "Three-plus share by county"),
                      figsize=_rows_figsize(len(cmp.ranking))))
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
    out = [_section(cmp, "stars"), _md(cmp, "compare_stars", **facts_stars(cmp))]
    order = cmp.ranking["county_code"].tolist()
    out.append(_chart(cmp, cc.county_star_heatmap, cmp.star_matrix, order=order,
                      alt=_t(cmp, "各县分星创成率", "Award rate by county and star"),
                      figsize=(7.5, max(3.6, 2.4 + 0.5 * len(order)))))
    m = cmp.star_matrix
    stars = list(dict.fromkeys(m["star"]))
    rank = {c: i for i, c in enumerate(order)}
    wide = (m.assign(_r=m["county_code"].map(rank), _k=(m["kind"] != "rural").astype(int))
            .pivot_table(index=["_r", "county_name", "_k", "kind"], columns="star",
                         values="award_rate", aggfunc="first")
            .reindex(columns=stars).sort_index().reset_index().drop(columns=["_r", "_k"]))
    wide.columns.name = None
    out.append(_table(cmp, wide, _t(cmp, f"{cmp.year}年各县分星创成率", f"Award rate by star, {cmp.year}"),
                      _note(cmp, "创成率=获评该星的支部数/该类支部数；农村星以农村支部为分母，社区星以社区支部为分母",
                            "award rate = branches awarded the star / branches of its kind",
                            int(cmp.ranking["n_branches"].sum())),
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
    out = [_section(cmp, "income"), _md(cmp, "compare_income", **facts_income(cmp))]
    inc = cmp.income
    if (inc["n"] > 0).any():
        out.append(_chart(cmp, cc.income_ranges, inc, alt=_t(cmp, "各县集体经济收入", "Income by county"),
                          figsize=_rows_figsize(len(inc))))
    out.append(_table(cmp, inc, _t(cmp, "各县（市、区）村集体经济收入（万元）", "Collective income by county (10k yuan)"),
                      _note(cmp, "农村支部；中位数与四分位数；几何均值基于log(1+x)；薄弱村=收入低于评星标准所定的薄弱村线",
                            "village branches; median and quartiles; geometric mean on log(1+x); weak = below the rubric's line",
                            int(inc["n"].sum())),
                      columns=["county_name", "n_rural", "n", "median_wan", "q1_wan", "q3_wan",
                               "geo_mean_wan", "n_weak", "share_weak"]))
    if len(cmp.tests):
        out.append(_table(cmp, cmp.tests, _t(cmp, "县间差异检验", "Do the counties differ?"),
                          _t(cmp, "三星以上占比：县×是否三星以上的卡方检验（Cramér's V）；集体收入：Kruskal–Wallis检验（ε²）",
                             "three-plus share: chi-square on county × three-plus (Cramér's V); income: Kruskal–Wallis (ε²)"),
                          columns=["measure", "method", "n", "n_groups", "statistic", "df", "p_value",
                                   "effect_size", "effect_size_name"], percent=[]))
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
    out = [_section(cmp, "survey"), _md(cmp, "compare_survey", **facts_survey(cmp))]
    s = cmp.survey_indices
    if s["estimate"].notna().any():
        out.append(_chart(cmp, cc.survey_index_dots, s, alt=_t(cmp, "各县满意度指数", "Satisfaction by county"),
                          figsize=_rows_figsize(s["county_code"].nunique(), per_row=0.6)))
    out.append(_table(cmp, s, _t(cmp, "各县（市、区）满意度指数（百分制）", "Satisfaction index by county (0–100)"),
                      _t(cmp, "方法：各题反向计分后取均值再换算为0–100；95% t置信区间；n为有效样本；“—”表示无问卷或样本过少",
                         "Method: item means after reverse coding, rescaled to 0–100; 95% t-interval; n valid "
                         "respondents; \"—\" means no survey or too few"),
                      columns=["county_name", "dimension", "has_survey", "n", "estimate", "ci_low",
                               "ci_high", "suppressed"],
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
    out = [_section(cmp, "lagging"), _md(cmp, "compare_lagging", **facts_lagging(cmp))]
    lag = cmp.lagging
    out.append(_table(cmp, lag, _t(cmp, "各县（市、区）与其余各县合计比较", "Each county against the rest"),
                      _note(cmp, "单侧Fisher精确检验（是否低于其余各县），Holm法多重比较校正；比值比=本县与其余各县三星以上的优势比",
                            "one-sided Fisher exact test (behind the rest?), Holm correction; odds ratio of the county "
                            "against the rest", int(lag["n_branches"].sum())),
                      columns=["county_name", "n_branches", "count_3plus", "share_3plus", "rest_n",
                               "rest_share", "share_difference", "odds_ratio", "p_value", "p_adj", "lagging"]))
    return "".join(out)


# -- 附录 -------------------------------------------------------------------------------

def appendix_html(cmp: CountyComparison) -> str:
    out = [_section(cmp, "appendix"), _h(3, _t(cmp, "（一）数据包", "Packages"))]
    out.append(_table(cmp, cmp.packages.assign(year=cmp.packages["year"].astype(str)), _t(cmp, "参与比较的数据包", "Packages compared"),
                      _t(cmp, "每个数据包单独校验后载入；警告不影响比较", "each package validated on its own; "
                         "warnings do not stop the comparison"),
                      columns=["county_code", "county_name", "province", "city", "year", "n_branches",
                               "n_townships", "n_respondents", "n_warnings"]))
    if cmp.failures.empty:
        out.append(markdown_html(_t(cmp, "所有数据包均通过校验。", "Every package passed validation.")))
    else:
        out.append(_failures_html(cmp))
    out.append(_h(3, _t(cmp, "（二）方法说明", "Methods")))
    out.append(markdown_html(nv.render_section("compare_methods", cmp.language)))
    return "".join(out)


def _failures_html(cmp: CountyComparison) -> str:
    """The packages left out, each with why (a list: messages are too long for a table)."""
    items = []
    for _, f in cmp.failures.iterrows():
        head = _t(cmp, f"（{_lab(cmp, f['reason'])}，{int(f['n_problems'])}处问题）",
                  f" ({_lab(cmp, f['reason'])}, {int(f['n_problems'])} problem(s))")
        lines = "<br>".join(html_text(x) for x in str(f["message"]).splitlines())
        items.append(f"<li><code>{html_text(str(f['path']))}</code>{html_text(head)}"
                     f'<br><span class="table-note">{lines}</span></li>')
    caption = _t(cmp, f"未能载入的数据包（{len(cmp.failures)}个，未参与比较）",
                 f"Packages not loaded ({len(cmp.failures)}, left out of the comparison)")
    hint = _t(cmp, "按提示修改数据包后重新运行；用 fivestar validate 查看全部问题。",
              "Fix the package and run again; fivestar validate lists every problem.")
    return (f'<div class="failures"><p><strong>{html_text(caption)}</strong></p><ul>'
            + "".join(items) + f"</ul><p>{html_text(hint)}</p></div>")
