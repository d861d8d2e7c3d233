"""The ``fivestar`` command.

Sub-commands: ``validate`` a package, ``summary`` of star levels, ``demo`` (write the demo
county and run the main job on it), ``report``, ``batch`` (many counties),
``compare`` (several counties side by side), ``inspect``, ``codebook``, ``template`` (a blank
Excel workbook for clerks). Problems in a user's data are printed one line each with exit
status 2; no traceback reaches the terminal for anything the user can fix.

Start-up is light: this module imports neither pandas nor the render stage. Each command is
one registration function below (its arguments, and ``handler="module:function"`` naming a
module of this package) plus that handler, imported only when the command runs. To add a
command, write ``_name(sub, common)`` and add it to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import os
from collections.abc import Callable
from typing import Any

from fivestar_analysis._version import __version__
from fivestar_analysis.cli._common import (
    EXIT_FAILURE,
    EXIT_INVALID,
    EXIT_OK,
    language,
    out,
    print_json,
    print_problems,
)
from fivestar_analysis.errors import FivestarError, OutputNotWritable, PackageInvalid

__all__ = ["COMMANDS", "EXIT_FAILURE", "EXIT_INVALID", "EXIT_OK", "build_parser", "main"]


def _handler(spec: str) -> Callable[[argparse.Namespace], int]:
    """``"reports:cmd_report"`` → the function, its module imported now."""
    module, name = spec.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def _validate(sub, common) -> None:
    v = sub.add_parser("validate", parents=[common], help="check a county data package / 校验县级数据包")
    v.add_argument("path", help="the package folder")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.set_defaults(handler="data:cmd_validate")


def _summary(sub, common) -> None:
    s = sub.add_parser("summary", parents=[common], help="star levels and per-star counts / 星级与各星数量")
    s.add_argument("path", help="the package folder")
    s.add_argument("--year", type=int, default=None, help="year (default: the report year)")
    s.add_argument("--basis", choices=["awarded", "planned"], default="awarded",
                   help="awarded results (default) or declared plans")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(handler="data:cmd_summary")


def _demo(sub, common) -> None:
    d = sub.add_parser("demo", parents=[common], help="write the demo county and summarise it / 生成示范县数据")
    d.add_argument("--out", default="data/demo", help="folder to write (default data/demo)")
    d.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    d.add_argument("--format", choices=["csv", "xlsx"], default="csv",
                   help="four CSV files (default) or one workbook")
    d.add_argument("--report-dir", default="reports",
                   help="where the demo report is written (default reports/)")
    d.add_argument("--no-report", action="store_true", help="only write and check the package")
    d.add_argument("--counties", type=int, default=0,
                   help="write N counties of varied size and strength into OUT/<code>/")
    d.set_defaults(handler="data:cmd_demo")


def _report(sub, common) -> None:
    r = sub.add_parser("report", parents=[common], help="render the research report / 生成调研报告")
    r.add_argument("path", help="the package folder")
    r.add_argument("--out", default="reports", help="output folder (default reports/)")
    r.add_argument("--language", choices=["zh", "en"], default=None,
                   help="report language (default: county.yaml, else zh)")
    r.add_argument("--year", type=int, default=None, help="report year (default: county.yaml)")
    r.add_argument("--format", default="html,ipynb",
                   help="comma-separated outputs: html, ipynb, xlsx, docx, pdf (default html,ipynb)")
    r.add_argument("--rules", default=None, help="your own recommendation rules (YAML)")
    r.add_argument("--timeout", type=float, default=None, help="per-cell time limit in seconds")
    r.add_argument("--skip-unchanged", action="store_true",
                   help="do nothing when inputs, parameters and tool version are unchanged")
    r.add_argument("--json", action="store_true", help="print the result as JSON")
    r.set_defaults(handler="reports:cmd_report")


def _batch(sub, common) -> None:
    b = sub.add_parser("batch", parents=[common], help="reports for many counties / 批量生成报告")
    b.add_argument("paths", nargs="+", help="county package folders")
    b.add_argument("--out", default="reports", help="output folder (default reports/)")
    b.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)),
                   help="counties rendered at once (default: number of cores)")
    b.add_argument("--timeout", type=float, default=None, help="time limit per county in seconds")
    b.add_argument("--force", action="store_true", help="render even when nothing changed")
    b.add_argument("--format", default="html,ipynb", help="outputs per county (html, ipynb, xlsx, docx, pdf)")
    b.add_argument("--language", choices=["zh", "en"], default=None, help="report language")
    b.add_argument("--rules", default=None, help="your own recommendation rules (YAML)")
    b.add_argument("--scheduler", default=None,
                   help="dask.distributed scheduler address (e.g. tcp://10.0.0.5:8786); "
                        "workers must see the same folders")
    b.set_defaults(handler="reports:cmd_batch")


def _compare(sub, common) -> None:
    c = sub.add_parser("compare", parents=[common], help="compare several counties / 多县比较报告")
    c.add_argument("paths", nargs="+", help="county package folders (at least two)")
    c.add_argument("--out", default="reports", help="output folder (default reports/)")
    c.add_argument("--language", choices=["zh", "en"], default=None,
                   help="report language (default: the first county's, else zh)")
    c.add_argument("--year", type=int, default=None, help="year compared (default: latest shared)")
    c.add_argument("--format", default="html,ipynb",
                   help="comma-separated outputs: html, ipynb, xlsx, docx, pdf (default html,ipynb)")
    c.add_argument("--timeout", type=float, default=None, help="per-cell time limit in seconds")
    c.add_argument("--skip-unchanged", action="store_true",
                   help="do nothing when inputs, parameters and tool version are unchanged")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.set_defaults(handler="reports:cmd_compare")


def _inspect(sub, common) -> None:
    i = sub.add_parser("inspect", parents=[common],
                       help="how each file, sheet, header and column is read / 查看文件识别情况")
    i.add_argument("path", help="a package folder or one file in it")
    i.add_argument("--json", action="store_true", help="machine-readable output")
    i.set_defaults(handler="data:cmd_inspect")


def _codebook(sub, common) -> None:
    cb = sub.add_parser("codebook", parents=[common],
                        help="draft a codebook from a survey export or .sav / 从问卷导出起草编码表")
    cb.add_argument("draft_from", metavar="DRAFT_FROM", help="survey export (.xlsx/.xls/.csv) or SPSS .sav")
    cb.add_argument("--out", required=True, help="codebook file to write (.xlsx or .csv)")
    cb.set_defaults(handler="data:cmd_codebook")


def _template(sub, common) -> None:
    t = sub.add_parser("template", parents=[common], help="blank Excel workbook for clerks / 空白填报模板")
    t.add_argument("--out", default="fivestar-template.xlsx", help="file to write")
    t.set_defaults(handler="data:cmd_template")


def _drivers(sub, common) -> None:
    dr = sub.add_parser("drivers", parents=[common],
                        help="what goes with stars and satisfaction / 影响因素")
    dr.add_argument("path", help="the package folder")
    dr.add_argument("--year", type=int, default=None, help="year of the models (default: report year)")
    dr.add_argument("--json", action="store_true", help="machine-readable output")
    dr.set_defaults(handler="data:cmd_drivers")


#: every sub-command, in the order ``fivestar --help`` lists them
COMMANDS: list[Callable[[Any, Any], None]] = [
    _validate, _summary, _demo, _report, _batch, _compare, _drivers, _inspect, _codebook,
    _template]


def build_parser() -> argparse.ArgumentParser:
    """The whole parser: the common options, then every command of :data:`COMMANDS`."""
    p = argparse.ArgumentParser(
        prog="fivestar",
        description="“五星”支部创建调研分析工具 / Five-Star Branch campaign research workbench",
    )
    p.add_argument("--version", action="version", version=f"fivestar-analysis {__version__}")
    p.add_argument("--lang", choices=["zh", "en"], default=None,
                   help="language of messages (default zh, or $FIVESTAR_LANG)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS,
                        help="language of messages (default zh)")
    sub = p.add_subparsers(dest="command", required=True)
    for register in COMMANDS:
        register(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # the report kernel's start-up and shutdown logging goes to a log file, not the terminal
    os.environ.setdefault("FIVESTAR_QUIET_KERNEL", "1")
    from fivestar_analysis.render.startup import skip_slow_optional_imports

    skip_slow_optional_imports()  # 3 s of papermill's import that no command needs
    lang = language(args)
    try:
        return int(_handler(args.handler)(args))
    except PackageInvalid as exc:
        if getattr(args, "json", False):
            print_json({"valid": False, "errors": [p.to_dict(lang) for p in exc.problems],
                        "warnings": [p.to_dict(lang) for p in exc.warnings]})
        else:
            print_problems(exc.problems, exc.warnings, lang)
        return EXIT_INVALID
    except OutputNotWritable as exc:
        out(("Error: " if lang == "en" else "错误：") + exc.localized(lang))
        return EXIT_FAILURE
    except FivestarError as exc:
        said = exc.localized(lang) if hasattr(exc, "localized") else str(exc)
        out(("Error: " if lang == "en" else "错误：") + said)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        out(("Error: " if lang == "en" else "错误：") + f"{exc.strerror or exc}: {exc.filename or ''}")
        return EXIT_FAILURE
