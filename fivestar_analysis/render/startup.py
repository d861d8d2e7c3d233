"""Start-up of the processes that render reports: leave out a slow optional import.

``papermill`` and ``nbconvert`` import ``nbformat``, which imports ``jsonschema``; when the
optional package ``rfc3987_syntax`` is installed (JupyterLab's ``jupyter_events`` pulls it
in), ``jsonschema`` imports it to check IRI formats, and that import builds a Lark grammar:
about 3 s on a two-core machine, in every ``fivestar report`` and ``fivestar batch`` process,
for a check no notebook validation uses (nbformat validates without format checkers). The
command line and the batch workers therefore mark the module as absent, which
``jsonschema`` treats as not installed. Library users' processes are left alone.
"""

from __future__ import annotations

import sys

__all__ = ["SKIPPED", "skip_slow_optional_imports"]

#: optional modules that nothing in a rendering process needs and that are slow to import
SKIPPED = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Mark :data:`SKIPPED` as not installed in this process (unless already imported)."""
    for name in SKIPPED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
