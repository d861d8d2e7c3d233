"""The comparison report as a Word document, built from a :class:`CountyComparison`.

The HTML comparison report's parts, in its order and with its tables, charts and narrative
(see :mod:`fivestar_analysis.present.comparison_sections`, whose fact functions fill the
same templates here): title and contents → 一、总体排名 → 二、分星比较 → 三、集体经济比较 →
四、问卷满意度比较 → 五、落后县（市、区） → 附录.
"""

from __future__ import annotations

import io
from pathlib import Path

from fivestar_analysis._version import __version__
from fivestar_analysis.atomic import atomic_write_bytes
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.charts import comparison as cc
from fivestar_analysis.present.comparison_sections import (
    _rows_figsize,
    comparison_title,
    facts_income,
    facts_lagging,
    facts_ranking,
    facts_stars,
    facts_survey,
)
from fivestar_analysis.present.docx.county import _core_properties, _update_fields_on_open
from fivestar_analysis.present.docx.page import DocxPage
from fivestar_analysis.present.docx.style import apply_style, docx_style

__all__ = ["COMPARISON_WRITERS", "comparison_document", "write_comparison_docx"]


def title(p: DocxPage, cmp) -> None:
    names = [c.meta.name for c in cmp.counties]
    listed = p.join(p.t("meta.county_code", place="", name=c.meta.name, code=c.meta.code)
                    for c in cmp.counties)
    p.title(comparison_title(names, cmp.year, cmp.language), [
        ("meta.counties", listed),
        ("meta.compare_year", str(cmp.year)),
        ("meta.not_loaded", p.t("meta.not_loaded.value", n=len(cmp.failures))),
        ("meta.generated", cmp.generated),
        ("meta.version", f"fivestar-analysis {__version__}"),
        ("meta.fingerprint", cmp.fingerprint or "—"),
        ("meta.parameters", f"year={cmp.year}, language={cmp.language}"),
    ])
    p.toc()


def ranking(p: DocxPage, cmp) -> None:
    p.section("ranking")
    p.md("compare_ranking", **facts_ranking(cmp))
    p.table(cmp.ranking, p.t("compare.ranking.caption", year=cmp.year),
            p.method_n("compare.ranking.method", int(cmp.ranking["n_branches"].sum())),
            columns=["rank", "county_name", "n_branches", "count_3plus", "share_3plus", "ci_low",
                     "ci_high", "share_3plus_rural", "share_3plus_community"],
            percent=["share_3plus", "ci_low", "ci_high", "share_3plus_rural",
                     "share_3plus_community"])
    p.chart(cc.ranking_bars, cmp.ranking, lagging=cmp.lagging_codes,
            alt=p.t("compare.ranking.chart"), figsize=_rows_figsize(len(cmp.ranking)))


def stars(p: DocxPage, cmp) -> None:
    p.section("stars")
    p.md("compare_stars", **facts_stars(cmp))
    order = cmp.ranking["county_code"].tolist()
    p.chart(cc.county_star_heatmap, cmp.star_matrix, order=order, alt=p.t("compare.stars.chart"),
            figsize=(7.5, max(3.6, 2.4 + 0.5 * len(order))))
    m = cmp.star_matrix
    keys = list(dict.fromkeys(m["star"]))
    rank = {c: i for i, c in enumerate(order)}
    wide = (m.assign(_r=m["county_code"].map(rank), _k=(m["kind"] != "rural").astype(int))
            .pivot_table(index=["_r", "county_name", "_k", "kind"], columns="star",
                         values="award_rate", aggfunc="first")
            .reindex(columns=keys).sort_index().reset_index().drop(columns=["_r", "_k"]))
    wide.columns.name = None
    p.table(wide, p.t("compare.stars.caption", year=cmp.year),
            p.method_n("compare.stars.method", int(cmp.ranking["n_branches"].sum())),
            percent=keys, decimals={s: 0 for s in keys})


def income(p: DocxPage, cmp) -> None:
    p.section("income")
    p.md("compare_income", **facts_income(cmp))
    inc = cmp.income
    if (inc["n"] > 0).any():
        p.chart(cc.income_ranges, inc, alt=p.t("compare.income.chart"),
                figsize=_rows_figsize(len(inc)))
    p.table(inc, p.t("compare.income.caption"),
            p.method_n("compare.income.method", int(inc["n"].sum())),
            columns=["county_name", "n_rural", "n", "median_wan", "q1_wan", "q3_wan",
                     "geo_mean_wan", "n_weak", "share_weak"])
    if len(cmp.tests):
        p.table(cmp.tests, p.t("compare.tests.caption"), p.t("compare.tests.method"),
                columns=["measure", "method", "n", "n_groups", "statistic", "df", "p_value",
                         "effect_size", "effect_size_name"], percent=[])


def survey(p: DocxPage, cmp) -> None:
    p.section("survey")
    p.md("compare_survey", **facts_survey(cmp))
    s = cmp.survey_indices
    if s["estimate"].notna().any():
        p.chart(cc.survey_index_dots, s, alt=p.t("compare.survey.chart"),
                figsize=_rows_figsize(s["county_code"].nunique(), per_row=0.6))
    p.table(s, p.t("compare.survey.caption"), p.t("compare.survey.method"),
            columns=["county_name", "dimension", "has_survey", "n", "estimate", "ci_low",
                     "ci_high", "suppressed"],
            decimals={"estimate": 1, "ci_low": 1, "ci_high": 1}, percent=[])


def lagging(p: DocxPage, cmp) -> None:
    p.section("lagging")
    p.md("compare_lagging", **facts_lagging(cmp))
    lag = cmp.lagging
    p.table(lag, p.t("compare.lagging.caption"),
            p.method_n("compare.lagging.method", int(lag["n_branches"].sum())),
            columns=["county_name", "n_branches", "count_3plus", "share_3plus", "rest_n",
                     "rest_share", "share_difference", "odds_ratio", "p_value", "p_adj",
                     "lagging"])


def appendix(p: DocxPage, cmp) -> None:
    p.section("appendix")
    p.h(p.t("compare.packages"))
    p.table(cmp.packages.assign(year=cmp.packages["year"].astype(str)),
            p.t("compare.packages.caption"), p.t("compare.packages.method"),
            columns=["county_code", "county_name", "province", "city", "year", "n_branches",
                     "n_townships", "n_respondents", "n_warnings"])
    if cmp.failures.empty:
        p.say("compare.packages.ok")
    else:
        _failures(p, cmp)
    p.h(p.t("compare.methods"))
    p.markdown(nv.render_section("compare_methods", cmp.language))


def _failures(p: DocxPage, cmp) -> None:
    """The packages left out, each with why: the path, the reason, then the messages."""
    p.paragraph(p.t("compare.failures.caption", n=len(cmp.failures)), style="caption")
    for _, f in cmp.failures.iterrows():
        head = p.t("compare.failure.head", reason=p.label(f["reason"]), n=int(f["n_problems"]))
        p.paragraph(str(f["path"]) + head, style="list")
        for line in str(f["message"]).splitlines():
            p.paragraph(line, style="note")
    p.paragraph(p.t("compare.failures.hint"), style="note")


#: the comparison report's parts in order
COMPARISON_WRITERS = (title, ranking, stars, income, survey, lagging, appendix)


def comparison_document(cmp, *, language: str | None = None, style_overrides: dict | None = None):
    """The python-docx ``Document`` of the comparison report (not yet saved)."""
    import docx

    language = language or cmp.language
    style = docx_style(language, style_overrides)
    document = docx.Document()
    apply_style(document, style)
    names = [c.meta.name for c in cmp.counties]
    _core_properties(document, comparison_title(names, cmp.year, cmp.language), language)
    page = DocxPage(document, language, style, rubric=cmp.rubric, sections="compare.section.")
    for write in COMPARISON_WRITERS:
        write(page, cmp)
    page.page_numbers()
    _update_fields_on_open(document)
    return document


def write_comparison_docx(comparison, path: str | Path, *, language: str = "zh",
                          style_overrides: dict | None = None) -> Path:
    """Write the comparison report as a Word document at ``path`` (atomically)."""
    document = comparison_document(comparison, language=language, style_overrides=style_overrides)
    buf = io.BytesIO()
    document.save(buf)
    return atomic_write_bytes(Path(path), buf.getvalue())
