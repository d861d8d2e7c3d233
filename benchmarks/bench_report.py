"""Benchmark (a): ``fivestar report`` on the demo county against the papermill + nbconvert floor,
both measured as whole processes started from the shell, as a user starts them.

The report is ``fivestar report DEMO --out OUT --format html`` (``python -m
fivestar_analysis.cli``) on the default demo county (``write_demo_package`` seed 2024: about
430 branches, four years, 6,000 questionnaires). The floor is one ``python -c`` process that
executes a one-cell parameterized notebook with papermill and exports it with nbconvert
(``_floor.py``). The runs alternate (floor, report, floor, report, ...) so a change of machine
load hits both; medians are kept. Also timed: ``fivestar --help`` and ``fivestar validate
DEMO`` (start-up cost). Run::

    .venv/bin/python benchmarks/bench_report.py [--repeat 3] [--profile FILE]

``--profile FILE`` also runs the report notebook's code once in this process under
cProfile (load, describe, every section's HTML, charts included) and writes the stats to
FILE, printing the top functions by cumulative time. Target: report at most 2.5x floor
(stretch 2.0x). Figures are recorded in ``docs/benchmarks.md``.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _floor import CPU, floor_notebook, run_cli, run_floor  # noqa: E402

from fivestar_analysis.tools.demo import write_demo_package  # noqa: E402

TARGET = 2.5


def run_report(data_dir: Path, out: Path) -> float:
    return run_cli("report", str(data_dir), "--out", str(out), "--format", "html")


def profile_in_process(data_dir: Path, path: str, top: int = 30) -> None:
    """Everything the report's cells do, in this process, under cProfile."""
    import cProfile
    import io
    import pstats

    def cells() -> None:
        from fivestar_analysis.render.notebook import SECTIONS, prepare

        rep = prepare(str(data_dir))
        for fn in SECTIONS.values():
            fn(rep)

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.runcall(cells)
    print(f"\nin-process report cells (imports, load, describe, sections): "
          f"{time.perf_counter() - t0:.2f} s")
    prof.dump_stats(path)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    print(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", metavar="FILE")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_report.") as tmp:
        tmp = Path(tmp)
        demo = write_demo_package(tmp / "demo", seed=2024)
        nb = floor_notebook(tmp)
        out = tmp / "out"
        out.mkdir()
        load0 = os.getloadavg()
        # one untimed run of each: bytecode caches, font cache, disk cache
        run_floor(nb, out, demo)
        run_report(demo, out)
        floors, reports, helps, validates = [], [], [], []
        cpu_floor, cpu_report = [], []
        for _ in range(args.repeat):
            floors.append(run_floor(nb, out, demo))
            cpu_floor.append(CPU[-1])
            reports.append(run_report(demo, out))
            cpu_report.append(CPU[-1])
            helps.append(run_cli("--help"))
            validates.append(run_cli("validate", str(demo)))
        load1 = os.getloadavg()
        if args.profile:
            profile_in_process(demo, args.profile)

    f, r = statistics.median(floors), statistics.median(reports)
    ratio = r / f
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}; load average {load0[0]:.2f} before, {load1[0]:.2f} after")
    print()
    print(f"{'whole process':<34}{'median s':>10}   all runs (s)")
    for name, xs in (("floor: one-cell notebook", floors), ("fivestar report demo (html)", reports),
                     ("fivestar --help", helps), ("fivestar validate demo", validates)):
        print(f"{name:<34}{statistics.median(xs):>10.2f}   " + " ".join(f"{x:.2f}" for x in xs))
    print(f"{'ratio report / floor':<34}{ratio:>10.2f}   target <= {TARGET} "
          f"({'met' if ratio <= TARGET else 'missed'})")
    cf, cr = statistics.median(cpu_floor), statistics.median(cpu_report)
    print(f"{'CPU s (kernels included): floor':<34}{cf:>10.2f}   report {cr:.2f}, "
          f"ratio {cr / cf:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
