"""Where a run keeps its half-made outputs: atomic writes, work folders labelled with their
owner, the clean-up of what killed runs left behind, and the output folder itself."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

from fivestar_analysis.errors import OutputNotWritable

__all__ = ["atomic_write_bytes", "remove_stale_work", "prepare_out_dir", "new_work_folder",
           "kernel_stderr"]


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file's name carries this process's id, so a run killed mid-write leaves
    a file :func:`remove_stale_work` recognises and removes later.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", suffix=".tmp",
                               dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are shared files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- work folders: where a run keeps its half-made outputs ----------------------------------

#: ``.<stem>.work-<pid>-<random>``: a run's work folder inside the output folder
_WORK_FOLDER = re.compile(r"^\..+\.work-(?P<pid>\d+)-[^/]+$")
#: ``.<name>.tmp-<pid>-<random>.tmp``: a file being written by :func:`atomic_write_bytes`
_TMP_FILE = re.compile(r"^\..+\.tmp-(?P<pid>\d+)-[^/]+\.tmp$")
_OWNER = "owner.json"
#: a half-written file older than this, of a process not running here, is left over
_TMP_GRACE_SECONDS = 600


def _started(pid: int) -> float | None:
    """When process ``pid`` started (None if it is not running)."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _running(pid: int, started: float | None = None) -> bool:
    """Whether ``pid`` is a live process on this machine (the same one, if ``started``)."""
    now = _started(pid)
    if now is None:
        return False
    import psutil

    try:
        if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return False
    except psutil.Error:
        return False
    return started is None or abs(now - started) < 1.0


def new_work_folder(out_dir: Path, stem: str) -> Path:
    """A fresh work folder in ``out_dir``, labelled with the machine and process that own it.

    A folder the user cannot write to is reported by its own name, not the work folder's.
    """
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{stem}.work-{os.getpid()}-", dir=out_dir))
        owner = {"host": socket.gethostname(), "pid": os.getpid(),
                 "started": _started(os.getpid())}
        (work / _OWNER).write_text(json.dumps(owner), encoding="utf-8")
    except OSError as exc:
        raise OutputNotWritable(out_dir, exc.strerror or str(exc)) from None
    return work


def remove_stale_work(out_dir: Path) -> list[Path]:
    """Remove what runs into ``out_dir`` that were killed left behind; returns what went.

    A work folder is stale when the process named in it is no longer running on this
    machine (folders of other machines sharing the folder are left alone); a half-written
    temporary file when its process is not running here and it is ten minutes old.
    Finished outputs are never touched.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(out_dir).glob(".*"))
    except OSError:
        return removed
    host = socket.gethostname()
    for p in entries:
        try:
            folder, tmp = _WORK_FOLDER.match(p.name), _TMP_FILE.match(p.name)
            if folder and p.is_dir():
                try:
                    owner = json.loads((p / _OWNER).read_text(encoding="utf-8"))
                except (OSError, ValueError):  # killed before it was labelled
                    owner = {"host": host, "pid": int(folder["pid"]), "started": None}
                    if time.time() - p.stat().st_mtime < _TMP_GRACE_SECONDS:
                        continue
                if owner.get("host") != host or _running(int(owner["pid"]), owner.get("started")):
                    continue
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
            elif tmp and p.is_file():
                if (_running(int(tmp["pid"]))
                        or time.time() - p.stat().st_mtime < _TMP_GRACE_SECONDS):
                    continue
                p.unlink(missing_ok=True)
                removed.append(p)
        except OSError:
            continue
    return removed


def prepare_out_dir(out_dir: str | Path) -> Path:
    """The output folder, resolved and created, with what killed runs left there removed.

    Raises :class:`~fivestar_analysis.errors.OutputNotWritable` naming the folder when it
    cannot be created or written to.
    """
    out = Path(out_dir).expanduser().resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputNotWritable(out, exc.strerror or str(exc)) from None
    if not out.is_dir():
        raise OutputNotWritable(out, "not a folder")
    remove_stale_work(out)
    return out


@contextlib.contextmanager
def kernel_stderr(log: Path):
    """Send the kernel process's own chatter (its start-up and shutdown logging) to ``log``.

    Only when ``FIVESTAR_QUIET_KERNEL=1`` (the command line sets it): the kernel inherits
    file descriptor 2, so it is redirected for the run; a library caller's stderr is left
    alone.
    """
    if os.environ.get("FIVESTAR_QUIET_KERNEL") != "1":
        yield
        return
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    with open(log, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
