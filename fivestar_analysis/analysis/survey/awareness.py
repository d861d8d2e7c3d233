"""Awareness (知晓率) and participation (参与率) rates with Wilson intervals.

Awareness items are the knowledge items (0/1, 1 = knows) outside the ``participation``
dimension; participation items are the choice or knowledge items of that dimension
(1 = took part). Rates are weighted when the survey is weighted; the Wilson interval uses
the design's effective n (n / deff, PSU = branch by default;
:mod:`fivestar_analysis.analysis.survey.design`), Kish's under ``design: srs``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fivestar_analysis.analysis.survey._frame import codebook, respondent_frame
from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.design import (
    bind_design,
    county_design,
    with_design_columns,
)
from fivestar_analysis.analysis.survey.scoring import clean_items
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.model.county import GROUPS, County
from fivestar_analysis.model.findings import Finding
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = ["awareness_rates", "awareness_findings"]

RATE_COLUMNS = ["measure", "item", "group", "n", "n_eff", "deff", "count", "estimate",
                "ci_low", "ci_high", "suppressed"]


def awareness_rates(county: County, config: SurveyConfig | dict | None = None, *,
                    design: SurveyDesign | str | dict | None = None) -> pd.DataFrame:
    """Awareness and participation rates, county-wide and by respondent group.

    Returns
    -------
    pandas.DataFrame
        ``measure (awareness/participation), item, group ("all", resident, member,
        cadre), n, n_eff, deff (design effect), count, estimate, ci_low, ci_high, suppressed``. Don't-know and
        out-of-scale answers are left out of ``n``.
    """
    cfg = load_survey_config(config)
    cb = codebook(county)
    plan = county_design(county, design)
    frame = with_design_columns(respondent_frame(county), county, plan)
    bound = bind_design(frame, plan, county.branches_in())
    clean = clean_items(county, cfg)
    specs = [("awareness", r.item, cfg.knows_code) for r in cb.itertuples()
             if r.role == "knowledge" and r.dimension != "participation"]
    specs += [("participation", r.item, cfg.participated_code) for r in cb.itertuples()
              if r.dimension == "participation" and r.role in ("choice", "knowledge")]
    rows = []
    for measure, item, code in specs:
        x = clean[item].to_numpy(dtype="float64", na_value=np.nan)
        hits = np.where(np.isfinite(x), (x == code).astype("float64"), np.nan)
        for group in ["all", *GROUPS]:
            mask = np.ones(len(x), bool) if group == "all" else (frame["group"] == group).to_numpy()
            r = bound.proportion(hits, mask, cfg.confidence)
            rows.append({"measure": measure, "item": item, "group": group, **r})
    out = pd.DataFrame(rows, columns=RATE_COLUMNS[:-1]).astype({"n": "int64"})
    return suppress_small(out, cfg.k)


def awareness_findings(
    county: County,
    rates: pd.DataFrame | None = None,
    config: SurveyConfig | dict | None = None,
) -> list[Finding]:
    """Low awareness as findings: one per group whose awareness falls below its threshold.

    Thresholds come from ``awareness.thresholds`` (default: cadres 0.90). For each group the
    lowest awareness item is judged; severity is ``high`` when the whole Wilson interval
    lies below the threshold and ``medium`` when only the estimate does. Suppressed cells
    raise no finding.

    Returns
    -------
    list of Finding
        ``Finding(kind="low_awareness", scope="county", subject=<group>, …)`` with the rate,
        interval, n, item and threshold in ``evidence``; ``statistic`` is the rate.
    """
    cfg = load_survey_config(config)
    rates = awareness_rates(county, cfg) if rates is None else rates
    aw = rates[(rates["measure"] == "awareness") & ~rates["suppressed"]]
    findings = []
    for group, threshold in cfg.awareness_thresholds.items():
        g = aw[aw["group"] == group].dropna(subset=["estimate"])
        if g.empty:
            continue
        worst = g.loc[g["estimate"].idxmin()]
        if worst["estimate"] >= threshold:
            continue
        severity = "high" if worst["ci_high"] < threshold else "medium"
        findings.append(Finding(
            kind="low_awareness", scope="county", subject=group, severity=severity,
            evidence={"item": worst["item"], "rate": float(worst["estimate"]),
                      "ci_low": float(worst["ci_low"]), "ci_high": float(worst["ci_high"]),
                      "n": int(worst["n"]), "threshold": float(threshold),
                      "items_below": sorted(g.loc[g["estimate"] < threshold, "item"])},
            statistic=float(worst["estimate"]),
            test=f"Wilson {cfg.confidence:.0%} interval against threshold {threshold:.0%}",
            year=county.meta.year,
        ))
    return findings
