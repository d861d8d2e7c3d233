"""四、原因分析: what the survey says, as HTML, from a report's computed survey results.

The county report's :func:`~fivestar_analysis.present.sections.causes_html` calls
:func:`survey_html` when the package has a survey.
"""

from __future__ import annotations

from fivestar_analysis import charts
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.html import Page

__all__ = ["survey_html", "survey_parts", "item_labels", "shown_dimensions"]


def shown_dimensions(rep) -> list[str]:
    """The star areas and the overall measure, the dimensions the section shows."""
    overall = nv.overall_dimension(rep.survey.estimates)
    return rep.county.rubric.all_star_keys() + ([overall] if overall else [])


def item_labels(rep, width: int = 16) -> dict[str, str]:
    """Short question texts for chart labels (cut to ``width`` characters)."""
    texts = rep.county.codebook.set_index("item")["text"]
    return {str(i): (x if len(x) <= width else x[:width - 1] + "…")
            for i, x in texts.items() if isinstance(x, str) and x and x != "nan"}


def _scores(rep, p: Page) -> list[str]:
    s, keep = rep.survey, shown_dimensions(rep)
    est = s.estimates
    by_group = est[(est["by"].isin(["county", "group"])) & (est["measure"] == "index")
                   & est["dimension"].isin(keep)]
    table = by_group.assign(subgroup=by_group["subgroup"].where(by_group["by"] != "county", "all"))
    return [
        p.chart(charts.dimension_scores, by_group, alt=p.t("causes.scores.chart")),
        p.table(table, p.t("causes.scores.caption"), p.t("causes.scores.method", k=s.k),
                columns=["subgroup", "dimension", "n", "estimate", "ci_low", "ci_high",
                         "suppressed"],
                decimals={"estimate": 1, "ci_low": 1, "ci_high": 1}),
        p.chart(charts.ipa_quadrant, s.ipa[s.ipa["group"] == "all"], alt=p.t("causes.ipa.chart"),
                figsize=(7.0, 5.5)),
        p.chart(charts.likert_bars, rep.likert, alt=p.t("causes.likert.chart"),
                figsize=(7.5, 4.5)),
    ]


def _awareness(rep, p: Page) -> list[str]:
    s = rep.survey
    aw = s.awareness
    out = [p.chart(charts.awareness_by_group, aw, item_labels=item_labels(rep),
                   alt=p.t("causes.awareness.chart")),
           p.table(aw[aw["group"] != "all"], p.t("causes.awareness.caption"),
                   p.t("causes.awareness.method"),
                   columns=["measure", "item", "group", "n", "count", "estimate", "ci_low",
                            "ci_high", "suppressed"],
                   percent=["estimate", "ci_low", "ci_high"])]
    ch = s.choices
    multi = ch[(ch["role"] == "multi") & (ch["group"] == "all")].sort_values("share",
                                                                           ascending=False)
    if not multi.empty:
        out.append(p.table(multi, p.t("causes.choices.caption"), p.t("causes.choices.method"),
                           columns=["option_label", "n", "count", "share", "ci_low", "ci_high",
                                    "suppressed"], percent=["share", "ci_low", "ci_high"]))
    return out


def _tests(rep, p: Page) -> list[str]:
    s, keep = rep.survey, shown_dimensions(rep)
    gt = s.group_tests[s.group_tests["dimension"].isin(keep)]
    return [
        p.table(gt, p.t("causes.groups.caption"), p.t("causes.groups.method"),
                columns=["dimension", "n", "n_groups", "statistic", "df", "p_value",
                         "effect_size", "effect_size_name", "suppressed"]),
        p.table(s.income_association, p.t("causes.income.caption"), p.t("causes.income.method"),
                columns=["dimension", "unit", "n_branches", "statistic", "ci_low", "ci_high",
                         "p_value", "suppressed"]),
    ]


def _open_answers(rep, p: Page) -> list[str]:
    s = rep.survey
    themes = s.themes
    if "count" in themes.columns:  # a theme nobody mentioned is not a finding
        themes = themes[themes["count"].fillna(0) > 0]
    if themes.empty:
        return []
    examples = s.examples.sort_values(["theme", "example_rank"])
    return [
        p.sub(p.t("causes.open")),
        p.table(themes.sort_values("share", ascending=False), p.t("causes.themes.caption"),
                p.t("causes.themes.method"), columns=["theme", "n", "count", "share", "suppressed"],
                percent=["share"]),
        p.table(examples, p.t("causes.examples.caption"), p.t("causes.examples.method"),
                columns=["theme", "example"], max_rows=15),
    ]


def survey_parts(rep, p) -> list:
    """The survey's part of 四、原因分析 (scores, awareness, tests, open answers) on a page:
    the HTML :class:`Page` returns each piece, the Word page adds it to the document."""
    out = [p.md("survey", **nv.facts_survey(rep))]
    for part in (_scores, _awareness, _tests, _open_answers):
        out += part(rep, p)
    return out


def survey_html(rep, p: Page) -> str:
    """The survey's part of 四、原因分析 as HTML."""
    return "".join(survey_parts(rep, p))
