"""Benchmark (c): the whole report analysis at province scale, against reading the files.

A province-sized county package is written to disk as CSV, in the contract's format with
Chinese headers: one demo county (``generate_demo``: 460 branches in 24 townships, four
years, 10,000 questionnaires) is replicated 100 times with renamed branch codes,
townships and questionnaire numbers, giving 46,000 branches x 4 years (184,000 ledger
rows, all star columns), 2,400 townships and 1,000,000 survey responses, with the demo's
codebook. Then, each in a fresh child process (so the peak resident set size is that of
the step alone):

* **read**: ``pandas.read_csv`` of ledger, survey and codebook, every column as ``str``
  (the floor: what any analysis has to pay to get the data in);
* **analyse**: ``load_county`` (read, validate, canonical frames) + ``describe_county``
  (every report table, the survey included, findings, recommendations and the mentoring
  plan).

The child reports its wall time per step, its peak RSS (``resource.getrusage``) and,
optionally, the peak traced by ``tracemalloc``. Target: analyse at most 3x read, peak
memory under 4 GB. Run::

    .venv/bin/python benchmarks/bench_province.py [--out /tmp/fivestar-province]
        [--copies 100] [--respondents-per-copy 10000] [--keep] [--profile FILE]

At this size the county-wide mentoring problem exceeds ``max_cells``; ``describe_county``
then solves one problem per township (``rep.mentoring_within == "township"``), and the
survey's township comparison has more groups than ``comparisons.max_pairwise_groups``, so
its Dunn pairs are left out (the omnibus tests remain).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

TARGET_RATIO = 3.0
TARGET_GB = 4.0


# -- the package ------------------------------------------------------------------------

def _replicate(values: pd.Series, copies: int, prefix: str, width: int = 3) -> np.ndarray:
    """``values`` repeated ``copies`` times, each copy prefixed ``{prefix}{copy}-``."""
    v = values.astype(str).to_numpy().astype(str)
    tags = np.char.add(np.char.add(prefix, np.char.zfill(np.arange(copies).astype(str), width)),
                       "-")
    return np.char.add(np.repeat(tags, len(v)), np.tile(v, copies)).astype(object)


def write_province_package(out: Path, copies: int = 100, per_copy_respondents: int = 10_000,
                           seed: int = 2024) -> dict[str, float]:
    """Write the province-sized county package into ``out``; returns its sizes."""
    from fivestar_analysis.tools.demo import generate_demo

    pkg = generate_demo(seed, n_townships=24, n_villages=430, n_communities=30,
                        n_respondents=per_copy_respondents, name="模拟省", code="province")
    led, sv = pkg.ledger, pkg.survey
    n_led, n_sv = len(led), len(sv)
    ledger = pd.DataFrame({c: np.tile(led[c].to_numpy(), copies) for c in led.columns})
    ledger["支部编码"] = _replicate(led["支部编码"], copies, "P")
    ledger["乡镇（街道）"] = _replicate(led["乡镇（街道）"], copies, "县")
    survey = pd.DataFrame({c: np.tile(sv[c].to_numpy(), copies) for c in sv.columns})
    survey["支部编码"] = _replicate(sv["支部编码"], copies, "P")
    survey["问卷编号"] = _replicate(sv["问卷编号"], copies, "Q")
    meta = dict(pkg.county_yaml)
    meta["targets"] = {"share_3plus": 0.6, "five_star": 2000}
    out.mkdir(parents=True, exist_ok=True)
    (out / "county.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    for name, frame in (("ledger", ledger), ("survey", survey), ("codebook", pkg.codebook)):
        frame.to_csv(out / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    branches = ledger["支部编码"].nunique()
    return {"branches": branches, "ledger_rows": len(ledger), "respondents": len(survey),
            "townships": ledger["乡镇（街道）"].nunique(), "years": led["年度"].nunique(),
            "survey_columns": survey.shape[1], "per_copy": (n_led, n_sv),
            "mb": sum(p.stat().st_size for p in out.iterdir()) / 2**20}


# -- the two measured steps (each runs in a child process) ------------------------------

def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def step_read(folder: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    frames = {name: pd.read_csv(folder / f"{name}.csv", dtype=str, encoding="utf-8-sig",
                                keep_default_na=False)
              for name in ("ledger", "survey", "codebook")}
    sec = time.perf_counter() - t0
    return {"read_csv (ledger, survey, codebook; all str)": sec, "total": sec,
            "rows": float(sum(len(f) for f in frames.values()))}


def step_analyse(folder: Path, profile: str | None = None) -> dict[str, float]:
    import cProfile

    prof = cProfile.Profile() if profile else None
    times: dict[str, float] = {}

    def timed(label, fn):
        t = time.perf_counter()
        if prof:
            prof.enable()
        try:
            return fn()
        finally:
            if prof:
                prof.disable()
            times[label] = time.perf_counter() - t

    t0 = time.perf_counter()
    # imports are part of what the analysis costs (the read step imports pandas only)
    timed("imports", lambda: __import__("fivestar_analysis.describe.county"))
    from fivestar_analysis.describe.county import describe_county
    from fivestar_analysis.load.loader import load_county

    county = timed("load_county (read, validate, canonical frames)", lambda: load_county(folder))
    rep = timed("describe_county (every report table, survey included)",
                lambda: describe_county(county))
    times["total"] = time.perf_counter() - t0
    times["_describe_mentoring_pairs"] = float(len(rep.mentoring.pairs))
    times["_findings"] = float(len(rep.findings))
    if prof:
        prof.dump_stats(profile)
    return times


def _child(step: str, folder: str, profile: str | None, trace: bool) -> None:
    if trace:
        import tracemalloc

        tracemalloc.start()
    out = step_read(Path(folder)) if step == "read" else step_analyse(Path(folder), profile)
    out["_peak_rss_mib"] = _peak_rss_mib()
    if trace:
        import tracemalloc

        out["_traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    print("RESULT " + json.dumps(out))


def run_child(step: str, folder: Path, profile: str | None = None,
              trace: bool = False) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", step, "--out", str(folder)]
    if profile:
        cmd += ["--profile", profile]
    if trace:
        cmd.append("--tracemalloc")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not line:
        raise SystemExit(f"{step} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(line[-1][7:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/fivestar-province")
    ap.add_argument("--copies", type=int, default=100)
    ap.add_argument("--respondents-per-copy", type=int, default=10_000)
    ap.add_argument("--keep", action="store_true", help="keep (and reuse) the package")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the analyse step into FILE")
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--child", choices=("read", "analyse"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    folder = Path(args.out)
    if args.child:
        _child(args.child, str(folder), args.profile, args.tracemalloc)
        return 0

    t0 = time.perf_counter()
    if args.keep and (folder / "survey.csv").exists():
        sizes = None
    else:
        if folder.exists():
            shutil.rmtree(folder)
        sizes = write_province_package(folder, args.copies, args.respondents_per_copy)
    t_gen = time.perf_counter() - t0
    load0 = os.getloadavg()
    run_child("read", folder)  # warm the page cache: both steps then read from memory
    read = run_child("read", folder)
    analyse = run_child("analyse", folder, args.profile)
    traced = run_child("analyse", folder, trace=True) if args.tracemalloc else None
    load1 = os.getloadavg()
    if not args.keep:
        shutil.rmtree(folder)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}; "
          f"load average {load0[0]:.2f} before, {load1[0]:.2f} after")
    if sizes:
        print(f"package: {sizes['branches']:,} branches x {sizes['years']} years "
              f"({sizes['ledger_rows']:,} ledger rows), {sizes['townships']:,} townships, "
              f"{sizes['respondents']:,} respondents x {sizes['survey_columns']} columns, "
              f"{sizes['mb']:.0f} MiB of CSV; written in {t_gen:.1f} s")
    print()
    w = 58
    print(f"{'step':<{w}}{'seconds':>9}")
    for label, sec in read.items():
        if not label.startswith("_") and label not in ("total", "rows"):
            print(f"{'read: ' + label:<{w}}{sec:>9.2f}")
    for label, sec in analyse.items():
        if not label.startswith("_") and label != "total":
            print(f"{'analyse: ' + label:<{w}}{sec:>9.2f}")
    ratio = analyse["total"] / read["total"]
    peak_gb = analyse["_peak_rss_mib"] / 1024
    print(f"{'read total':<{w}}{read['total']:>9.2f}")
    print(f"{'analyse total':<{w}}{analyse['total']:>9.2f}")
    print()
    print(f"ratio analyse / read: {ratio:.2f} (target <= {TARGET_RATIO:g}: "
          f"{'met' if ratio <= TARGET_RATIO else 'missed'})")
    print(f"peak RSS: read {read['_peak_rss_mib']:,.0f} MiB, analyse "
          f"{analyse['_peak_rss_mib']:,.0f} MiB (target < {TARGET_GB:g} GB: "
          f"{'met' if peak_gb < TARGET_GB else 'missed'})"
          + (f"; traced peak {traced['_traced_peak_mib']:,.0f} MiB" if traced else ""))
    print(f"findings {analyse['_findings']:.0f}; mentoring pairs "
          f"{analyse['_describe_mentoring_pairs']:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
