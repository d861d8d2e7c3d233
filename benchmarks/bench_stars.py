"""Benchmark of the star analysis on a synthetic province.

A province of 46,000 branches (43,000 villages and 3,000 communities in 160 counties and
2,400 townships) over four years is generated directly as canonical frames with numpy,
then every analysis of ``fivestar_analysis.analysis.stars`` is timed, alone and as a whole, with
its peak traced memory. Run::

    .venv/bin/python benchmarks/bench_stars.py [--branches 46000] [--years 4] [--seed 1]
        [--no-tracemalloc]

Times come from a plain pass; the peak memory of each step from a second pass under
``tracemalloc`` (numpy and pandas buffers are traced), and the process's peak resident
set size from ``resource.getrusage``. Figures are recorded in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from fivestar_analysis import stars as st
from fivestar_analysis.model.county import County, Targets
from fivestar_analysis.model.rubric import load_rubric

RURAL = ["industry", "ecology", "safety", "civility", "party_strong"]
COMMUNITY = ["co_build", "safety", "harmony", "livelihood", "party_strong"]
# how hard each non-capstone star is (logit offset), rural then community
EASE_RURAL = np.array([-1.0, 0.6, 0.3, 1.6])
EASE_COMMUNITY = np.array([0.4, -0.2, 1.4, 0.2])


def synthetic_province(n_branches: int = 46_000, years: int = 4, seed: int = 1,
                       n_counties: int = 160, townships_per_county: int = 15,
                       community_share: float = 3_000 / 46_000
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical ``branches`` and ``stars`` frames of a synthetic province (vectorised)."""
    rng = np.random.default_rng(seed)
    n = n_branches
    county = rng.integers(0, n_counties, n)
    town = county * townships_per_county + rng.integers(0, townships_per_county, n)
    town_effect = rng.normal(0, 0.5, n_counties * townships_per_county)[town]
    is_comm = rng.random(n) < community_share
    strength = rng.normal(0, 1, n) + town_effect
    ids = np.char.add("B", np.char.zfill(np.arange(n).astype(str), 6))
    year_list = np.arange(2022, 2022 + years)

    ny = n * years
    yr = np.repeat(year_list, n)
    bi = np.tile(np.arange(n), years)
    trend = (yr - 2022) * 0.45
    s = strength[bi] + trend + rng.normal(0, 0.35, ny)
    ease = np.where(is_comm[bi][:, None], EASE_COMMUNITY[None, :], EASE_RURAL[None, :])
    p = 1 / (1 + np.exp(-(s[:, None] + ease - 0.3)))
    awarded4 = rng.random((ny, 4)) < p
    extra = rng.random((ny, 4)) < 0.35                     # declared but not awarded
    declared4 = awarded4 | extra
    cap_aw = awarded4.all(axis=1) & (rng.random(ny) < 0.35 + 0.1 * (yr - 2022))
    cap_dec = cap_aw | (declared4.all(axis=1) & (rng.random(ny) < 0.3))
    awarded = np.column_stack([awarded4, cap_aw])
    declared = np.column_stack([declared4, cap_dec])
    status = np.where(awarded, 2, np.where(declared, 1, 0)).astype(np.int8)  # (ny, 5)

    income = np.where(rng.random(ny) < 0.03, 0.0,
                      np.round(np.exp(2.3 + 0.8 * s + rng.normal(0, 1.0, ny)), 2))
    kind = np.where(is_comm, "community", "rural")[bi]
    branches = pd.DataFrame({
        "branch_id": ids[bi].astype(object),
        "branch_name": np.char.add(ids[bi], "村").astype(object),
        "township": np.char.add("T", town[bi].astype(str)).astype(object),
        "kind": kind,
        "year": yr,
        "collective_income_wan": np.where(kind == "rural", income, np.nan),
        "secretary_rating": np.clip(np.round(3 + s + rng.normal(0, 0.8, ny)), 1, 5).astype(int),
        "weak_lax": rng.random(ny) < 1 / (1 + np.exp(2.5 + 1.5 * s)),
        "county_code": np.char.add("C", county[bi].astype(str)).astype(object),
    })
    star_names = np.where(is_comm[bi][:, None], np.array(COMMUNITY)[None, :],
                          np.array(RURAL)[None, :])
    stars = pd.DataFrame({
        "branch_id": np.repeat(branches["branch_id"].to_numpy(), 5),
        "year": np.repeat(yr, 5),
        "star": star_names.ravel().astype(object),
        "status": pd.Categorical.from_codes(status.ravel(), ["none", "planned", "awarded"],
                                            ordered=True),
    })
    return branches, stars


def steps(c: County) -> list[tuple[str, Callable[[], Any]]]:
    """The analyses to time, each a zero-argument call."""
    y = c.year
    return [
        ("level_distribution (both bases, by township)", lambda: [
            st.level_distribution(c, basis=b, by=by) for b in ("awarded", "planned")
            for by in (None, "township")]),
        ("share_3plus_table (by township)", lambda: st.share_3plus_table(c, by="township")),
        ("star_attainment (by township)", lambda: st.star_attainment(c, by="township")),
        ("consistency_table", lambda: st.consistency_table(c)),
        ("capstone_violations", lambda: st.capstone_violations(c)),
        ("target_progress + target_candidates", lambda: (st.target_progress(c),
                                                         st.target_candidates(c))),
        ("level_transitions + transition_summary", lambda: (st.level_transitions(c),
                                                            st.transition_summary(c))),
        ("star_changes", lambda: st.star_changes(c)),
        ("five_star_runs + honour_holders", lambda: (st.five_star_runs(c),
                                                     st.honour_holders(c))),
        ("bottleneck_table", lambda: st.bottleneck_table(c, year=y)),
        ("township_comparison", lambda: st.township_comparison(c, year=y)),
        ("income tables + tests", lambda: (st.income_tier_table(c, by="township"),
                                           st.income_by_level(c), st.income_by_township(c),
                                           st.income_tests(c), st.weak_villages(c))),
        ("weak_lax_table + secretary_table", lambda: (st.weak_lax_table(c),
                                                      st.secretary_table(c))),
        ("diagnose (all findings)", lambda: st.diagnose(c)),
        ("mentoring_plan (per county)", lambda: st.mentoring_plan(c, within="county_code")),
        ("reward_budget (results, plan, by township)", lambda: [
            st.reward_budget(c, basis=b, by="township") for b in ("awarded", "planned")]),
        ("summary + format_summary", lambda: st.format_summary(st.summary(c))),
    ]


def _time(fn: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _peak(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--branches", type=int, default=46_000)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-tracemalloc", action="store_true")
    args = ap.parse_args(argv)

    rub = load_rubric()
    t0 = time.perf_counter()
    branches, stars = synthetic_province(args.branches, args.years, args.seed)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    c = County.from_frames(branches, stars, name="模拟省", code="province", rubric=rub,
                           targets=Targets(share_3plus=0.6, level_counts={5: 2000}))
    t_load = time.perf_counter() - t0

    rows = []
    for name, fn in steps(c):
        sec = _time(fn)
        mb = float("nan") if args.no_tracemalloc else _peak(fn)
        rows.append((name, sec, mb))
    whole = [fn for _, fn in steps(c)]
    total = _time(lambda: [f() for f in whole])
    total_mb = float("nan") if args.no_tracemalloc else _peak(lambda: [f() for f in whole])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(f"machine: {platform.machine()} {platform.processor() or ''}".rstrip()
          + f", {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"pandas {pd.__version__}, numpy {np.__version__}")
    print(f"province: {len(c.branches):,} branch-years ({args.branches:,} branches x "
          f"{args.years} years), {len(c.stars):,} star rows, "
          f"{c.branches['township'].nunique():,} townships")
    print(f"generate frames {t_gen:.2f} s; County.from_frames {t_load:.2f} s")
    print()
    w = max(len(r[0]) for r in rows) + 2
    print(f"{'step':<{w}}{'seconds':>9}{'peak MiB':>10}")
    for name, sec, mb in rows:
        print(f"{name:<{w}}{sec:>9.2f}{mb:>10.1f}")
    print(f"{'all of the above, one after another':<{w}}{total:>9.2f}{total_mb:>10.1f}")
    print(f"\nprocess peak RSS {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
