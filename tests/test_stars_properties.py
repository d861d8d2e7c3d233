"""Properties that hold for any ledger: the identity, and published counts of a real
ledger always pass check_published_counts (Gale–Ryser is necessary and sufficient)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stars_ledgers import make_county

from fivestar_analysis.analysis.stars import (
    check_published_counts,
    level_distribution,
    star_attainment,
    summary,
)

NONCAP = "IESC"
# every subset of the four non-capstone stars; the capstone is added to the full set only
SUBSETS = ["".join(c) for r in range(5) for c in itertools.combinations(NONCAP, r)]


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 25))
    recs = []
    for i in range(n):
        aw = draw(st.sampled_from(SUBSETS))
        if aw == NONCAP and draw(st.booleans()):
            aw += "P"
        recs.append({"id": f"V{i}", "town": draw(st.sampled_from(["甲镇", "乙镇"])), "aw": aw})
    return recs


@settings(max_examples=40, deadline=None)
@given(ledgers())
def test_real_ledgers_always_reconcile(recs) -> None:
    c = make_county(recs)
    s = summary(c)["rural"]
    levels = {int(k): v for k, v in s["levels"].items()}
    r = check_published_counts(levels, s["stars"])
    assert r.ok, r.reasons_en
    d = level_distribution(c, kinds="rural")
    a = star_attainment(c, kinds="rural")
    assert int((d["level"] * d["count"]).sum()) == int(a["n_awarded"].sum())


def _counts(subsets: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    levels = [0] * 6
    for s in subsets:
        levels[len(s)] += 1
    stars = tuple(sum(ch in s for s in subsets) for ch in "IESCP")
    return tuple(levels[1:]), stars


def test_checker_accepts_exactly_the_achievable_counts() -> None:
    # Every ledger of up to three branches under the capstone rule, enumerated.
    valid = [s for s in SUBSETS if s] + ["IESCP"]
    achievable = {_counts(combo) for r in (1, 2, 3)
                  for combo in itertools.combinations_with_replacement(valid, r)}
    level_sets = sorted({lv for lv, _ in achievable})
    rng = np.random.default_rng(7)
    seen = {True: 0, False: 0}
    for _ in range(1500):
        lv = level_sets[rng.integers(len(level_sets))]
        stars = tuple(int(x) for x in rng.integers(0, 4, 5))
        if rng.random() < 0.3:  # mix in true pairs so both outcomes are well covered
            lv, stars = list(achievable)[rng.integers(len(achievable))]
        levels = {i + 1: n for i, n in enumerate(lv)}
        r = check_published_counts(levels, dict(zip(["industry", "ecology", "safety",
                                                     "civility", "party_strong"], stars)))
        expected = (lv, stars) in achievable
        assert r.ok == expected, (levels, stars, r.problems)
        seen[expected] += 1
    assert seen[True] > 200 and seen[False] > 200
