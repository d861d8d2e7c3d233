"""The county report's sections as HTML, built from a :class:`CountyReport` (nothing recomputed).

一、基本情况 → 二、创建成效 → 三、存在问题 → 四、原因分析 → 五、对策建议 → 附录.
Each function returns an HTML string; the notebook displays them one per cell. The wording is
in ``resources/report/text.yaml`` and the narrative templates; this module only arranges.
"""

from __future__ import annotations

import pandas as pd

from fivestar_analysis import charts
from fivestar_analysis._version import __version__
from fivestar_analysis.model.formats import format_int, format_level, format_pct, format_pv
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.display import markdown_html
from fivestar_analysis.present.drivers_section import drivers_html
from fivestar_analysis.present.escape import html_text, md_text
from fivestar_analysis.present.html import Page
from fivestar_analysis.present.text import text

__all__ = ["title_html", "basic_html", "achievements_html", "problems_html", "causes_html",
           "measures_html", "appendix_html", "SECTIONS", "finding_title", "report_title",
           "report_title_for", "page", "level_table"]

#: the report's sections in order (their titles are ``section.<key>`` in text.yaml)
SECTIONS = ("basic", "achievements", "problems", "causes", "measures", "appendix")


def page(rep) -> Page:
    return Page(rep.language, rep.county.rubric)


# -- title ------------------------------------------------------------------------------

def report_title_for(name: str, year: int, language: str) -> str:
    """The report's title, also used for the HTML page title."""
    return text("title.county", language, name=name, year=year)


def report_title(rep) -> str:
    return report_title_for(rep.county.meta.name, rep.year, rep.language)


def title_html(rep) -> str:
    p, c = page(rep), rep.county
    files = p.t("clause.sep").join(p.t("meta.file", name=name, digest=digest[:12])
                                   for name, digest in sorted(c.meta.files.items()))
    place = "".join(x for x in (c.meta.province, c.meta.city) if x)
    return p.title_block(report_title(rep), [
        ("meta.county", p.t("meta.county_code", place=place, name=c.meta.name, code=c.meta.code)),
        ("meta.year", str(rep.year)),
        ("meta.data", files),
        ("meta.rubric", c.rubric.title.get(rep.language)),
        ("meta.generated", rep.generated),
        ("meta.version", f"fivestar-analysis {__version__}"),
        ("meta.fingerprint", rep.fingerprint or "—"),
        ("meta.parameters", f"year={rep.year}, language={rep.language}"),
    ])


# -- 一、基本情况 -------------------------------------------------------------------------

def level_table(rep) -> pd.DataFrame:
    """Branches per level and kind in the report year (rows: 零星 … 五星)."""
    lv = rep.levels[rep.levels["year"] == rep.year]
    wide = lv.pivot_table(index="level", columns="kind", values="count", aggfunc="sum",
                          observed=True).reindex(columns=["rural", "community", "all"])
    wide = wide.dropna(axis=1, how="all").fillna(0).astype(int).reset_index()
    wide["level"] = wide["level"].map(lambda n: format_level(n, rep.language))
    return wide.rename(columns={"level": "level_label"})


def basic_html(rep) -> str:
    p, n = page(rep), rep.overview.n_branches
    out = [p.section("basic"), p.md("basic", **nv.facts_basic(rep))]
    out.append(p.table(level_table(rep), p.t("basic.levels.caption", year=rep.year),
                       p.method_n("basic.levels.method", n)))
    out.append(p.chart(charts.level_history, rep.levels, alt=p.t("basic.levels.chart")))
    out.append(p.h(3, p.t("basic.targets")))
    out.append(p.md("targets", **nv.facts_targets(rep)))
    if not rep.targets.empty:
        out.append(p.table(rep.targets, p.t("basic.targets.caption"),
                           p.method_n("basic.targets.method", n),
                           columns=["target_name", "level", "target_value", "actual_value",
                                    "target_branches", "actual_branches", "gap_branches", "met"]))
    return "".join(out)


# -- 二、创建成效 -------------------------------------------------------------------------

def achievements_html(rep) -> str:
    p, n = page(rep), rep.overview.n_branches
    out = [p.section("achievements"), p.h(3, p.t("achievements.stars"))]
    out.append(p.md("stars", stars=nv.facts_stars(rep), year=rep.year))
    att = rep.attainment[(rep.attainment["year"] == rep.year) & (rep.attainment["kind"] != "all")]
    out.append(p.table(att, p.t("achievements.stars.caption", year=rep.year),
                       p.method_n("achievements.stars.method", n),
                       columns=["kind", "star", "n_branches", "n_declared", "n_awarded",
                                "declare_rate", "award_rate", "achievement_rate"]))
    out.append(p.chart(charts.star_attainment, rep.attainment, year=rep.year,
                       alt=p.t("achievements.stars.chart")))
    out.append(p.chart(charts.township_star_heatmap, rep.attainment_township,
                       alt=p.t("achievements.heatmap.chart"), figsize=(7.5, 6.5)))
    out.append(p.h(3, p.t("achievements.years")))
    out.append(p.md("multi_year", year=rep.year, **nv.facts_multi_year(rep)))
    if rep.previous_year is not None:
        out.append(p.chart(charts.level_transitions, rep.transitions, year_to=rep.year,
                           alt=p.t("achievements.transitions.chart"), figsize=(6.5, 5.0)))
        sc = rep.star_changes[rep.star_changes["year_to"] == rep.year]
        ts = rep.transition_summary
        n_both = ts.loc[(ts["year_to"] == rep.year) & (ts["kind"] == "all"), "n_both"].sum()
        out.append(p.table(sc, p.t("achievements.changes.caption"),
                           p.method_n("achievements.changes.method", n_both),
                           columns=["kind", "star", "held_before", "held_after", "gained",
                                    "lost", "net"]))
    if not rep.honours.empty:
        h = rep.county.rubric.honours
        out.append(p.table(rep.honours, p.t("achievements.honours.caption"),
                           p.method_n("achievements.honours.method", len(rep.honours),
                                      silver=h.silver_years, gold=h.gold_years)))
    out.append(p.table(rep.rewards, p.t("achievements.rewards.caption"),
                       p.method_n("achievements.rewards.method", n),
                       columns=["kind", "stars", "promotions", "star_reward_wan",
                                "promotion_reward_wan", "total_wan"]))
    return "".join(out)


# -- 三、存在问题 -------------------------------------------------------------------------

def finding_title(rep, f) -> str:
    """``获评最少的星：产业兴旺星`` — the heading of a finding (its kind and subject)."""
    p = page(rep)
    if f.kind == "collective_economy":
        subject = "" if f.scope == "county" else p.t("finding.collective_economy.scope",
                                                     s=f.subject)
    elif f.kind == "lagging_township":
        subject = f.subject
    else:
        subject = p.label(f.subject)
    try:
        return p.t(f"finding.{f.kind}", s=subject)
    except KeyError:  # a finding kind added without wording: show the key, not a crash
        return str(f.kind)


def _evidence_line(rep, f) -> str:
    p = page(rep)
    parts = [p.t("finding.severity", s=p.label(f.severity))]
    if f.test:
        parts.append(p.t("finding.test", s=f.test))
    if f.statistic is not None:
        parts.append(p.t("finding.statistic", s=f"{f.statistic:.3g}"))
    if f.p_value is not None:
        parts.append(format_pv(f.p_value))
    e = f.evidence
    n = e.get("n") or e.get("n_branches") or e.get("n_near") or e.get("rated")
    if n:
        parts.append(f"n={format_int(n)}")
    return p.t("clause.sep").join(parts)


def problems_html(rep) -> str:
    p = page(rep)
    out = [p.section("problems")]
    if not rep.findings:
        out.append(p.say("problems.none"))
    for i, f in enumerate(rep.findings, 1):
        body = nv.render_section("finding", rep.language, f=f, rubric=rep.county.rubric,
                                 weak_below=rep.county.rubric.weak_village_below_wan)
        out.append(f'<div class="finding {html_text(f.severity)}" id="finding-{i}">'
                   + p.h(3, f"F{i} {finding_title(rep, f)}") + markdown_html(body)
                   + f'<p class="evidence">{html_text(_evidence_line(rep, f))}</p></div>')
    out.append(p.h(3, p.t("problems.economy")))
    econ = nv.facts_economy(rep)
    out.append(p.md("economy", year=rep.year, **econ))
    if rep.income_summary.n:
        out.append(p.table(rep.income_tiers, p.t("problems.tiers.caption"),
                           p.method_n("problems.tiers.method", rep.income_summary.n),
                           columns=["tier", "count", "share"]))
        out.append(p.chart(charts.income_by_level, rep.income_points,
                           alt=p.t("problems.income_level.chart")))
        out.append(p.chart(charts.income_tiers_by_township, rep.income_tiers_township,
                           alt=p.t("problems.income_township.chart"), figsize=(7.5, 6.5)))
        out.append(p.table(rep.income_tests, p.t("problems.income_tests.caption"),
                           p.t("problems.income_tests.method"),
                           columns=["method", "n", "estimate", "ci_low", "ci_high", "statistic",
                                    "p_value", "effect_size", "effect_size_name"]))
    behind = rep.township_comparison
    n = int(behind["n_branches"].sum()) if not behind.empty else 0
    out.append(p.table(behind, p.t("problems.townships.caption"),
                       p.method_n("problems.townships.method", n),
                       columns=["township", "n_branches", "count_3plus", "share_3plus",
                                "rest_share", "share_difference", "p_value", "p_adj", "behind"],
                       max_rows=12))
    return "".join(out)


# -- 四、原因分析 -------------------------------------------------------------------------

def causes_html(rep) -> str:
    from fivestar_analysis.present.survey_sections import survey_html

    p = page(rep)
    out = [p.section("causes"), drivers_html(rep)]
    if rep.survey is None:
        out.append(p.say("causes.none"))
        return "".join(out)
    out.append(survey_html(rep, p))
    return "".join(out)


# -- 五、对策建议 -------------------------------------------------------------------------

def _recommendation_html(rep, p: Page, i: int, r) -> str:
    refs = p.join(f'<a href="#finding-{j + 1}">F{j + 1}</a>' for j in r.finding_indices)
    # the references are links of our own making; everything else is text and escaped
    slot = "\ue000"  # a private-use character marks where the links go
    measures = p.join(str(m).replace(slot, "") for m in r.measures)
    source = html_text(p.t("measures.source", refs=slot, measures=measures)).replace(slot, refs)
    return (f'<div class="recommendation">{p.h(3, p.t("measures.heading", i=i, title=r.title))}'
            f'<p>{html_text(r.text)}</p><p class="source">{source}</p></div>')


def _mentoring_html(rep, p: Page) -> list[str]:
    plan = rep.mentoring
    rules = p.t("clause.sep").join(
        p.t("measures.mentoring.rule", mentor=format_level(m.mentor_level, rep.language),
            mentee=format_level(m.mentee_level, rep.language), k=m.min_mentees)
        for m in rep.county.rubric.mentoring)
    if rep.mentoring_within == "too_large":
        return [p.say("measures.mentoring.too_large")]
    if plan.pairs.empty:
        return [p.say("measures.mentoring.none", rules=md_text(rules))]
    how = p.t("measures.mentoring.township" if rep.mentoring_within == "township"
              else "measures.mentoring.county")
    same = format_pct(plan.pairs["same_township"].mean(), 0)
    out = [p.say("measures.mentoring.summary", rules=md_text(rules),
                 pairs=format_int(len(plan.pairs)), same=same, how=how)]
    out.append(p.table(plan.pairs, p.t("measures.pairs.caption"), p.t("measures.pairs.method"),
                       columns=["mentor_name", "mentor_township", "mentor_level", "mentee_name",
                                "mentee_township", "mentee_level", "same_township"], max_rows=25))
    if not plan.unmatched.empty:
        out.append(p.table(plan.unmatched, p.t("measures.unmatched.caption"),
                           p.t("measures.unmatched.method"), max_rows=20))
    return out


def measures_html(rep) -> str:
    p = page(rep)
    out = [p.section("measures")]
    if not rep.recommendations:
        out.append(p.say("measures.none"))
    out += [_recommendation_html(rep, p, i, r) for i, r in enumerate(rep.recommendations, 1)]
    out.append(p.h(3, p.t("measures.candidates")))
    if rep.candidates.empty:
        out.append(p.say("measures.candidates.none"))
    else:
        out.append(p.table(rep.candidates, p.t("measures.candidates.caption"),
                           p.t("measures.candidates.method"),
                           columns=["candidate_rank", "branch_name", "township", "kind", "level",
                                    "target_level", "nearest_star", "collective_income_wan",
                                    "closes_gap"], max_rows=20))
    out.append(p.h(3, p.t("measures.mentoring")))
    out += _mentoring_html(rep, p)
    return "".join(out)


# -- 附录 -------------------------------------------------------------------------------

def problems_frame(rep, problems) -> pd.DataFrame:
    """Warnings or reading notes as a table: file, row, column, message."""
    return pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column,
                          "message": p.message(rep.language)} for p in problems],
                        columns=["file", "row", "column", "message"])


def appendix_html(rep) -> str:
    p, c = page(rep), rep.county
    out = [p.section("appendix"), p.h(3, p.t("appendix.quality"))]
    if c.warnings:
        out.append(p.table(problems_frame(rep, c.warnings), p.t("appendix.warnings.caption"),
                           p.t("appendix.warnings.method")))
    else:
        out.append(p.say("appendix.warnings.none"))
    notes = getattr(c, "notes", None) or []
    if notes:
        out.append(p.table(problems_frame(rep, notes), p.t("appendix.notes.caption"),
                           p.t("appendix.notes.method")))
    if c.removed_identifying_columns:
        cols = p.join(md_text(x) for x in c.removed_identifying_columns)
        out.append(p.say("appendix.removed", cols=cols))
    out.append(p.table(rep.consistency[rep.consistency["year"] == rep.year],
                       p.t("appendix.consistency.caption"), p.t("appendix.consistency.method"),
                       columns=["kind", "basis", "n_branches", "level_total", "star_total",
                                "total_difference", "five_star", "capstone_count", "consistent"]))
    out.append(p.h(3, p.t("appendix.methods")))
    out.append(markdown_html(nv.render_section("methods", rep.language)))
    if rep.survey is not None:
        out.append(p.table(rep.survey.reliability, p.t("appendix.reliability.caption"),
                           p.t("appendix.reliability.method"),
                           columns=["dimension", "k_items", "n", "alpha", "ci_low", "ci_high",
                                    "mean_inter_item_r", "suppressed"]))
        out.append(p.table(rep.survey.item_quality, p.t("appendix.items.caption"),
                           p.t("appendix.items.method"),
                           columns=["item", "dimension", "role", "n", "n_valid", "n_blank",
                                    "n_dont_know", "share_valid"]))
    out.append(p.h(3, p.t("appendix.townships")))
    towns = rep.share_3plus_township[rep.share_3plus_township["year"] == rep.year]
    out.append(p.table(towns, p.t("appendix.share3.caption"),
                       p.method_n("appendix.share3.method", towns["n_branches"].sum()),
                       columns=["township", "n_branches", "count_3plus", "share_3plus"]))
    out.append(p.table(rep.income_by_township, p.t("appendix.income.caption"),
                       p.t("appendix.income.method"),
                       columns=["township", "n", "median_wan", "q1_wan", "q3_wan", "share_weak",
                                "share_strong"]))
    return "".join(out)
