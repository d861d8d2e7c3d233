"""The report's prose, generated from the same tables the report shows.

``facts_*`` functions read numbers out of a :class:`CountyReport`'s tables into small dicts;
Jinja2 templates (``resources/report/templates/{zh,en}/*.md.j2``) turn them into Markdown.
No template holds a number of its own. Every value a template prints is escaped for Markdown
(:func:`fivestar_analysis.present.escape.md_text`), so a name from the data shows as typed and never
becomes emphasis, a link or HTML.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
from jinja2 import Environment, StrictUndefined

from fivestar_analysis.model.formats import (
    format_level,
    format_num,
    format_p,
    format_pct,
    format_pp,
    format_pv,
    format_signed,
)
from fivestar_analysis.model.labels import label
from fivestar_analysis.present.escape import markdown_env

__all__ = ["render_section", "facts_basic", "facts_stars", "facts_multi_year", "facts_economy",
           "facts_survey", "facts_targets"]


@lru_cache(maxsize=2)
def _env(language: str) -> Environment:
    """The narrative templates' environment: every printed value is Markdown-escaped."""
    env = markdown_env(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)
    env.filters["pct"] = format_pct
    env.filters["num"] = format_num
    env.filters["p"] = format_p
    env.filters["pv"] = format_pv
    env.filters["level"] = lambda n: format_level(n, language)
    env.filters["signed"] = format_signed
    env.filters["signed_pp"] = format_pp
    return env


def render_section(name: str, language: str, **context: Any) -> str:
    """Render ``templates/<language>/<name>.md.j2`` with ``context``."""
    lang = "en" if language == "en" else "zh"
    lab = lambda key: label(key, lang, context.get("rubric"))  # noqa: E731
    return _template(name, lang).render(label=lab, **context).strip() + "\n"


@lru_cache(maxsize=128)
def _template(name: str, lang: str):
    """A packaged template, read and compiled once per process (templates are package
    data, so they do not change while it runs)."""
    folder = resources.files("fivestar_analysis") / "resources" / "report" / "templates" / lang
    text = (folder / f"{name}.md.j2").read_text(encoding="utf-8")
    return _env(lang).from_string(text)


def _level_counts(levels: pd.DataFrame, year: int, kind: str) -> dict[int, int]:
    d = levels[(levels["year"] == year) & (levels["kind"] == kind)]
    return {int(r.level): int(r["count"]) for _, r in d.iterrows()}


def facts_basic(rep) -> dict[str, Any]:
    """Scale of the county and where its branches stand in the report year."""
    c, y, ov = rep.county, rep.year, rep.overview
    s3 = rep.share_3plus.set_index(["year", "kind"])
    prev = rep.previous_year

    def share(year: int | None, kind: str) -> float | None:
        return float(s3.loc[(year, kind), "share_3plus"]) if (year, kind) in s3.index else None

    out: dict[str, Any] = {
        "county": c.meta.name, "year": y, "years": c.years, "previous_year": prev,
        "n_branches": ov.n_branches, "n_rural": ov.n_rural, "n_community": ov.n_community,
        "n_townships": ov.n_townships,
        "levels": _level_counts(rep.levels, y, "all"),
        "max_level": c.rubric.max_level,
        "count_3plus": int(s3.loc[(y, "all"), "count_3plus"]),
        "share_3plus": share(y, "all"),
        "share_3plus_rural": share(y, "rural"),
        "share_3plus_community": share(y, "community"),
        "prev_share_3plus": share(prev, "all") if prev else None,
        "first_year": c.years[0],
        "first_share_3plus": share(c.years[0], "all"),
        "mean_level": ov.mean_level,
        "n_respondents": ov.n_respondents,
    }
    if ov.groups:
        out["groups"] = dict(ov.groups)
    return out


def facts_stars(rep) -> list[dict[str, Any]]:
    """One entry per star and kind in the report year: awarded, declared, rates, change."""
    a = rep.attainment
    y, prev = rep.year, rep.previous_year
    out = []
    for kind in ("rural", "community"):
        now = a[(a["year"] == y) & (a["kind"] == kind)]
        before = a[(a["year"] == prev) & (a["kind"] == kind)].set_index("star") if prev else None
        for _, r in now.iterrows():
            if int(r["n_branches"]) == 0:
                continue
            entry = {
                "kind": kind, "star": r["star"], "n_branches": int(r["n_branches"]),
                "n_awarded": int(r["n_awarded"]), "n_declared": int(r["n_declared"]),
                "award_rate": float(r["award_rate"]),
                "achievement_rate": None if pd.isna(r["achievement_rate"]) else float(r["achievement_rate"]),
                "change": None,
            }
            if before is not None and r["star"] in before.index:
                entry["change"] = int(r["n_awarded"]) - int(before.loc[r["star"], "n_awarded"])
            out.append(entry)
    return out


def facts_multi_year(rep) -> dict[str, Any]:
    ts = rep.transition_summary
    last = ts[(ts["year_to"] == rep.year) & (ts["kind"] == "all")]
    out: dict[str, Any] = {"has_previous": not last.empty}
    if not last.empty:
        r = last.iloc[0]
        out.update({k: (int(r[k]) if k in ("n_both", "promoted", "kept", "demoted") else float(r[k]))
                    for k in ("n_both", "promoted", "kept", "demoted", "promoted_share",
                              "demoted_share", "mean_change")})
        out["year_from"] = int(r["year_from"])
    h = rep.honours
    out["silver"] = int((h["honour"] == "silver").sum()) if not h.empty else 0
    out["gold"] = int((h["honour"] == "gold").sum()) if not h.empty else 0
    out["honour_names"] = "、".join(h["branch_name"].astype(str).head(10)) if not h.empty else ""
    sc = rep.star_changes
    last_sc = sc[(sc["year_to"] == rep.year)]
    out["lost_total"] = int(last_sc["lost"].sum()) if not last_sc.empty else 0
    out["gained_total"] = int(last_sc["gained"].sum()) if not last_sc.empty else 0
    rw = rep.rewards.set_index("kind")
    out["reward_total_wan"] = float(rw.loc["all", "total_wan"]) if "all" in rw.index else None
    out["reward_stars"] = int(rw.loc["all", "stars"]) if "all" in rw.index else None
    out["reward_promotions"] = int(rw.loc["all", "promotions"]) if "all" in rw.index else None
    return out


def facts_economy(rep) -> dict[str, Any]:
    """The collective economy paragraph: the income summary, tiers, income by level and the
    tests, all read from the report."""
    t = rep.income_tests.set_index("method")
    inc = rep.income_summary
    by_level = rep.income_by_level
    out: dict[str, Any] = {
        "n": inc.n, "median": inc.median, "mean": inc.mean, "max": inc.max, "zero": inc.zero,
        "weak": inc.weak, "share_weak": inc.share_weak, "strong": inc.strong,
        "share_strong": inc.share_strong, "weak_below": inc.weak_below,
        "strong_from": inc.strong_from,
        "tiers": [(r["tier"], int(r["count"]), float(r["share"]))
                  for _, r in rep.income_tiers.iterrows()],
        "median_low_level": float(by_level.iloc[0]["median_wan"]) if len(by_level) else None,
        "low_level": int(by_level.iloc[0]["level"]) if len(by_level) else None,
        "median_high_level": float(by_level.iloc[-1]["median_wan"]) if len(by_level) else None,
        "high_level": int(by_level.iloc[-1]["level"]) if len(by_level) else None,
    }
    for method in ("spearman", "kruskal_wallis", "mann_whitney"):
        if method in t.index:
            r = t.loc[method]
            out[method] = {k: (None if pd.isna(r[k]) else float(r[k])) for k in
                           ("estimate", "ci_low", "ci_high", "statistic", "p_value", "effect_size")}
            out[method]["n"] = int(r["n"])
    return out


def facts_targets(rep) -> dict[str, Any]:
    rows = []
    for _, r in rep.targets.iterrows():
        rows.append({k: (r[k].item() if hasattr(r[k], "item") else r[k]) for k in rep.targets.columns})
    cand = rep.candidates
    return {"targets": rows, "n_candidates": int(len(cand)),
            "closing": int(cand["closes_gap"].sum()) if "closes_gap" in cand else 0}


def _row(df: pd.DataFrame) -> dict[str, Any] | None:
    if df is None or df.empty:
        return None
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in df.iloc[0].to_dict().items()}


def overall_dimension(est: pd.DataFrame) -> str | None:
    """The dimension the report calls overall satisfaction: ``overall`` if asked, else the
    composite of all star areas."""
    dims = set(est["dimension"])
    return "overall" if "overall" in dims else ("composite" if "composite" in dims else None)


def facts_survey(rep) -> dict[str, Any] | None:
    """Headline survey numbers, each read from a survey table."""
    s = rep.survey
    if s is None:
        return None
    est = s.estimates
    county = est[(est["by"] == "county") & (est["measure"] == "index") & ~est["suppressed"]]
    star_keys = set(rep.county.rubric.all_star_keys())
    dims = county[county["dimension"].isin(star_keys)].sort_values("estimate")
    overall_key = overall_dimension(county)
    ipa = s.ipa
    concentrate = list(ipa.loc[(ipa["group"] == "all") & (ipa["quadrant"] == "concentrate_here")
                               & ~ipa["suppressed"], "dimension"])
    ch = s.choices
    multi = ch[(ch["role"] == "multi") & (ch["group"] == "all") & ~ch["suppressed"]].sort_values(
        "share", ascending=False)
    aw = s.awareness
    first_item = aw.loc[aw["measure"] == "awareness", "item"].iloc[0] if (aw["measure"] == "awareness").any() else None
    awareness = [] if first_item is None else [
        _row(aw[(aw["item"] == first_item) & (aw["group"] == g) & ~aw["suppressed"]])
        for g in ("resident", "member", "cadre")]
    bl = s.by_level
    level_effect = None
    if overall_key is not None and not bl.empty:
        lv = bl[(bl["dimension"] == overall_key) & (bl["measure"] == "index") & ~bl["suppressed"]]
        if len(lv) >= 2:
            lv = lv.sort_values("level")
            level_effect = {"low_level": int(lv.iloc[0]["level"]), "low": float(lv.iloc[0]["estimate"]),
                            "high_level": int(lv.iloc[-1]["level"]), "high": float(lv.iloc[-1]["estimate"])}
    return {
        "n": int(s.n_respondents), "k": int(s.k),
        "overall": _row(county[county["dimension"] == overall_key]) if overall_key else None,
        "lowest": _row(dims.head(1)), "highest": _row(dims.tail(1)),
        "concentrate": concentrate,
        "top_problem": _row(multi.head(1)), "second_problem": _row(multi.iloc[1:2]),
        "awareness": [a for a in awareness if a], "awareness_item": first_item,
        "level_effect": level_effect,
    }
