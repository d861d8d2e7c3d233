"""Cronbach's alpha against a published reference, and the per-dimension tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from survey_fixtures import make_county

from fivestar_analysis.analysis.survey import alpha_if_item_deleted, cronbach_alpha, reliability

# Reference data set: 15 respondents × 10 Likert items (1-7), the worked example of
# real-statistics.com ("Cronbach's Alpha"), shipped as pingouin's `cronbach_alpha` data set.
# Published values: alpha = 0.591719 with Feldt 95% CI [0.195, 0.840] (pingouin
# documentation and tests, checked there against R psych::alpha).
REFERENCE_ITEMS = np.array([
    # Q1 Q2 Q3 Q4 Q5 Q6 Q7 Q8 Q9 Q10
    [3, 2, 4, 1, 4, 5, 1, 4, 3, 2],
    [5, 4, 6, 3, 5, 1, 2, 5, 5, 5],
    [7, 3, 5, 5, 6, 4, 3, 3, 6, 5],
    [2, 4, 3, 3, 2, 2, 2, 6, 6, 3],
    [6, 5, 6, 5, 4, 4, 4, 6, 7, 5],
    [1, 2, 3, 4, 2, 5, 2, 3, 5, 2],
    [4, 3, 5, 3, 5, 2, 1, 2, 4, 3],
    [2, 4, 4, 3, 7, 2, 2, 4, 6, 5],
    [6, 5, 5, 5, 1, 6, 5, 2, 3, 2],
    [5, 4, 6, 4, 3, 5, 3, 1, 7, 2],
    [4, 3, 5, 2, 5, 3, 2, 3, 4, 1],
    [4, 2, 3, 2, 5, 3, 4, 2, 3, 4],
    [5, 5, 6, 2, 3, 3, 2, 4, 4, 5],
    [6, 5, 5, 4, 2, 2, 1, 4, 6, 5],
    [4, 3, 5, 5, 3, 1, 3, 2, 3, 4],
], dtype=float)


def test_alpha_matches_published_reference():
    r = cronbach_alpha(REFERENCE_ITEMS)
    assert r["alpha"] == pytest.approx(0.591719, abs=1e-6)
    assert round(r["ci_low"], 3) == 0.195
    assert round(r["ci_high"], 3) == 0.840
    assert r["n"] == 15 and r["k_items"] == 10


def test_alpha_equals_the_variance_formula():
    # independent route: k/(k-1) * (1 - sum of item variances / variance of the total)
    x = REFERENCE_ITEMS
    k = x.shape[1]
    by_hand = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(pd.DataFrame(x))["alpha"] == pytest.approx(by_hand)


def test_alpha_drops_incomplete_rows_and_handles_degenerate_input():
    x = np.vstack([REFERENCE_ITEMS, [np.nan] * 10, [1] + [np.nan] * 9])
    assert cronbach_alpha(x)["alpha"] == pytest.approx(0.591719, abs=1e-6)
    assert np.isnan(cronbach_alpha(REFERENCE_ITEMS[:, :1])["alpha"])
    assert np.isnan(cronbach_alpha(np.ones((5, 3)))["alpha"])


def test_parallel_items_give_alpha_one():
    base = np.array([1, 2, 3, 4, 5, 2, 3], dtype=float)
    assert cronbach_alpha(np.column_stack([base, base, base]))["alpha"] == pytest.approx(1.0)


@pytest.fixture(scope="module")
def county():
    return make_county(seed=11, n=300)


def test_reliability_table(county):
    rel = reliability(county)
    assert list(rel.columns) == ["dimension", "k_items", "n", "alpha", "ci_low", "ci_high",
                                 "mean_inter_item_r", "method", "suppressed"]
    ind = rel.set_index("dimension").loc["industry"]
    assert ind["k_items"] == 4  # three items plus the reverse-worded one
    # the reverse item correlates positively once flipped: alpha is clearly positive
    assert 0.5 < ind["alpha"] < 0.95 and ind["ci_low"] < ind["alpha"] < ind["ci_high"]
    assert "overall" not in set(rel["dimension"])  # a single item has no alpha


def test_alpha_if_item_deleted_recomputes_without_the_item(county):
    aid = alpha_if_item_deleted(county)
    ind = aid[aid["dimension"] == "industry"]
    assert len(ind) == 4
    from fivestar_analysis.analysis.survey import clean_items
    clean = clean_items(county)
    items = ind["item"].tolist()
    complete = clean[items].dropna()
    for item, got in zip(ind["item"], ind["alpha_if_deleted"]):
        assert got == pytest.approx(cronbach_alpha(complete.drop(columns=item))["alpha"])
    assert ind["alpha"].nunique() == 1
    # two-item dimensions have no alpha once an item is removed
    assert aid.loc[aid["dimension"] == "ecology", "alpha_if_deleted"].isna().all()
