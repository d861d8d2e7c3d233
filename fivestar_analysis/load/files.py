"""The files of a county package and their hashes, found without reading any table.

Light on purpose (no pandas): ``fivestar report --skip-unchanged`` and ``fivestar batch``
decide from here whether a report is up to date, before any notebook or table reader starts.
:func:`input_hashes` gives the same mapping the loader records in ``CountyMeta.files`` for a
package it can read, so the fingerprint a report shows is the one the command computes.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from fivestar_analysis.load.vocab import fold

__all__ = ["package_files", "input_hashes", "package_identity", "is_table_file", "sha256",
           "label", "TABLE_EXT", "SUBFOLDERS", "CODEBOOK_YAML_NAMES"]

TABLE_EXT = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".sav")
SUBFOLDERS = ("台账", "ledger", "ledgers")
CODEBOOK_YAML_NAMES = ("codebook", "编码表")
YAML_NAMES = ("county.yaml", "county.yml")
#: the largest county.yaml the quick look reads (the loader refuses larger ones anyway)
_MAX_YAML = 256 * 1024


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def label(folder: Path, path: Path) -> str:
    return path.relative_to(folder).as_posix()


def is_table_file(path: Path) -> bool:
    return path.suffix.lower() in TABLE_EXT


def package_files(folder: Path, log: Any = None) -> list[Path]:
    """Table files of the folder and of a 台账/ or ledger/ sub-folder, in a stable order.

    A file (or sub-folder) that is a link to somewhere outside the package folder is not
    read: it is an error naming the link (when a problem ``log`` is given).
    """
    root = folder.resolve()

    def inside(p: Path) -> bool:
        try:
            p.resolve().relative_to(root)
            return True
        except (ValueError, OSError):
            if log is not None:
                log.add("outside_package", label(folder, p), target=str(p.resolve()))
            return False

    def listing(d: Path) -> list[Path]:
        return sorted(p for p in d.iterdir() if p.is_file()
                      and not p.name.startswith(("~$", ".")) and inside(p))
    files = listing(folder)
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if fold(sub.name) in SUBFOLDERS and inside(sub):
            files += listing(sub)
    return files


def input_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every input of the package: table files, a YAML codebook, county.yaml.

    Keys as the loader writes them (a table file by its path in the package, a YAML codebook
    and county.yaml by name). Raises OSError when the folder cannot be listed.
    """
    folder = Path(folder)
    files: dict[str, str] = {}
    for path in package_files(folder):
        if path.suffix.lower() in (".yaml", ".yml") and fold(path.stem) in CODEBOOK_YAML_NAMES:
            files[path.name] = sha256(path)
        elif is_table_file(path):
            files[label(folder, path)] = sha256(path)
    for name in YAML_NAMES:
        if (folder / name).exists():
            files[name] = sha256(folder / name)
            break
    return files


def package_identity(folder: Path) -> dict[str, Any]:
    """``code``, ``name``, ``year`` and ``language`` as county.yaml states them, read plainly.

    Only for naming and skipping: anything unusual (no file, bad YAML, an alias, a value of
    the wrong kind) gives an empty or partial answer, and the full load then reports it.
    """
    import yaml

    for name in YAML_NAMES:
        path = Path(folder) / name
        if path.is_file():
            break
    else:
        return {}
    try:
        if path.stat().st_size > _MAX_YAML:
            return {}
        raw = path.read_bytes()
        try:  # decoded as the loader decodes it
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        if any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)
               for e in yaml.parse(text, Loader=yaml.SafeLoader)):
            return {}
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, Any] = {}
    for key in ("code", "name"):
        if isinstance(data.get(key), (str, int)) and not isinstance(data.get(key), bool):
            out[key] = str(data[key]).strip()
    year = data.get("year")
    if isinstance(year, str) and re.fullmatch(r"\s*\d{4}\s*(年度?)?", year):
        year = int(re.sub(r"\D", "", year))
    if isinstance(year, int) and not isinstance(year, bool) and 1949 <= year <= 2100:
        out["year"] = year
    out["language"] = data.get("language", "zh") if data.get("language", "zh") in ("zh", "en") \
        else "zh"
    return out
