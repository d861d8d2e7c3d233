"""Benchmarks (b) and (c): ``fivestar batch`` as a user starts it, one whole process per run.

(b) four varied demo counties (``write_demo_province(n=4, seed=2024, scale=1.0)``) with
``--jobs 1``: the wall time per county against the floor of ``_floor.py`` (one process that
executes a one-cell notebook with papermill and exports it with nbconvert); target at most
1.5x. (c) eight varied demo counties with ``--jobs 2`` against ``--jobs 1``; target a
speed-up of at least 1.8x. Every run is ``fivestar batch PATHS --out OUT --jobs J --force
--format html``. Run::

    .venv/bin/python benchmarks/bench_batch.py [--repeat 1] [--only b|c]

The load average is printed before and after: on a machine shared with other work the
``--jobs 2`` run competes for the second core. Figures are recorded in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _floor import CPU, floor_notebook, run_cli, run_floor  # noqa: E402

from fivestar_analysis.tools.province import write_demo_province  # noqa: E402

TARGET_B, TARGET_C = 1.5, 1.8


def batch(folders: list[Path], out: Path, jobs: int) -> float:
    return run_cli("batch", *map(str, folders), "--out", str(out), "--jobs", str(jobs),
                   "--force", "--format", "html")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", choices=["b", "c"], default=None)
    args = ap.parse_args(argv)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench_batch.") as tmp:
        tmp = Path(tmp)
        folders = write_demo_province(tmp / "province", n=8, seed=args.seed, scale=1.0)
        nb = floor_notebook(tmp)
        run_floor(nb, tmp / "floor", folders[0])  # warm-up: caches
        if args.only in (None, "b"):
            load0 = os.getloadavg()
            floors, walls, cpu_f, cpu_b = [], [], [], []
            for _ in range(args.repeat):
                floors.append(run_floor(nb, tmp / "floor", folders[0]))
                cpu_f.append(CPU[-1])
                walls.append(batch(folders[:4], tmp / "out_b", 1))
                cpu_b.append(CPU[-1])
                floors.append(run_floor(nb, tmp / "floor", folders[0]))
                cpu_f.append(CPU[-1])
            f, w = statistics.median(floors), statistics.median(walls)
            print(f"\n(b) load average {load0[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
            print(f"floor (one-cell notebook process)    {f:7.2f} s   "
                  + " ".join(f"{x:.2f}" for x in floors))
            print(f"batch of 4, --jobs 1                  {w:7.2f} s   "
                  + " ".join(f"{x:.2f}" for x in walls))
            print(f"per county / floor                    {w / 4 / f:7.2f}     target <= {TARGET_B} "
                  f"({'met' if w / 4 / f <= TARGET_B else 'missed'})")
            cf, cb = statistics.median(cpu_f), statistics.median(cpu_b)
            print(f"CPU s (kernels included): floor {cf:.2f}, batch {cb:.2f}, "
                  f"per county / floor {cb / 4 / cf:.2f}")
        if args.only in (None, "c"):
            load0 = os.getloadavg()
            runs: dict[int, list[float]] = {1: [], 2: []}
            cpus: dict[int, list[float]] = {1: [], 2: []}
            for _ in range(args.repeat):
                for jobs in (1, 2):
                    runs[jobs].append(batch(folders, tmp / f"out_c{jobs}", jobs))
                    cpus[jobs].append(CPU[-1])
            w1, w2 = statistics.median(runs[1]), statistics.median(runs[2])
            print(f"\n(c) load average {load0[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
            for j in (1, 2):
                print(f"batch of 8, --jobs {j}                  {statistics.median(runs[j]):7.2f} s   "
                      + " ".join(f"{x:.2f}" for x in runs[j]))
            print(f"speed-up --jobs 2                     {w1 / w2:7.2f}     target >= {TARGET_C} "
                  f"({'met' if w1 / w2 >= TARGET_C else 'missed'})")
            print(f"CPU s: --jobs 1 {statistics.median(cpus[1]):.1f}, "
                  f"--jobs 2 {statistics.median(cpus[2]):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
