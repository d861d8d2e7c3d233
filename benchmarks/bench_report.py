"""Benchmark (a): one demo county report end to end, against the papermill + nbconvert floor.

The report is ``render_report(demo, out, formats=("html",))`` on the default demo county
(``write_demo_package`` seed 2024: about 430 branches, four years, 6,000 questionnaires).
The floor is a one-cell parameterized notebook (a parameters cell and one trivial cell),
written to a temporary folder and run through the very same ``run_notebook`` (papermill
execution in a fresh ``python3`` kernel, nbconvert export, atomic writes), so the two
differ only in what the notebook computes and shows. Each is repeated and the median kept;
the runs alternate (floor, report, floor, report, ...) so a change of machine load hits
both. Run::

    .venv/bin/python benchmarks/bench_report.py [--repeat 3] [--profile FILE]

``--profile FILE`` also runs the report notebook's code once in this process under
cProfile (load, describe, every section's HTML, charts included) and writes the stats to
FILE, printing the top functions by cumulative time. Target: report at most 2.5x floor.
Figures are recorded in ``docs/benchmarks.md``.
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

import nbformat

from fivestar_analysis.render.report import render_report, run_notebook
from fivestar_analysis.tools.demo import write_demo_package

TARGET = 2.5


def floor_notebook(folder: Path) -> Path:
    """A one-cell parameterized notebook: a parameters cell and one trivial cell."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(  # the report notebook's parameters, same names
        'data_dir = None\nyear = None\nlanguage = "zh"\nrules_path = None\n'
        'xlsx_path = None\nfingerprint = None\ngenerated = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("from IPython.display import HTML\n"
                                                  "HTML('<h2>floor</h2><p>' + str(year) + '</p>')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def run_floor(nb: Path, out: Path, data_dir: Path) -> float:
    t0 = time.perf_counter()
    run_notebook(nb, out, "floor", {"data_dir": str(data_dir), "year": 2025, "language": "zh"},
                 title="floor", language="zh", formats=("html",), fp="floor")
    return time.perf_counter() - t0


def run_report(data_dir: Path, out: Path) -> float:
    t0 = time.perf_counter()
    render_report(data_dir, out, formats=("html",))
    return time.perf_counter() - t0


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
        floors, reports = [], []
        for _ in range(args.repeat):
            floors.append(run_floor(nb, out, demo))
            reports.append(run_report(demo, out))
        load1 = os.getloadavg()
        if args.profile:
            profile_in_process(demo, args.profile)

    f, r = statistics.median(floors), statistics.median(reports)
    ratio = r / f
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}; load average {load0[0]:.2f} before, {load1[0]:.2f} after")
    print()
    print(f"{'run':<34}{'median s':>10}   all runs (s)")
    print(f"{'floor: one-cell notebook':<34}{f:>10.2f}   " + " ".join(f"{x:.2f}" for x in floors))
    print(f"{'report: demo county, html':<34}{r:>10.2f}   " + " ".join(f"{x:.2f}" for x in reports))
    print(f"{'ratio report / floor':<34}{ratio:>10.2f}   target <= {TARGET} "
          f"({'met' if ratio <= TARGET else 'missed'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
