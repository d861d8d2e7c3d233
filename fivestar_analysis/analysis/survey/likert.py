"""Answer distributions of the satisfaction scales, for diverging Likert bars."""

from __future__ import annotations

import pandas as pd

from fivestar_analysis.analysis.survey.config import SurveyConfig, load_survey_config
from fivestar_analysis.analysis.survey.scoring import clean_items
from fivestar_analysis.analysis.survey.suppress import suppress_small
from fivestar_analysis.model.county import County

__all__ = ["likert_distribution"]


def likert_distribution(county: County, config: SurveyConfig | dict | None = None) -> pd.DataFrame:
    """Share of each answer (after reverse coding) per satisfaction dimension.

    Returns
    -------
    DataFrame
        ``dimension, answer, count, n, share, scale_min, scale_max, suppressed``: ``n`` is the
        number of valid answers to the dimension's items (an answer per respondent and item),
        ``share = count / n``. Items on other scales than the dimension's first are skipped.
    """
    cfg = load_survey_config(config)
    cb = county.codebook
    items = cb[cb["role"] == "satisfaction"]
    clean = clean_items(county, cfg)
    rows = []
    for dim, spec in items.groupby("dimension", sort=False):
        lo, hi = float(spec["scale_min"].iloc[0]), float(spec["scale_max"].iloc[0])
        same = spec[(spec["scale_min"] == lo) & (spec["scale_max"] == hi)]["item"]
        answers = clean[list(same)].stack().dropna()
        answers = answers[(answers % 1 == 0)]
        n = int(len(answers))
        counts = answers.value_counts()
        for value in range(int(lo), int(hi) + 1):
            c = int(counts.get(float(value), 0))
            rows.append({"dimension": dim, "answer": value, "count": c, "n": n,
                         "share": c / n if n else float("nan"), "scale_min": lo, "scale_max": hi})
    table = pd.DataFrame(rows, columns=["dimension", "answer", "count", "n", "share",
                                        "scale_min", "scale_max"])
    return suppress_small(table, k=cfg.k, count_columns=("n",), figure_columns=("share", "count"))
