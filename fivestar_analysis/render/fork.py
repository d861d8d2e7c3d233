"""Work on the second core: run a function in a forked copy of the kernel.

A report's kernel is one Python process on one core, while the machine usually has a second
core idle (the parent ``fivestar report`` process only waits). :func:`in_fork` runs a pure
function — a section's HTML, the driver models — in a child made by ``fork``: the child
shares the kernel's imported modules and data copy-on-write, so it starts in milliseconds
and needs no pickling of its inputs; only its result comes back through a pipe.

It is used only where it pays and is safe: on Linux-like systems with ``fork``, with at
least two CPUs, and when the process that starts the kernel allows it (``FIVESTAR_FORK``:
``1`` on, ``0`` off; ``fivestar report`` turns it on, a batch running several jobs at once
turns it off because its jobs already use the cores). When the child fails in any way, the
caller computes the result itself (:meth:`Forked.result` with ``fallback``), so a report
never depends on the child.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fivestar_analysis.errors import FivestarError

__all__ = ["ENV", "Forked", "WorkerFailed", "fork_enabled", "in_fork", "kernel_fork_setting"]

log = logging.getLogger(__name__)


class WorkerFailed(FivestarError, RuntimeError):
    """The worker process raised or ended without a result (with ``fallback=False``)."""


#: the environment variable that allows forking (``1``) or forbids it (``0``, unset)
ENV = "FIVESTAR_FORK"


def fork_enabled() -> bool:
    """True when ``FIVESTAR_FORK=1``, ``fork`` exists and there are two or more CPUs."""
    if os.environ.get(ENV, "0") != "1" or not hasattr(os, "fork"):
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2


@contextmanager
def kernel_fork_setting(default: str = "1") -> Iterator[str]:
    """While starting a kernel: ``FIVESTAR_FORK`` as the user or a batch set it, else
    ``default``, in this process's environment (which the kernel inherits)."""
    before = os.environ.get(ENV)
    value = before if before in ("0", "1") else default
    os.environ[ENV] = value
    try:
        yield value
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before


class Forked:
    """``fn(*args)`` running in a forked child; :meth:`result` waits for its value."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self._fn, self._args = fn, args
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
        self._proc.start()
        send.close()  # the child holds the only writing end: EOF when it dies

    def result(self, fallback: bool = True) -> Any:
        """The child's value; when the child failed, ``fn(*args)`` computed here (or the
        error re-raised with ``fallback=False``)."""
        try:
            ok, value = self._recv.recv()
        except (EOFError, OSError) as exc:
            ok, value = False, f"the worker process ended without a result ({exc!r})"
        finally:
            self._recv.close()
            self._proc.join(timeout=5)
            if self._proc.is_alive():
                self._proc.kill()
        if ok:
            return value
        if not fallback:
            raise WorkerFailed(value)
        log.info("%s failed in the worker process (%s); computed here instead",
                 getattr(self._fn, "__name__", self._fn), value)
        return self._fn(*self._args)


    def cancel(self) -> None:
        """Stop the child if it still runs; its result is not wanted any more."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join(timeout=5)
        self._recv.close()


def _child(send: Any, fn: Callable[..., Any], args: tuple) -> None:
    try:
        try:
            payload = (True, fn(*args))
        except BaseException as exc:  # any failure goes back as text; the parent recomputes
            payload = (False, f"{type(exc).__name__}: {exc}")
        send.send(payload)
        send.close()
    finally:
        # leave at once: no atexit handlers, no flushing of the kernel's output streams
        os._exit(0)


def in_fork(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """Start ``fn(*args)`` in a forked child when :func:`fork_enabled`, else do nothing yet;
    the returned callable gives the value (computing it here when there is no child)."""
    if fork_enabled():
        try:
            job = Forked(fn, *args)
        except OSError as exc:  # no memory or process slot for a child: do it here
            log.warning("could not start a worker process (%s)", exc)
        else:
            return job.result
    return lambda: fn(*args)
