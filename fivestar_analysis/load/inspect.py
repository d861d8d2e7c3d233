"""``fivestar inspect``: how each file, sheet, header row and column of a package was read.

When a column is not recognised or a sheet is ignored, this is where a researcher sees why:
the role each sheet was given and on what ground, the header row(s) found, the canonical
name of every column (or that it was not recognised), and the rows skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fivestar_analysis.load.collect import ProblemLog
from fivestar_analysis.load.detect import DetectedTable, skipped_note_rows
from fivestar_analysis.load.loader import discover, read_county_yaml
from fivestar_analysis.load.privacy import is_identifying_header
from fivestar_analysis.model.rubric import load_rubric

__all__ = ["inspect_package", "format_inspection"]

_ROLE = {"ledger": ("台账", "ledger"), "survey": ("问卷", "survey"),
         "codebook": ("编码表", "codebook"), None: ("（忽略）", "(ignored)")}
_HOW = {"headers": ("按表头识别", "by its headers"), "name": ("按文件/工作表名称", "by its name"),
        "empty": ("空表", "empty"), "unrecognised": ("无法识别", "not recognised")}
_REASON = {"title": ("标题/说明行", "title lines"), "blank": ("空行", "blank rows"),
           "total": ("小计/合计行", "subtotal/total rows"),
           "repeated_header": ("重复表头", "repeated headers"),
           "footer": ("表尾（填表人等）", "footer lines")}


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
    en = lang == "en"
    i = 1 if en else 0
    lines = []
    for t in info["tables"]:
        role = _ROLE.get(t["role"], (t["role"], t["role"]))[i]
        hidden = (" (hidden sheet)" if en else "（隐藏工作表）") if t["hidden"] else ""
        lines.append(f"{t['file']}{hidden}: {role} — {_HOW[t['how']][i]}" if en else
                     f"{t['file']}{hidden}：{role}（{_HOW[t['how']][i]}）")
        if t["how"] == "empty":
            continue
        rows = "–".join(map(str, (t["header_rows"][0], t["header_rows"][-1]))) if len(
            t["header_rows"]) > 1 else str(t["header_rows"][0]) if t["header_rows"] else "?"
        lines.append(f"  header row {rows}; {t['data_rows']} data rows" if en else
                     f"  表头：第{rows}行；数据 {t['data_rows']} 行")
        for c in t["columns"]:
            name = c["canonical"] or ("not recognised" if en else "未识别")
            lines.append(f"    {c['header']} → {name}")
        for h in t["dropped_columns"]:
            lines.append(f"    {h} → " + ("row counter, ignored" if en else "行号，忽略"))
        for reason, rws in t["skipped"].items():
            label = _REASON.get(reason, (reason, reason))[i]
            lines.append(f"  skipped {label}: rows {skipped_note_rows(rws)}" if en else
                         f"  跳过{label}：第{skipped_note_rows(rws)}行")
    for p in info["problems"]:
        lines.append(p["file"] + ": " + p["message"])
    return lines
