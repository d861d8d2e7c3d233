"""What every ``fivestar`` command shares: exit codes, the language of messages, printing."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from fivestar_analysis.errors import message

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2


def language(args: argparse.Namespace) -> str:
    lang = getattr(args, "lang", None) or os.environ.get("FIVESTAR_LANG", "zh")
    return "en" if str(lang).lower().startswith("en") else "zh"


def out(text: str = "") -> None:
    print(text, flush=True)


def print_json(data: Any) -> None:
    out(json.dumps(data, ensure_ascii=False, indent=2))


def print_problems(errors, warnings, lang: str) -> None:
    if errors:
        out(message("invalid", lang, n=len(errors)))
        for p in errors:
            out(p.line(lang))
    if warnings:
        out(message("warnings", lang, n=len(warnings)))
        for p in warnings:
            out(p.line(lang))


def formats(text: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in text.split(",") if f.strip())


def print_failed(exc, lang: str) -> None:
    """Say which cell of a report notebook failed and where the executed notebook is kept."""
    if lang == "en":
        out(f"Report failed in cell {exc.cell_index}: {exc.ename}: {exc.evalue}")
        if exc.source:
            out("Failing cell: " + exc.source.strip().splitlines()[0][:120])
        if exc.notebook:
            out(f"The executed notebook is kept for inspection: {exc.notebook}")
    else:
        out(f"报告生成失败：第 {exc.cell_index} 个单元格出错（{exc.ename}: {exc.evalue}）")
        if exc.source:
            out("出错的单元格：" + exc.source.strip().splitlines()[0][:120])
        if exc.notebook:
            out(f"已保留执行过的笔记本供排查：{exc.notebook}")
