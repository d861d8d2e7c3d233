"""One call that computes a county's whole description for the report.

``describe_county`` runs every analysis once and keeps the results in a
:class:`CountyReport`; the notebook, the charts, the narrative and the exports only read it
(compute, then present).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from fivestar_analysis import stars as st
from fivestar_analysis.analysis.drivers import DriverResults, analyse_drivers
from fivestar_analysis.analysis.stars.economy import IncomeSummary
from fivestar_analysis.analysis.stars.levels import Overview
from fivestar_analysis.analysis.stars.mentoring import MentoringPlan, MentoringTooLarge
from fivestar_analysis.analysis.survey._frame import shared_inputs
from fivestar_analysis.describe.recommend import Recommendation, load_rules, recommend
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.county import County
from fivestar_analysis.model.findings import Finding

if TYPE_CHECKING:  # the survey analysis is imported only when a package has a survey
    from fivestar_analysis.analysis.survey.describe import SurveyResults

__all__ = ["CountyReport", "describe_county"]


@dataclass
class CountyReport:
    """Everything the report shows about one county and year."""

    county: County
    year: int
    language: str
    generated: str
    fingerprint: str | None
    # the scale of the county in the report year
    overview: Overview
    # star analysis
    levels: pd.DataFrame            # level_distribution, all years, awarded
    levels_planned: pd.DataFrame    # level_distribution, all years, declared
    share_3plus: pd.DataFrame       # by year and kind
    share_3plus_township: pd.DataFrame
    attainment: pd.DataFrame        # star_attainment, all years
    attainment_township: pd.DataFrame  # report year, by township
    consistency: pd.DataFrame
    targets: pd.DataFrame
    candidates: pd.DataFrame
    transitions: pd.DataFrame
    transition_summary: pd.DataFrame
    star_changes: pd.DataFrame
    five_star_runs: pd.DataFrame
    honours: pd.DataFrame
    township_comparison: pd.DataFrame
    bottlenecks: pd.DataFrame
    income_tiers: pd.DataFrame
    income_tiers_township: pd.DataFrame
    income_by_level: pd.DataFrame
    income_by_township: pd.DataFrame
    income_tests: pd.DataFrame
    income_summary: IncomeSummary
    income_points: pd.DataFrame     # village branches with an income: level, income
    weak_villages: pd.DataFrame
    weak_lax: pd.DataFrame
    secretaries: pd.DataFrame
    rewards: pd.DataFrame
    rewards_plan: pd.DataFrame
    mentoring: MentoringPlan
    # survey analysis (None without a survey)
    survey: SurveyResults | None
    likert: pd.DataFrame | None
    # findings (star analysis, then survey) and what answers them
    findings: list[Finding] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    #: None: one plan for the whole county; "township": too large, solved per township
    mentoring_within: str | None = None
    #: branch models and survey key drivers (原因分析 · 影响因素)
    drivers: DriverResults | None = None

    @property
    def has_survey(self) -> bool:
        return self.survey is not None

    @property
    def previous_year(self) -> int | None:
        earlier = [y for y in self.county.years if y < self.year]
        return earlier[-1] if earlier else None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, for the workbook export."""
        out = {name: value for name, value in vars(self).items() if isinstance(value, pd.DataFrame)}
        out["mentoring_pairs"] = self.mentoring.pairs
        out["mentoring_unmatched"] = self.mentoring.unmatched
        from fivestar_analysis.model.findings import findings_frame

        out["findings"] = findings_frame(self.findings)
        if self.survey is not None:
            for name, table in self.survey.tables().items():
                out[f"survey_{name}"] = table
        if self.drivers is not None:
            out.update(self.drivers.tables())
        return out


def _safe_mentoring(county: County, year: int) -> tuple[MentoringPlan, str | None]:
    """The county-wide plan; when that assignment problem is too large to solve in one
    piece (province-sized data), one problem per township, and ``"township"`` as the
    second value so the report can say pairs were only sought within townships."""
    try:
        return st.mentoring_plan(county, year=year), None
    except MentoringTooLarge:
        pass
    try:
        return st.mentoring_plan(county, year=year, within="township"), "township"
    except MentoringTooLarge:
        # not "no pairs under the rules": the plan could not be computed at all, and the
        # report must say so
        empty = pd.DataFrame()
        return MentoringPlan(year=year, pairs=empty, load=empty, unmatched=empty), "too_large"


def describe_county(county: County, *, year: int | None = None, language: str | None = None,
                    rules_path: str | None = None, fingerprint: str | None = None,
                    generated: str | None = None,
                    submit: Callable[..., Callable[[], Any]] | None = None) -> CountyReport:
    """Compute every table, finding and recommendation of the report for ``year``.

    ``submit(fn, *args)`` may start independent work elsewhere and return a callable that
    gives its value (the report renderer passes a worker process): the survey tables go
    there while the star tables and the driver models are computed here. Without it
    everything runs in place, the survey tables and the key drivers sharing one scoring.
    """
    year = int(year or county.year)
    if year not in county.years:
        raise InvalidArgument(f"year {year} is not in the ledger ({county.years})")
    if year != county.year:
        county = county.replace(meta=_with_year(county.meta, year))
    language = language or county.meta.language
    if submit is not None:
        pending_survey = submit(_survey_tables, county)
        drivers = analyse_drivers(county, year)
        tables = _star_tables(county, year)
        survey, likert = pending_survey()
    else:
        # one respondent frame, one set of scores for the survey tables, the Likert and the
        # key drivers (which score satisfaction and importance as the survey tables did)
        with shared_inputs():
            survey, likert = _survey_tables(county)
            drivers = analyse_drivers(county, year)
        tables = _star_tables(county, year)
    findings = st.diagnose(county, year=year)
    if survey is not None:
        findings = findings + list(survey.findings)
    rank = {"high": 0, "medium": 1, "low": 2}
    findings = sorted(findings, key=lambda f: rank[f.severity])
    rules = load_rules(rules_path)
    return CountyReport(
        county=county, year=year, language=language,
        generated=generated or _dt.date.today().isoformat(), fingerprint=fingerprint,
        **tables,
        survey=survey,
        likert=likert,
        findings=findings,
        recommendations=recommend(findings, county, language=language, rules=rules,
                                  drivers=drivers.findings),
        drivers=drivers,
    )


def _survey_tables(county: County) -> tuple[Any, pd.DataFrame | None]:
    """The survey results and the Likert distribution (None, None without a survey)."""
    if county.survey is None or county.codebook is None:
        return None, None
    from fivestar_analysis.analysis.survey import describe_survey, likert_distribution

    with shared_inputs():  # one respondent frame for both (nested: the caller's)
        return describe_survey(county), likert_distribution(county)


def _star_tables(county: County, year: int) -> dict[str, Any]:
    """Every ledger table of the report, by its CountyReport field."""
    mentoring, mentoring_within = _safe_mentoring(county, year)
    return dict(
        overview=st.county_overview(county, year=year),
        levels=st.level_distribution(county),
        levels_planned=st.level_distribution(county, basis="planned"),
        share_3plus=st.share_3plus_table(county),
        share_3plus_township=st.share_3plus_table(county, by="township", kinds=("all",)),
        attainment=st.star_attainment(county),
        attainment_township=st.star_attainment(county, by="township", year=year,
                                               kinds=("rural", "community")),
        consistency=st.consistency_table(county),
        targets=st.target_progress(county, year=year),
        candidates=st.target_candidates(county, year=year),
        transitions=st.level_transitions(county),
        transition_summary=st.transition_summary(county),
        star_changes=st.star_changes(county),
        five_star_runs=st.five_star_runs(county),
        honours=st.honour_holders(county, year=year),
        township_comparison=st.township_comparison(county, year=year),
        bottlenecks=st.bottleneck_table(county, year=year),
        income_tiers=st.income_tier_table(county, year=year),
        income_tiers_township=st.income_tier_table(county, year=year, by="township"),
        income_by_level=st.income_by_level(county, year=year),
        income_by_township=st.income_by_township(county, year=year),
        income_tests=st.income_tests(county, year=year),
        income_summary=st.income_summary(county, year=year),
        income_points=st.income_points(county, year=year),
        weak_villages=st.weak_villages(county, year=year),
        weak_lax=st.weak_lax_table(county, year=year),
        secretaries=st.secretary_table(county, year=year),
        rewards=st.reward_budget(county, year=year),
        rewards_plan=st.reward_budget(county, year=year, basis="planned"),
        mentoring=mentoring,
        mentoring_within=mentoring_within,
    )


def _with_year(meta, year: int):
    import dataclasses

    return dataclasses.replace(meta, year=year)
