"""Benchmark (b): eight county reports with two parallel jobs against one.

Eight demo counties (``write_demo_province(n=8, seed=2024, scale=1.0)``: 100–600 branches
each, four years, 400–4,000 questionnaires) are rendered by ``run_batch(..., force=True)``
first with ``jobs=1`` and then with ``jobs=2`` (the same code path as
``fivestar batch --jobs N --force``: one ``fivestar report`` process per county, each
starting its own kernel), writing HTML. The speed-up is the wall time of ``jobs=1`` over
that of ``jobs=2``. Run::

    .venv/bin/python benchmarks/bench_batch.py [--counties 8] [--repeat 1] [--formats html]

``--repeat N`` alternates the two N times and keeps each one's median. The load average
is printed before and after: on a machine shared with other work the ``jobs=2`` run
competes for the second core, so the figure is a lower bound of what two free cores give.
Target: at least 1.7x. Figures are recorded in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fivestar_analysis.render.batch import run_batch
from fivestar_analysis.tools.province import write_demo_province

TARGET = 1.7


def _cpu_seconds() -> float:
    """CPU time of this process's finished children (the report processes and kernels)."""
    t = os.times()
    return t.children_user + t.children_system


def timed_batch(folders: list[Path], out: Path, jobs: int, formats: tuple[str, ...]
                ) -> tuple[float, float]:
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    result = run_batch(folders, out, jobs=jobs, force=True, formats=formats, progress=False)
    wall = time.perf_counter() - t0
    failed = result.failed
    if failed:
        raise SystemExit(f"jobs={jobs}: {len(failed)} county(ies) failed: "
                         + "; ".join(f"{o.path}: {o.message}" for o in failed))
    return wall, _cpu_seconds() - cpu0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--counties", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--formats", default="html")
    args = ap.parse_args(argv)
    formats = tuple(args.formats.split(","))

    with tempfile.TemporaryDirectory(prefix="bench_batch.") as tmp:
        tmp = Path(tmp)
        folders = write_demo_province(tmp / "province", n=args.counties, seed=args.seed,
                                      scale=1.0)
        load0 = os.getloadavg()
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for jobs in (1, 2):
                runs[jobs].append(timed_batch(folders, tmp / f"out{jobs}", jobs, formats))
        load1 = os.getloadavg()

    wall = {j: statistics.median(w for w, _ in r) for j, r in runs.items()}
    cpu = {j: statistics.median(c for _, c in r) for j, r in runs.items()}
    speedup = wall[1] / wall[2]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}; load average {load0[0]:.2f} before, {load1[0]:.2f} after")
    print(f"{args.counties} demo counties (seed {args.seed}, scale 1.0), formats {','.join(formats)}")
    print()
    print(f"{'run':<22}{'wall s':>9}{'CPU s':>9}   all wall times (s)")
    for j in (1, 2):
        print(f"{f'run_batch jobs={j}':<22}{wall[j]:>9.1f}{cpu[j]:>9.1f}   "
              + " ".join(f"{w:.1f}" for w, _ in runs[j]))
    print(f"{'speed-up jobs=2':<22}{speedup:>9.2f}{'':>9}   target >= {TARGET} "
          f"({'met' if speedup >= TARGET else 'missed'})")
    print(f"CPU per county: {cpu[1] / args.counties:.1f} s (jobs=1), "
          f"{cpu[2] / args.counties:.1f} s (jobs=2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
