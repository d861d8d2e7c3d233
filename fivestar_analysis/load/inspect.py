"""``fivestar inspect``: how each file, sheet, header row and column of a package was read.

When a column is not recognised or a sheet is ignored, this is where a researcher sees why:
the role each sheet was given and on what ground, the header row(s) found, the canonical
name of every column (or that it was not recognised), and the rows skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fivestar_analysis.errors import catalogue_text
from fivestar_analysis.load.collect import ProblemLog
from fivestar_analysis.load.detect import DetectedTable, skipped_note_rows
from fivestar_analysis.load.loader import discover, read_county_yaml
from fivestar_analysis.load.privacy import is_identifying_header
from fivestar_analysis.model.rubric import load_rubric

__all__ = ["inspect_package", "format_inspection"]

def _say(key: str, lang: str, **params: object) -> str:
    """Wording of ``fivestar inspect`` (``inspect`` in resources/messages.yaml)."""
    try:
        return catalogue_text("inspect", key, lang, **params)
    except KeyError:  # a role, reading or reason without wording: show its key
        return key.split(".", 1)[-1]


def _table(t: DetectedTable, role_of_column) -> dict[str, Any]:
    return {
        "file": t.file,
        "role": t.role,
        "how": t.how,
        "hidden": t.grid.hidden,
        "header_rows": list(t.header_rows),
        "data_rows": 0 if t.table is None else len(t.table.frame),
        "columns": [{"header": h, "canonical": role_of_column(t, i)}
                    for i, h in enumerate(t.headers) if h],
        "dropped_columns": t.dropped_columns,
        "skipped": {k: v for k, v in t.skipped.items()},
    }


def inspect_package(path: str | Path) -> dict[str, Any]:
    """Every table of a package folder (or one file) and how it was understood."""
    path = Path(path).expanduser()
    log = ProblemLog()
    folder = path if path.is_dir() else path.parent
    meta = read_county_yaml(folder, ProblemLog()) if (folder / "county.yaml").exists() else None
    try:
        rubric = load_rubric(meta.get("rubric") if meta else None)
    except Exception:
        rubric = load_rubric()
    found = discover(folder, rubric, log)
    tables = found.tables
    if path.is_file():
        tables = [t for t in tables if t.grid.path.resolve() == path.resolve()]

    def role_of_column(t: DetectedTable, i: int):
        canonical = t.canonical[i]
        if t.role == "survey" and (canonical == "platform:identifying" or (
                canonical is None and is_identifying_header(t.headers[i]))):
            return "dropped: identifies a person / 删除：可识别个人"
        return canonical

    return {"folder": str(folder), "tables": [_table(t, role_of_column) for t in tables],
            "problems": [p.to_dict() for p in log.problems]}


def format_inspection(info: dict[str, Any], lang: str = "zh") -> list[str]:
    lines = []
    for t in info["tables"]:
        hidden = _say("hidden", lang) if t["hidden"] else ""
        lines.append(_say("table", lang, file=t["file"], hidden=hidden,
                          role=_say(f"role.{t['role'] or 'none'}", lang),
                          how=_say(f"how.{t['how']}", lang)))
        if t["how"] == "empty":
            continue
        rows = "–".join(map(str, (t["header_rows"][0], t["header_rows"][-1]))) if len(
            t["header_rows"]) > 1 else str(t["header_rows"][0]) if t["header_rows"] else "?"
        lines.append(_say("header", lang, rows=rows, n=t["data_rows"]))
        for c in t["columns"]:
            lines.append(f"    {c['header']} → {c['canonical'] or _say('not_recognised', lang)}")
        for h in t["dropped_columns"]:
            lines.append(f"    {h} → " + _say("row_counter", lang))
        for reason, rws in t["skipped"].items():
            lines.append(_say("skipped", lang, what=_say(f"reason.{reason}", lang),
                              rows=skipped_note_rows(rws)))
    for p in info["problems"]:
        lines.append(p["file"] + ": " + p["message"])
    return lines
