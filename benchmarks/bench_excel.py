"""Benchmark: reading .xlsx workbooks into grids with python-calamine against openpyxl.

Writes the demo county's ledger and survey (seed 2024) as .xlsx files, plus the survey
repeated ten times, and times ``read_xlsx_grids(path, engine=...)`` for both engines in
this process (best of ``--repeat``; the first read of each file warms the page cache).
Both engines give the same grids (``tests/test_workbook_readers.py``); the loader uses
calamine and falls back to openpyxl. Run::

    .venv/bin/python benchmarks/bench_excel.py [--out /tmp/fivestar-excel] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import pandas as pd


def write_files(out: Path) -> dict[str, Path]:
    from fivestar_analysis.tools.demo import generate_demo

    out.mkdir(parents=True, exist_ok=True)
    pkg = generate_demo(2024)
    files = {"ledger": out / "ledger.xlsx", "survey": out / "survey.xlsx",
             "survey x10": out / "survey10.xlsx"}
    pkg.ledger.to_excel(files["ledger"], index=False)
    pkg.survey.to_excel(files["survey"], index=False)
    pd.concat([pkg.survey] * 10, ignore_index=True).to_excel(files["survey x10"], index=False)
    return files


def best_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    from fivestar_analysis.load.workbooks import read_xlsx_grids

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/fivestar-excel")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    files = write_files(Path(args.out))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}, pandas {pd.__version__}; load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"{'file':<12}{'rows x cols':>14}{'MiB':>7}{'calamine s':>12}{'openpyxl s':>12}"
          f"{'ratio':>8}")
    for name, path in files.items():
        grid = read_xlsx_grids(path)[0].cells  # also warms the page cache
        fast = best_time(lambda p=path: read_xlsx_grids(p), args.repeat)
        slow = best_time(lambda p=path: read_xlsx_grids(p, engine="openpyxl"),
                         max(1, args.repeat - 1))
        shape = f"{grid.shape[0]:,} x {grid.shape[1]}"
        print(f"{name:<12}{shape:>14}{path.stat().st_size / 2**20:>7.1f}{fast:>12.2f}"
              f"{slow:>12.2f}{slow / fast:>7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
