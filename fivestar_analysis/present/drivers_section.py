"""四、原因分析 · 影响因素: the driver analysis in the report, read from a CountyReport.

Prose from ``templates/{zh,en}/drivers.md.j2``, captions and notes from the label
resources (``drivers_*`` keys); nothing is computed here beyond picking rows. Every figure
carries its method and n; the text says plainly that these are associations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis import charts
from fivestar_analysis.analysis.survey.design import county_design, design_label
from fivestar_analysis.model.labels import label
from fivestar_analysis.present.html import Page

__all__ = ["drivers_html", "drivers_parts", "facts_drivers"]

_TEXT_COLUMNS = ("outcome", "factor", "per", "se_method", "note", "reason", "model")


def _l(rep, key: str, **fmt: Any) -> str:
    text = label(key, rep.language)
    return text.format(**fmt) if fmt else text


def _labelled(rep, df: pd.DataFrame) -> pd.DataFrame:
    """Text codes (star keys, factors, units, reasons) shown by their labels."""
    out = df.copy()
    for c in _TEXT_COLUMNS:
        if c in out.columns:
            out[c] = [label(v, rep.language, rep.county.rubric) if isinstance(v, str) and v
                      else v for v in out[c]]
    return out


def _row(r: Any) -> dict[str, Any]:
    return {"factor": r.factor, "per": r.per, "odds_ratio": float(r.odds_ratio),
            "ci_low": float(r.ci_low), "ci_high": float(r.ci_high), "p_value": float(r.p_value)}


def facts_drivers(rep) -> dict[str, Any]:
    """Numbers for ``drivers.md.j2``, read from ``rep.drivers`` and the survey tables."""
    d = rep.drivers
    coefs, fits = d.coefficients, d.fits.set_index("outcome", drop=False)
    level_fit = fits.iloc[0] if len(fits) and fits.iloc[0]["outcome"] == "level" else None
    level = coefs[coefs["outcome"] == "level"].sort_values("p_value")
    sig = level["p_value"] < 0.05
    stars = []
    for outcome, g in coefs[(coefs["outcome"] != "level") & (coefs["p_value"] < 0.05)
                            & (coefs["odds_ratio"] > 1)].groupby("outcome", sort=False):
        stars.append({"star": outcome, "factors": list(dict.fromkeys(g["factor"]))})
    excluded = d.excluded[d.excluded["outcome"] == "level"]
    facts: dict[str, Any] = {
        "year": rep.year,
        "level_ok": level_fit is not None and level_fit["status"] == "ok",
        "level_note": "" if level_fit is None else str(level_fit["note"]),
        "n": 0 if level_fit is None else int(level_fit["n"]),
        "n_clusters": 0 if level_fit is None else int(level_fit["n_clusters"]),
        "se_method": "" if level_fit is None else str(level_fit["se_method"]),
        "pseudo_r2": None if level_fit is None else level_fit["pseudo_r2"],
        "higher": [_row(r) for r in level[sig & (level["odds_ratio"] > 1)].itertuples()],
        "lower": [_row(r) for r in level[sig & (level["odds_ratio"] < 1)].itertuples()],
        "unclear": [r.factor for r in level[~sig].itertuples()],
        "excluded": [{"factor": r.factor, "reason": r.reason} for r in excluded.itertuples()],
        "stars": stars,
        "survey": None,
        "design": None,
    }
    if d.survey is not None and not d.survey.empty:
        s = d.survey
        top = s.iloc[0]
        stated_top = s.sort_values("stated_rank").iloc[0] if s["stated_rank"].notna().any() \
            else None
        facts["survey"] = {
            **d.survey_info, "top": top.to_dict(), "second": s.iloc[1].to_dict(),
            "stated_top": None if stated_top is None else stated_top.to_dict(),
            "agree": stated_top is not None and stated_top["dimension"] == top["dimension"]}
    if rep.survey is not None:
        est = rep.survey.estimates
        county = est[(est["by"] == "county") & (est["measure"] == "score")
                     & ~est["suppressed"].astype(bool)]
        if len(county) and "deff" in county.columns:
            facts["design"] = {
                "label": design_label(county_design(rep.county), rep.language),
                "srs": county_design(rep.county).is_srs,
                "deff_min": float(county["deff"].min()), "deff_max": float(county["deff"].max()),
                "deff_median": float(county["deff"].median()),
                "widen": float(np.sqrt(county["deff"].median())),
                "n": int(county["n"].max())}
    return facts


def drivers_parts(rep, p) -> list:
    """The 影响因素 subsection on a page: an HTML :class:`~fivestar_analysis.present.html.Page`
    (each call returns its HTML) or the Word page (each call adds to the document), so the
    two presenters show the same tables and charts."""
    d = getattr(rep, "drivers", None)
    if d is None:
        return []
    lang = rep.language
    facts = facts_drivers(rep)
    out = [p.sub(_l(rep, "drivers_heading")), p.md("drivers", **facts)]
    level = d.coefficients[d.coefficients["outcome"] == "level"]
    method = _l(rep, "drivers_note_level", se=label(facts["se_method"] or "hc1", lang),
                n=facts["n"], towns=facts["n_clusters"])
    if len(level):
        out.append(p.chart(charts.odds_ratio_forest, level, alt=_l(rep, "chart_forest"),
                           note=method, figsize=(7.5, 1.4 + 0.45 * len(level))))
    cols = ["outcome", "factor", "per", "odds_ratio", "ci_low", "ci_high", "p_value", "n"]
    if len(d.coefficients):
        out.append(p.table(_labelled(rep, d.coefficients), _l(rep, "drivers_caption"),
                           method + _l(rep, "drivers_note_stars"), columns=cols, percent=[],
                           max_rows=40))
    ex = d.excluded[d.excluded["outcome"] == "level"] if len(d.excluded) else d.excluded
    if len(ex):
        out.append(p.table(_labelled(rep, ex), _l(rep, "drivers_caption_excluded"),
                           _l(rep, "drivers_note_excluded"), columns=["factor", "reason"],
                           percent=[]))
    out += _survey_drivers(rep, p, d)
    out += _design_tables(rep, p, facts)
    return out


def _survey_drivers(rep, p, d) -> list:
    s = d.survey
    if s is None or s.empty:
        return []
    info, lang = d.survey_info, rep.language
    note = _l(rep, "drivers_note_survey", n=info["n"], branches=info["n_branches"],
              r2=f"{info['r2']:.2f}", b=info["bootstrap"], outcome=label(info["outcome"], lang))
    out = [p.chart(charts.derived_importance, s, alt=_l(rep, "chart_derived_ipa"), note=note,
                   figsize=(7.0, 5.0))]
    if s["stated_importance"].notna().any():
        out.append(p.chart(charts.derived_vs_stated, s, alt=_l(rep, "chart_derived_vs_stated"),
                           note=note, figsize=(7.0, 5.0)))
    out.append(p.table(s, _l(rep, "drivers_caption_survey"), note,
                       columns=["rank", "dimension", "importance", "ci_low", "ci_high",
                                "satisfaction", "stated_importance", "stated_rank"],
                       percent=["importance", "ci_low", "ci_high"]))
    return out


def _design_tables(rep, p, facts: dict[str, Any]) -> list:
    if rep.survey is None or facts["design"] is None:
        return []
    est = rep.survey.estimates
    county = est[(est["by"] == "county") & (est["measure"] == "index")]
    out = [p.table(county, _l(rep, "drivers_caption_design"),
                   _l(rep, "drivers_note_design", design=facts["design"]["label"]),
                   columns=["dimension", "n", "n_eff", "deff", "estimate", "ci_low", "ci_high",
                            "suppressed"],
                   decimals={"n_eff": 0, "estimate": 1, "ci_low": 1, "ci_high": 1}, percent=[])]
    tests = getattr(rep.survey, "group_tests", None)
    if tests is not None and "design_p_value" in tests.columns and len(tests):
        out.append(p.table(tests, _l(rep, "drivers_caption_group_tests"),
                           _l(rep, "drivers_note_group_tests", design=facts["design"]["label"]),
                           columns=["dimension", "n", "n_groups", "p_value",
                                    "design_rank_p_value", "design_p_value", "suppressed"],
                           percent=[]))
    return out


def drivers_html(rep) -> str:
    """The 影响因素 subsection as HTML (empty when the report carries no driver results)."""
    return "".join(drivers_parts(rep, Page(rep.language, rep.county.rubric)))
