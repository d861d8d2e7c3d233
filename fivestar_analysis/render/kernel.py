"""A warm kernel: one IPython kernel kept by a batch worker and used for county after county.

Starting a kernel and importing pandas, scipy, matplotlib, jieba and the package costs more
than most of a county's analysis; a batch pays it once per worker instead of once per county.
Before every notebook but the first the kernel's namespace is reset (``%reset -f``, figures
closed, garbage collected), so nothing a county's cells defined is seen by the next; imported
modules stay, which is the point. The notebook runs through papermill exactly as a fresh run
does (same parameter injection, same execution, same errors), only on this kernel.

A county over its time limit has its kernel killed (the whole process group, so a kernel
stopped or hung in C code goes too); a dead kernel is noticed and a new one is started for
the next county.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

from fivestar_analysis.errors import FivestarError

__all__ = ["WarmKernel", "KernelDied"]

#: run before every notebook after the first: the namespace goes, the imports stay
_RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
          "import sys as _s, gc as _g\n"
          "if 'matplotlib.pyplot' in _s.modules: _s.modules['matplotlib.pyplot'].close('all')\n"
          "_g.collect(); del _s, _g\n")
#: imported once when the kernel starts (waited for on a thread: while the kernel imports
#: the analysis and presentation modules, the driving process imports papermill and plans
#: the first county)
_PRELOAD = ("import fivestar_analysis.render.notebook  # warm start\n"
            "import fivestar_analysis.describe.county, fivestar_analysis.present.sections\n")


class KernelDied(FivestarError):  # noqa: N818 - caught inside the render stage, never shown
    """The warm kernel died or was killed (a time limit) while running a notebook."""


def _async_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class _Manager(AsyncKernelManager):
        """Remembers the clients nbclient makes, so their sockets are closed after a run."""

        def client(self, **kwargs: Any):
            kc = super().client(**kwargs)
            self.made.append(kc)
            return kc

    return _Manager


class WarmKernel:
    """One kernel, started now in ``cwd``, kept until :meth:`close`.

    ``run(notebook, output, parameters, timeout=...)`` executes like
    ``papermill.execute_notebook`` and raises what it raises for a failing cell; a kernel
    that dies or is killed for its time limit raises :class:`KernelDied` (``timed_out`` set
    when it was the limit) and the object starts a new kernel on its next run.
    """

    def __init__(self, kernel_name: str = "python3", cwd: str | Path | None = None,
                 connection_dir: str | Path | None = None, preload: bool = True):
        self.kernel_name, self.cwd = kernel_name, str(cwd) if cwd else None
        self.connection_dir = Path(connection_dir) if connection_dir else None
        self.preload = preload
        self.km = None
        self.runs = 0
        self.timed_out = False
        self.reset_sent = False  # the namespace reset after the last county is on its way
        self.sent: list = []     # clients of requests sent without waiting
        self.preloading: threading.Thread | None = None

    # -- the kernel process -----------------------------------------------------------------

    def start(self) -> None:
        """Start the kernel now (else on the first :meth:`run`); its preload runs while the
        caller goes on."""
        if self.km is None:
            self._start()

    def _start(self) -> None:
        from jupyter_core.utils import run_sync

        km = _async_manager_class()(kernel_name=self.kernel_name)
        km.made = []
        if self.connection_dir is not None:
            self.connection_dir.mkdir(parents=True, exist_ok=True)
            km.connection_file = str(self.connection_dir / f"kernel-{os.getpid()}-{id(self)}.json")
        from fivestar_analysis.render.fork import kernel_fork_setting

        quiet = os.environ.get("FIVESTAR_QUIET_KERNEL") == "1"
        # a warm kernel forks workers only when its batch allowed it (one job on a
        # multi-core machine); a dask worker's kernels share their machine with others
        with kernel_fork_setting("0"):
            run_sync(km.start_kernel)(cwd=self.cwd,
                                      **({"stderr": subprocess.DEVNULL} if quiet else {}))
        self.km, self.runs = km, 0
        self.reset_sent = False
        if self.preload:  # on a thread: the caller plans its first county meanwhile
            self.preloading = threading.Thread(target=self._preload, daemon=True,
                                               name="fivestar-preload")
            self.preloading.start()

    def _preload(self) -> None:
        try:
            self._execute(_PRELOAD, timeout=120)
        except Exception:  # noqa: BLE001,S110 - the notebook imports what it needs itself
            pass

    def _wait_for_preload(self, timeout: float = 150) -> None:
        if self.preloading is not None:
            self.preloading.join(timeout=timeout)
            self.preloading = None

    def _send(self, code: str) -> None:
        """Send ``code`` to the ready kernel without waiting for it: requests run in the
        order they arrive, so the next notebook's cells run after it. Its client is closed
        once the next notebook has run (its message long delivered)."""
        kc = self.km.client()
        self.km.made.remove(kc)
        kc.start_channels()
        kc.execute(code, silent=True, store_history=False)
        self.sent.append(kc)

    def _close_sent(self, clients: list) -> None:
        for kc in clients:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001,S110 - a dead kernel's channels may be gone already
                pass

    def _execute(self, code: str, timeout: float | None) -> None:
        """Run ``code`` quietly on the kernel (a reset, a preload)."""
        from jupyter_core.utils import run_sync

        kc = self.km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
            reply = run_sync(kc.execute_interactive)(code, timeout=timeout, store_history=False,
                                                     output_hook=lambda msg: None)
            if reply["content"].get("status") != "ok":
                raise KernelDied(f"kernel set-up failed: {reply['content'].get('ename')}")
        finally:
            self._close_clients()

    def _close_clients(self) -> None:
        for kc in self.km.made if self.km is not None else []:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001,S110 - a dead kernel's channels may be gone already
                pass
        if self.km is not None:
            self.km.made.clear()

    def pid(self) -> int | None:
        try:
            return self.km.provisioner.process.pid
        except AttributeError:
            return None

    def alive(self) -> bool:
        try:
            return self.km is not None and self.km.provisioner.process.poll() is None
        except AttributeError:
            return False

    def kill(self) -> None:
        """Kill the kernel's process group now (SIGKILL also ends a stopped process)."""
        pid = self.pid()
        if pid is None:
            return
        for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                kill()
            except OSError:
                pass

    def close(self) -> None:
        self._close_sent(self.sent)
        self.sent = []
        if self.km is None:
            return
        self.kill()
        self._wait_for_preload(timeout=10)  # its request fails with the kernel gone
        self._close_clients()
        try:
            self.km.provisioner.process.wait(timeout=10)
        except Exception:  # noqa: BLE001,S110 - already reaped or never started
            pass
        try:
            from jupyter_core.utils import run_sync

            run_sync(self.km.cleanup_resources)()
        except Exception:  # noqa: BLE001,S110
            pass
        self.km = None

    # -- running notebooks ------------------------------------------------------------------

    def run(self, notebook: Path, output: Path, parameters: dict[str, Any], *,
            timeout: float | None = None) -> None:
        """Execute ``notebook`` with ``parameters`` into ``output`` (papermill, this kernel).

        ``timeout`` limits the whole notebook (reset included), not each cell.
        """
        import papermill as pm

        if self.km is not None and not self.alive():
            self.close()
        if self.km is None:
            self._start()
        self._wait_for_preload()
        self.timed_out = False
        watchdog = None
        if timeout:
            watchdog = threading.Timer(timeout, self._time_out)
            watchdog.daemon = True
            watchdog.start()
        earlier, self.sent = self.sent, []
        try:
            if self.runs and not self.reset_sent:
                self._execute(_RESET, timeout=timeout)
            self.runs += 1
            self.reset_sent = False
            pm.execute_notebook(str(notebook), str(output), parameters=parameters,
                                kernel_name=self.kernel_name, progress_bar=False,
                                log_output=False, request_save_on_cell_execute=False,
                                km=self.km)
            # the next county's namespace is cleared while this one's page is exported
            self._send(_RESET)
            self.reset_sent = True
        except Exception as exc:
            if self.timed_out or not self.alive():
                self.close()
                raise KernelDied("time limit" if self.timed_out else "kernel died") from exc
            raise
        finally:
            if watchdog is not None:
                watchdog.cancel()
            self._close_clients()
            self._close_sent(earlier)

    def _time_out(self) -> None:
        self.timed_out = True
        self.kill()
