"""One county of a batch on this worker's warm kernel (:mod:`~fivestar_analysis.render.kernel`).

Each worker thread (a local batch thread or a dask worker thread) keeps one kernel and renders
county after county in it through :func:`~fivestar_analysis.render.report.render_report`, so
the outcome is what a fresh ``fivestar report`` gives: refused data, a failing cell, a kernel
that died or was killed for its time limit are reported for that county, and the next county
gets a new kernel when the old one is gone.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

__all__ = ["render_warm", "render_warm_in_own_thread", "close_kernels"]

_local = threading.local()
_kernels: list = []
_lock = threading.Lock()
_threads: dict[int, Any] = {}


def _kernel():
    kernel = getattr(_local, "kernel", None)
    if kernel is None:
        from fivestar_analysis.render.kernel import WarmKernel
        from fivestar_analysis.render.report import report_notebook

        kernel = WarmKernel(cwd=report_notebook().parent)
        kernel.start()  # it imports the analysis modules while this thread plans the county
        _local.kernel = kernel
        with _lock:
            if not _kernels:
                atexit.register(close_kernels)
            _kernels.append(kernel)
    return kernel


def close_kernels() -> None:
    """Stop every warm kernel this process started (the end of a local batch, or exit)."""
    with _lock:
        kernels, _kernels[:] = list(_kernels), []
    for k in kernels:
        k.close()


def _problems(exc, lang: str) -> str:
    lines = []
    for p in exc.problems:
        e = p.to_dict(lang)
        where = " ".join(x for x in (e["file"], e["row"] and f"row {e['row']}",
                                     e["column"] and f"column {e['column']}") if x)
        lines.append(f"{where}: {e['message']}")
    return f"{len(lines)} problem(s): " + " | ".join(lines[:3])


def render_warm(path: str, out_dir: str, *, timeout: float | None = None, force: bool = False,
                formats: tuple[str, ...] = ("html", "ipynb"), language: str | None = None,
                rules: str | None = None, generated: str | None = None) -> dict[str, Any]:
    """Render one county on this thread's warm kernel; a :class:`CountyOutcome` as a dict."""
    from fivestar_analysis.errors import FivestarError, PackageInvalid
    from fivestar_analysis.render.batch import CountyOutcome
    from fivestar_analysis.render.kernel import KernelDied
    from fivestar_analysis.render.report import ReportFailed, remove_stale_work, render_report

    lang = "en" if os.environ.get("FIVESTAR_LANG", "zh").lower().startswith("en") else "zh"
    start = time.time()
    kernel = _kernel()

    def outcome(status: str, message: str = "", result=None) -> dict[str, Any]:
        outputs = {k: str(v) for k, v in result.outputs.items()} if result else {}
        return asdict(CountyOutcome(str(path), status, time.time() - start, message, outputs,
                                    result.headline if result else {}))
    try:
        result = render_report(path, out_dir, language=language, formats=tuple(formats),
                               timeout=timeout, force=force, rules_path=rules,
                               generated=generated, kernel=kernel)
    except PackageInvalid as exc:
        return outcome("invalid", _problems(exc, lang))
    except KernelDied:
        remove_stale_work(Path(out_dir))
        if kernel.timed_out:
            return outcome("timeout", f"time limit of {timeout:g} s reached; stopped")
        return outcome("failed", "the report kernel died; a new one was started")
    except ReportFailed as exc:
        return outcome("failed", str(exc))
    except FivestarError as exc:
        return outcome("invalid", f"1 problem(s): {exc}")
    except OSError as exc:
        return outcome("failed", f"{exc.strerror or exc}: {exc.filename or ''}")
    except Exception as exc:  # noqa: BLE001 - one county's crash never stops the batch
        kernel.close()  # a kernel in an unknown state is not reused
        return outcome("failed", f"{type(exc).__name__}: {exc}")
    return outcome("skipped" if result.skipped else "rendered", "", result)


def render_warm_in_own_thread(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """:func:`render_warm` on a private thread kept for the calling thread.

    For dask workers: their task threads may have an event loop running, on which the
    kernel's client cannot run its own; each gets one plain thread (and so one kernel).
    """
    from concurrent.futures import ThreadPoolExecutor

    with _lock:
        pool = _threads.setdefault(threading.get_ident(),
                                   ThreadPoolExecutor(1, thread_name_prefix="fivestar-kernel"))
    return pool.submit(render_warm, *args, **kwargs).result()
