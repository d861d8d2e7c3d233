"""``fivestar drivers``: the driver analysis as terminal text or JSON.

Headings come from the message catalogue, column names and values from the label
resources; every value is made safe for a terminal (:func:`terminal_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from fivestar_analysis.errors import InvalidArgument, message
from fivestar_analysis.model.labels import label
from fivestar_analysis.present.escape import terminal_text

__all__ = ["format_drivers", "run_drivers_command"]


def _fmt(value: Any, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return "<0.001" if decimals == 3 and value < 0.001 else f"{value:.{decimals}f}"
    return str(value)


def _table(df: pd.DataFrame, columns: list[str], language: str, rubric: Any,
           decimals: dict[str, int]) -> list[str]:
    head = [label(c, language) for c in columns]
    rows = [[terminal_text(label(v, language, rubric) if isinstance(v, str) else
                           _fmt(v, decimals.get(c, 2))) for c, v in zip(columns, r)]
            for r in df[columns].itertuples(index=False)]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(head)]
    out = ["  " + "  ".join(_pad(h, w) for h, w in zip(head, widths))]
    out += ["  " + "  ".join(_pad(x, w) for x, w in zip(r, widths)) for r in rows]
    return out


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_drivers(result: Any, language: str = "zh", rubric: Any = None) -> str:
    """The driver analysis as aligned text tables."""
    lines = [message("drivers_branch", language, year=result.year)]
    lines += _table(result.coefficients, ["outcome", "factor", "per", "odds_ratio", "ci_low",
                                          "ci_high", "p_value", "n"], language, rubric,
                    {"p_value": 3, "n": 0})
    lines += ["", message("drivers_models", language)]
    lines += _table(result.fits, ["outcome", "kind", "model", "n", "pseudo_r2", "se_method",
                                  "note"], language, rubric, {"n": 0})
    if len(result.excluded):
        lines += ["", message("drivers_excluded", language)]
        ex = result.excluded.assign(outcome=[label(o, language, rubric)
                                             for o in result.excluded["outcome"]])
        sep = ", " if language == "en" else "、"
        ex = (ex.groupby(["factor", "reason"], sort=False)["outcome"]
              .agg(lambda o: sep.join(dict.fromkeys(o))).reset_index())
        lines += _table(ex, ["factor", "reason", "outcome"], language, rubric, {})
    lines.append("")
    info = result.survey_info
    if result.survey is None or result.survey.empty:
        lines.append(message("drivers_no_survey", language))
    else:
        lines.append(message("drivers_survey", language,
                             outcome=label(info["outcome"], language), n=info["n"],
                             n_branches=info["n_branches"], r2=f"{info['r2']:.2f}",
                             bootstrap=info["bootstrap"]))
        lines += _table(result.survey, ["rank", "dimension", "importance", "ci_low", "ci_high",
                                        "satisfaction", "stated_importance", "stated_rank"],
                        language, rubric, {"rank": 0})
    lines += ["", message("drivers_caution", language)]
    return "\n".join(lines)


def run_drivers_command(county: Any, year: int | None, as_json: bool, language: str,
                        out: Callable[[str], None], print_json: Callable[[Any], None]) -> int:
    """Run the analysis for ``fivestar drivers`` and print it; returns the exit status."""
    from fivestar_analysis.analysis.drivers import analyse_drivers

    if year is not None and year not in county.years:
        raise InvalidArgument(f"year {year} is not in the ledger ({county.years})")
    result = analyse_drivers(county, year)
    if as_json:
        print_json(result.to_json())
    else:
        out(format_drivers(result, language, county.rubric))
    return 0
