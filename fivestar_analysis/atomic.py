"""Writing an output file atomically: through a temporary file beside the target, then a rename.

A reader never sees half a report: the target either keeps its old content or has the new
one in full. The temporary file is named ``.<name>.tmp-<pid>-<random>.tmp`` — the pattern
``render.report.remove_stale_work`` recognises — so a run killed mid-write leaves a file
that a later run removes. Every stage may use this module (it imports nothing of the
package), so the Word presenter and the PDF printer write the same way as the HTML.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_with", "temp_path_beside"]


def _publish(tmp: str, path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are shared files
    os.replace(tmp, path)


def temp_path_beside(path: Path) -> str:
    """A new empty temporary file in ``path``'s folder (created, so the name is ours)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-{os.getpid()}-", suffix=".tmp",
                               dir=path.parent)
    os.close(fd)
    return tmp


def atomic_write_with(path: Path | str, write: Callable[[str], None]) -> Path:
    """Let ``write(tmp_path)`` fill a temporary file beside ``path``, then rename it to
    ``path``. On any failure the temporary file is removed and ``path`` is untouched."""
    path = Path(path)
    tmp = temp_path_beside(path)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _publish(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write_with(path, lambda tmp: Path(tmp).write_bytes(data))
