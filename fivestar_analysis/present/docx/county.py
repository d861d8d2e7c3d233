"""The county report as a Word document, built from a :class:`CountyReport`.

One function per section, in the HTML report's order and with its tables, charts and
texts (see :mod:`fivestar_analysis.present.sections`): title and contents → 一、基本情况 →
二、创建成效 → 三、存在问题 → 四、原因分析 → 五、对策建议 → 附录. Each takes the
:class:`~fivestar_analysis.present.docx.page.DocxPage` and the report and appends to it,
so a section can be changed alone. Nothing is recomputed and no HTML is converted.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fivestar_analysis import charts
from fivestar_analysis._version import __version__
from fivestar_analysis.atomic import atomic_write_bytes
from fivestar_analysis.model.formats import format_level
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.docx.page import DocxPage
from fivestar_analysis.present.docx.style import apply_style, docx_style
from fivestar_analysis.present.drivers_section import drivers_parts
from fivestar_analysis.present.escape import md_text
from fivestar_analysis.present.sections import (
    _evidence_line,
    finding_title,
    level_table,
    problems_frame,
    report_title,
)
from fivestar_analysis.present.survey_sections import survey_parts

__all__ = ["SECTION_WRITERS", "report_document", "write_report_docx"]


def finding_anchor(i: int) -> str:
    """The bookmark of finding ``i`` (1-based), the target of ``F{i}`` references."""
    return f"finding_{i}"


def title(p: DocxPage, rep) -> None:
    c = rep.county
    files = p.t("clause.sep").join(p.t("meta.file", name=name, digest=digest[:12])
                                   for name, digest in sorted(c.meta.files.items()))
    place = "".join(x for x in (c.meta.province, c.meta.city) if x)
    p.title(report_title(rep), [
        ("meta.county", p.t("meta.county_code", place=place, name=c.meta.name, code=c.meta.code)),
        ("meta.year", str(rep.year)),
        ("meta.data", files),
        ("meta.rubric", c.rubric.title.get(rep.language)),
        ("meta.generated", rep.generated),
        ("meta.version", f"fivestar-analysis {__version__}"),
        ("meta.fingerprint", rep.fingerprint or "—"),
        ("meta.parameters", f"year={rep.year}, language={rep.language}"),
    ])
    p.toc()


def basic(p: DocxPage, rep) -> None:
    facts = nv.facts_basic(rep)
    n = facts["n_branches"]
    p.section("basic")
    p.md("basic", **facts)
    p.table(level_table(rep), p.t("basic.levels.caption", year=rep.year),
            p.method_n("basic.levels.method", n))
    p.chart(charts.level_history, rep.levels, alt=p.t("basic.levels.chart"))
    p.h(p.t("basic.targets"))
    p.md("targets", **nv.facts_targets(rep))
    if not rep.targets.empty:
        p.table(rep.targets, p.t("basic.targets.caption"), p.method_n("basic.targets.method", n),
                columns=["target_name", "level", "target_value", "actual_value",
                         "target_branches", "actual_branches", "gap_branches", "met"])


def achievements(p: DocxPage, rep) -> None:
    n = int(rep.county.branches_in(rep.year).shape[0])
    p.section("achievements")
    p.h(p.t("achievements.stars"))
    p.md("stars", stars=nv.facts_stars(rep), year=rep.year)
    att = rep.attainment[(rep.attainment["year"] == rep.year) & (rep.attainment["kind"] != "all")]
    p.table(att, p.t("achievements.stars.caption", year=rep.year),
            p.method_n("achievements.stars.method", n),
            columns=["kind", "star", "n_branches", "n_declared", "n_awarded", "declare_rate",
                     "award_rate", "achievement_rate"])
    p.chart(charts.star_attainment, rep.attainment, year=rep.year,
            alt=p.t("achievements.stars.chart"))
    p.chart(charts.township_star_heatmap, rep.attainment_township,
            alt=p.t("achievements.heatmap.chart"), figsize=(7.5, 6.5))
    p.h(p.t("achievements.years"))
    p.md("multi_year", year=rep.year, **nv.facts_multi_year(rep))
    if rep.previous_year is not None:
        p.chart(charts.level_transitions, rep.transitions, year_to=rep.year,
                alt=p.t("achievements.transitions.chart"), figsize=(6.5, 5.0))
        sc = rep.star_changes[rep.star_changes["year_to"] == rep.year]
        ts = rep.transition_summary
        n_both = ts.loc[(ts["year_to"] == rep.year) & (ts["kind"] == "all"), "n_both"].sum()
        p.table(sc, p.t("achievements.changes.caption"),
                p.method_n("achievements.changes.method", n_both),
                columns=["kind", "star", "held_before", "held_after", "gained", "lost", "net"])
    if not rep.honours.empty:
        h = rep.county.rubric.honours
        p.table(rep.honours, p.t("achievements.honours.caption"),
                p.method_n("achievements.honours.method", len(rep.honours),
                           silver=h.silver_years, gold=h.gold_years))
    p.table(rep.rewards, p.t("achievements.rewards.caption"),
            p.method_n("achievements.rewards.method", n),
            columns=["kind", "stars", "promotions", "star_reward_wan", "promotion_reward_wan",
                     "total_wan"])


def problems(p: DocxPage, rep) -> None:
    p.section("problems")
    if not rep.findings:
        p.say("problems.none")
    for i, f in enumerate(rep.findings, 1):
        # the heading carries the finding's id (F1 …) and is the target of its references
        p.h(f"F{i} {finding_title(rep, f)}", bookmark=finding_anchor(i))
        p.markdown(nv.render_section("finding", rep.language, f=f, rubric=rep.county.rubric,
                                     weak_below=rep.county.rubric.weak_village_below_wan))
        p.paragraph(_evidence_line(rep, f), style="note")
    p.h(p.t("problems.economy"))
    econ = nv.facts_economy(rep)
    p.md("economy", year=rep.year, **econ)
    if econ["n"]:
        p.table(rep.income_tiers, p.t("problems.tiers.caption"),
                p.method_n("problems.tiers.method", econ["n"]), columns=["tier", "count", "share"])
        p.chart(charts.income_by_level, rep.county.branches_in(rep.year),
                alt=p.t("problems.income_level.chart"))
        p.chart(charts.income_tiers_by_township, rep.income_tiers_township,
                alt=p.t("problems.income_township.chart"), figsize=(7.5, 6.5))
        p.table(rep.income_tests, p.t("problems.income_tests.caption"),
                p.t("problems.income_tests.method"),
                columns=["method", "n", "estimate", "ci_low", "ci_high", "statistic", "p_value",
                         "effect_size", "effect_size_name"])
    behind = rep.township_comparison
    n = int(behind["n_branches"].sum()) if not behind.empty else 0
    p.table(behind, p.t("problems.townships.caption"), p.method_n("problems.townships.method", n),
            columns=["township", "n_branches", "count_3plus", "share_3plus", "rest_share",
                     "share_difference", "p_value", "p_adj", "behind"], max_rows=12)


def causes(p: DocxPage, rep) -> None:
    """四、原因分析: the same pieces, in the same order, as the HTML section."""
    p.section("causes")
    drivers_parts(rep, p)
    if rep.survey is None:
        p.say("causes.none")
        return
    survey_parts(rep, p)

def measures(p: DocxPage, rep) -> None:
    p.section("measures")
    if not rep.recommendations:
        p.say("measures.none")
    for i, r in enumerate(rep.recommendations, 1):
        p.h(p.t("measures.heading", i=i, title=r.title))
        p.paragraph(r.text)
        # 针对问题 F1、F3；主要举措：… with F1, F3 as links to the findings' headings
        head, _, tail = p.t("measures.source", refs="\0", measures=p.join(r.measures)).partition("\0")
        p.links(head, [(f"F{j + 1}", finding_anchor(j + 1)) for j in r.finding_indices], tail)
    p.h(p.t("measures.candidates"))
    cand = rep.candidates
    if cand.empty:
        p.say("measures.candidates.none")
    else:
        p.table(cand, p.t("measures.candidates.caption"), p.t("measures.candidates.method"),
                columns=["candidate_rank", "branch_name", "township", "kind", "level",
                         "target_level", "nearest_star", "collective_income_wan", "closes_gap"],
                max_rows=20)
    _mentoring(p, rep)


def _mentoring(p: DocxPage, rep) -> None:
    p.h(p.t("measures.mentoring"))
    plan = rep.mentoring
    def level(n: int) -> str:
        return format_level(n, rep.language)

    rules = p.t("clause.sep").join(
        p.t("measures.mentoring.rule", mentor=level(m.mentor_level), k=m.min_mentees,
            mentee=level(m.mentee_level))
        for m in rep.county.rubric.mentoring)
    if rep.mentoring_within == "too_large":
        p.say("measures.mentoring.too_large")
    elif plan.pairs.empty:
        p.say("measures.mentoring.none", rules=md_text(rules))
    else:
        same = float(plan.pairs["same_township"].mean())
        how = p.t("measures.mentoring.township" if rep.mentoring_within == "township"
                  else "measures.mentoring.county")
        p.say("measures.mentoring.summary", rules=md_text(rules), pairs=f"{len(plan.pairs):,}",
              same=f"{same:.0%}", how=how)
        p.table(plan.pairs, p.t("measures.pairs.caption"), p.t("measures.pairs.method"),
                columns=["mentor_name", "mentor_township", "mentor_level", "mentee_name",
                         "mentee_township", "mentee_level", "same_township"], max_rows=25)
        if not plan.unmatched.empty:
            p.table(plan.unmatched, p.t("measures.unmatched.caption"),
                    p.t("measures.unmatched.method"), max_rows=20)


def appendix(p: DocxPage, rep) -> None:
    p.section("appendix")
    p.h(p.t("appendix.quality"))
    if rep.county.warnings:
        p.table(problems_frame(rep, rep.county.warnings), p.t("appendix.warnings.caption"),
                p.t("appendix.warnings.method"))
    else:
        p.say("appendix.warnings.none")
    notes = getattr(rep.county, "notes", None) or []
    if notes:
        p.table(problems_frame(rep, notes), p.t("appendix.notes.caption"),
                p.t("appendix.notes.method"))
    if rep.county.removed_identifying_columns:
        p.say("appendix.removed", cols=p.join(md_text(c) for c in rep.county.removed_identifying_columns))
    p.table(rep.consistency[rep.consistency["year"] == rep.year], p.t("appendix.consistency.caption"),
            p.t("appendix.consistency.method"),
            columns=["kind", "basis", "n_branches", "level_total", "star_total", "total_difference",
                     "five_star", "capstone_count", "consistent"])
    p.h(p.t("appendix.methods"))
    p.markdown(nv.render_section("methods", rep.language))
    if rep.survey is not None:
        p.table(rep.survey.reliability, p.t("appendix.reliability.caption"),
                p.t("appendix.reliability.method"),
                columns=["dimension", "k_items", "n", "alpha", "ci_low", "ci_high",
                         "mean_inter_item_r", "suppressed"])
        p.table(rep.survey.item_quality, p.t("appendix.items.caption"), p.t("appendix.items.method"),
                columns=["item", "dimension", "role", "n", "n_valid", "n_blank", "n_dont_know",
                         "share_valid"])
    p.h(p.t("appendix.townships"))
    towns = rep.share_3plus_township[rep.share_3plus_township["year"] == rep.year]
    p.table(towns, p.t("appendix.share3.caption"),
            p.method_n("appendix.share3.method", int(towns["n_branches"].sum())),
            columns=["township", "n_branches", "count_3plus", "share_3plus"])
    p.table(rep.income_by_township, p.t("appendix.income.caption"), p.t("appendix.income.method"),
            columns=["township", "n", "median_wan", "q1_wan", "q3_wan", "share_weak", "share_strong"])


#: the report's parts in order; each appends one part to the document
SECTION_WRITERS = (title, basic, achievements, problems, causes, measures, appendix)


def report_document(rep, *, language: str | None = None, style_overrides: dict | None = None):
    """The python-docx ``Document`` of the county report (not yet saved)."""
    import docx

    language = language or rep.language
    style = docx_style(language, style_overrides)
    document = docx.Document()
    apply_style(document, style)
    _core_properties(document, report_title(rep), language)
    page = DocxPage(document, language, style, rubric=rep.county.rubric)
    for write in SECTION_WRITERS:
        write(page, rep)
    page.page_numbers()
    _update_fields_on_open(document)
    return document


def write_report_docx(report, path: str | Path, *, language: str = "zh",
                      style_overrides: dict | None = None) -> Path:
    """Write the county report as a Word document at ``path`` (atomically) and return it.

    The report's wording follows ``report.language``; ``language`` picks the house style
    (``zh``: the official-document layout; ``en``: an English style set). Pass a report
    described in English (``describe_county(…, language="en")``) for an English document.
    """
    document = report_document(report, language=language, style_overrides=style_overrides)
    buf = io.BytesIO()
    document.save(buf)
    return atomic_write_bytes(Path(path), buf.getvalue())


def _core_properties(document: Any, title_text: str, language: str) -> None:
    from fivestar_analysis.present.escape import docx_text

    props = document.core_properties
    props.title = docx_text(title_text)[:255]
    props.author = "fivestar-analysis"
    props.language = "en-GB" if language == "en" else "zh-CN"


def _update_fields_on_open(document: Any) -> None:
    """Ask Word to update the fields (the contents, the page numbers) when it opens."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
