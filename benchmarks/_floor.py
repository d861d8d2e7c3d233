"""The floor the report benchmarks divide by, as a user would start it: one ``python`` process
that executes a one-cell parameterized notebook with papermill and exports it with nbconvert.

Shared by ``bench_report.py`` and ``bench_batch.py``; not part of the package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

FLOOR_SCRIPT = """
import sys, papermill as pm
from nbconvert import HTMLExporter
nb, out, data_dir = sys.argv[1:4]
pm.execute_notebook(nb, out + '.ipynb', parameters={'data_dir': data_dir, 'year': 2025},
                    progress_bar=False, log_output=False)
body, _ = HTMLExporter(template_name='basic').from_filename(out + '.ipynb')
open(out + '.html', 'w', encoding='utf-8').write(body)
"""


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


#: CPU seconds (user + system) of every finished child process, kernels included, per call
CPU: list[float] = []


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def run_floor(nb: Path, out: Path, data_dir: Path) -> float:
    """Seconds for one whole floor process (its CPU seconds are appended to ``CPU``)."""
    out.mkdir(parents=True, exist_ok=True)
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, str(nb), str(out / "floor"),
                    str(data_dir)], check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    CPU.append(_children_cpu() - cpu0)
    return seconds


def run_cli(*args: str) -> float:
    """Seconds for one whole ``fivestar ...`` process (``python -m fivestar_analysis.cli``);
    its CPU seconds, kernels included, are appended to ``CPU``."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", *args],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    CPU.append(_children_cpu() - cpu0)
    if proc.returncode != 0:
        raise SystemExit(f"fivestar {' '.join(args)} failed ({proc.returncode}):\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds
