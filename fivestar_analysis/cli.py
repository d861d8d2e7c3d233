"""The ``fivestar`` command.

Sub-commands: ``validate`` a package, ``summary`` of star levels, ``demo`` (write the demo
county and run the main job on it), ``report``, ``batch`` (many counties),
``compare`` (several counties side by side), ``template`` (a blank Excel workbook for clerks).
Problems in a user's data are printed one line each with exit status 2; no traceback
reaches the terminal for anything the user can fix.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from fivestar_analysis._version import __version__
from fivestar_analysis.errors import FivestarError, OutputNotWritable, PackageInvalid, message
from fivestar_analysis.present.escape import terminal_text

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2


def _language(args: argparse.Namespace) -> str:
    lang = getattr(args, "lang", None) or os.environ.get("FIVESTAR_LANG", "zh")
    return "en" if str(lang).lower().startswith("en") else "zh"


def _out(text: str = "") -> None:
    print(text, flush=True)


def _print_json(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2))


def _print_problems(errors, warnings, lang: str) -> None:
    if errors:
        _out(message("invalid", lang, n=len(errors)))
        for p in errors:
            _out(p.line(lang))
    if warnings:
        _out(message("warnings", lang, n=len(warnings)))
        for p in warnings:
            _out(p.line(lang))


def county_summary_lines(county, lang: str) -> list[str]:
    """The short description ``validate`` prints for a valid package."""
    b = county.branches_in()
    kinds = b["kind"].value_counts()
    lines = [
        message("valid", lang, county=county.meta.name, code=county.meta.code),
        message("years", lang, years="、".join(map(str, county.years)), year=county.year),
        message("branches", lang, year=county.year, total=len(b),
                rural=int(kinds.get("rural", 0)), community=int(kinds.get("community", 0)),
                townships=b["township"].nunique()),
        message("by_township", lang),
    ]
    per = b.groupby("township", observed=True)["kind"].value_counts().unstack(fill_value=0)
    for town, row in per.iterrows():
        parts = [f"{county.rubric.kind_label(k, lang)} {int(row[k])}" for k in per.columns
                 if row[k]]
        sep, colon = (", ", ": ") if lang == "en" else ("，", "：")
        lines.append(f"  {town}{colon}" + sep.join(parts))
    if county.survey is not None:
        g = county.survey["group"].value_counts()
        lines.append(message("respondents", lang, n=len(county.survey),
                             resident=int(g.get("resident", 0)), member=int(g.get("member", 0)),
                             cadre=int(g.get("cadre", 0))))
    else:
        lines.append(message("no_survey", lang))
    if county.removed_identifying_columns:
        lines.append(message("removed_columns", lang,
                             columns="、".join(county.removed_identifying_columns)))
    return lines


def cmd_validate(args: argparse.Namespace) -> int:
    from fivestar_analysis.load.loader import validate_package

    lang = _language(args)
    report = validate_package(args.path)
    if args.json:
        _print_json(report.to_json(lang))
        return EXIT_OK if report.valid else EXIT_INVALID
    if report.valid:
        for line in county_summary_lines(report.county, lang):
            _out(line)
        _print_problems([], report.warnings, lang)
        if report.notes:
            _out(message("notes", lang, n=len(report.notes)))
            for p in report.notes:
                _out(p.line(lang))
        return EXIT_OK
    _print_problems(report.errors, report.warnings, lang)
    return EXIT_INVALID


def _load(path: str):
    from fivestar_analysis.load.loader import load_county

    return load_county(path)


def cmd_summary(args: argparse.Namespace) -> int:
    from fivestar_analysis.analysis.stars import format_summary, summary

    lang = _language(args)
    county = _load(args.path)
    if args.year is not None and args.year not in county.years:
        raise FivestarError(
            f"year {args.year} is not in the ledger ({', '.join(map(str, county.years))})"
            if lang == "en" else
            f"台账中没有 {args.year} 年（已有年度：{'、'.join(map(str, county.years))}）")
    result = summary(county, year=args.year, basis=args.basis)
    if args.json:
        _print_json(result)
    else:
        _out(format_summary(result, language=lang))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from fivestar_analysis.tools.demo import write_demo_package

    lang = _language(args)
    out = Path(args.out)
    if args.counties:
        from fivestar_analysis.tools.province import write_demo_province

        folders = write_demo_province(out, args.counties, seed=args.seed, fmt=args.format)
        _out((f"{len(folders)} demo county packages written to " if lang == "en"
              else f"已写入 {len(folders)} 个示范县数据包：") + str(out))
        for f in folders:
            _out(f"  {f}")
        return EXIT_OK
    path = write_demo_package(out, seed=args.seed, fmt=args.format)
    _out(("Demo county package written to " if lang == "en" else "示范县数据包已写入 ") + str(path))
    county = _load(path)
    for line in county_summary_lines(county, lang):
        _out(line)
    from fivestar_analysis.analysis.stars import format_summary, summary

    _out("")
    _out(format_summary(summary(county), language=lang))
    if args.no_report:
        return EXIT_OK
    from fivestar_analysis.render.report import render_report

    _out("")
    _out("Rendering the demo report …" if lang == "en" else "正在生成示范县调研报告……")
    result = render_report(path, args.report_dir, language=lang, formats=("html", "ipynb", "xlsx"))
    for fmt, file in result.outputs.items():
        _out(f"  {fmt}: {file}")
    _out((f"Open {result.html} in a browser." if lang == "en"
          else f"用浏览器打开 {result.html} 即可阅读报告。"))
    return EXIT_OK


def _print_failed(exc, lang: str) -> None:
    """Say which cell of a report notebook failed and where the executed notebook is kept."""
    if lang == "en":
        _out(f"Report failed in cell {exc.cell_index}: {exc.ename}: {exc.evalue}")
        if exc.source:
            _out("Failing cell: " + exc.source.strip().splitlines()[0][:120])
        if exc.notebook:
            _out(f"The executed notebook is kept for inspection: {exc.notebook}")
    else:
        _out(f"报告生成失败：第 {exc.cell_index} 个单元格出错（{exc.ename}: {exc.evalue}）")
        if exc.source:
            _out("出错的单元格：" + exc.source.strip().splitlines()[0][:120])
        if exc.notebook:
            _out(f"已保留执行过的笔记本供排查：{exc.notebook}")


def cmd_report(args: argparse.Namespace) -> int:
    from fivestar_analysis.render.report import ReportFailed, render_report

    lang = _language(args)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    try:
        result = render_report(args.path, args.out, language=args.language, year=args.year,
                               formats=formats, timeout=args.timeout, rules_path=args.rules,
                               force=not args.skip_unchanged)
    except ReportFailed as exc:
        _print_failed(exc, lang)
        return EXIT_FAILURE
    if args.json:
        _print_json({"outputs": {k: str(v) for k, v in result.outputs.items()},
                     "seconds": round(result.seconds, 3), "skipped": result.skipped,
                     "fingerprint": result.fingerprint, "headline": result.headline})
        return EXIT_OK
    for fmt, path in result.outputs.items():
        _out((f"{fmt}: " if lang == "en" else f"{fmt}：") + str(path))
    _out((f"Done in {result.seconds:.1f} s" if lang == "en" else f"完成，用时 {result.seconds:.1f} 秒"))
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from fivestar_analysis.render.batch import outcome_table, run_batch

    lang = _language(args)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    result = run_batch(args.paths, args.out, jobs=args.jobs, timeout=args.timeout, force=args.force,
                       formats=formats, language=args.language, rules=args.rules,
                       scheduler=args.scheduler)
    _out(outcome_table(result, lang))
    n_bad = len(result.failed)
    index = result.index if result.index is not None else "—"
    if lang == "en":
        _out(f"{len(result.outcomes) - n_bad} of {len(result.outcomes)} counties succeeded in "
             f"{result.seconds:.1f} s; index: {index}")
    else:
        _out(f"{len(result.outcomes)} 个县中 {len(result.outcomes) - n_bad} 个成功，用时 "
             f"{result.seconds:.1f} 秒；索引页：{index}")
    if result.index_error:
        _out(message("batch_index_failed", lang, reason=result.index_error))
    return EXIT_FAILURE if n_bad or result.index_error else EXIT_OK


def _print_left_out(failures: list[dict[str, Any]], lang: str) -> None:
    """One line per county package a comparison could not use, with its first problem."""
    for f in failures:
        reason = message(f"compare_reason_{f['reason']}", lang, n=f.get("n_problems", 1))
        first = (f.get("message") or "").strip().splitlines()[:1]
        detail = (" " + first[0]) if first else ""
        _out((f"  left out {f['path']}: {reason}{detail}" if lang == "en"
              else f"  未纳入 {f['path']}：{reason}{detail}"))


def cmd_compare(args: argparse.Namespace) -> int:
    from fivestar_analysis.render.comparison import TooFewCounties, render_comparison
    from fivestar_analysis.render.report import ReportFailed

    lang = _language(args)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    try:
        result = render_comparison(args.paths, args.out, language=args.language, year=args.year,
                                   formats=formats, timeout=args.timeout,
                                   force=not args.skip_unchanged)
    except TooFewCounties as exc:
        _out(message("compare_too_few", lang, n=exc.n_valid))
        _print_left_out(exc.failures, lang)
        return EXIT_INVALID
    except ReportFailed as exc:
        _print_failed(exc, lang)
        return EXIT_FAILURE
    if args.json:
        _print_json({"outputs": {k: str(v) for k, v in result.outputs.items()},
                     "year": result.year, "counties": result.counties,
                     "failures": [{"path": str(f["path"]), "reason": f["reason"],
                                   "n_problems": int(f["n_problems"]), "message": f["message"]}
                                  for f in result.failures],
                     "skipped": result.skipped, "seconds": round(result.seconds, 3)})
        return EXIT_FAILURE if result.failures else EXIT_OK
    names = ("、" if lang == "zh" else ", ").join(terminal_text(c["name"]) for c in result.counties)
    if lang == "en":
        _out(f"Compared {len(result.counties)} counties ({names}), year {result.year}")
    else:
        _out(f"已比较 {len(result.counties)} 个县（{names}），{result.year} 年")
    for fmt, path in result.outputs.items():
        _out((f"{fmt}: " if lang == "en" else f"{fmt}：") + str(path))
    _print_left_out(result.failures, lang)
    return EXIT_FAILURE if result.failures else EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from fivestar_analysis.tools.template import write_template

    lang = _language(args)
    path = write_template(Path(args.out))
    _out(("Template written to " if lang == "en" else "空白模板已写入 ") + str(path))
    return EXIT_OK


def cmd_drivers(args: argparse.Namespace) -> int:
    from fivestar_analysis.present.drivers_text import run_drivers_command

    return run_drivers_command(_load(args.path), args.year, args.json, _language(args), _out,
                               _print_json)


def build_parser() -> argparse.ArgumentParser:
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

    v = sub.add_parser("validate", parents=[common], help="check a county data package / 校验县级数据包")
    v.add_argument("path", help="the package folder")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("summary", parents=[common], help="star levels and per-star counts / 星级与各星数量")
    s.add_argument("path", help="the package folder")
    s.add_argument("--year", type=int, default=None, help="year (default: the report year)")
    s.add_argument("--basis", choices=["awarded", "planned"], default="awarded",
                   help="awarded results (default) or declared plans")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(func=cmd_summary)

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
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("report", parents=[common], help="render the research report / 生成调研报告")
    r.add_argument("path", help="the package folder")
    r.add_argument("--out", default="reports", help="output folder (default reports/)")
    r.add_argument("--language", choices=["zh", "en"], default=None,
                   help="report language (default: county.yaml, else zh)")
    r.add_argument("--year", type=int, default=None, help="report year (default: county.yaml)")
    r.add_argument("--format", default="html,ipynb",
                   help="comma-separated outputs: html, ipynb, xlsx (default html,ipynb)")
    r.add_argument("--rules", default=None, help="your own recommendation rules (YAML)")
    r.add_argument("--timeout", type=float, default=None, help="per-cell time limit in seconds")
    r.add_argument("--skip-unchanged", action="store_true",
                   help="do nothing when inputs, parameters and tool version are unchanged")
    r.add_argument("--json", action="store_true", help="print the result as JSON")
    r.set_defaults(func=cmd_report)

    b = sub.add_parser("batch", parents=[common], help="reports for many counties / 批量生成报告")
    b.add_argument("paths", nargs="+", help="county package folders")
    b.add_argument("--out", default="reports", help="output folder (default reports/)")
    b.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)),
                   help="counties rendered at once (default: number of cores)")
    b.add_argument("--timeout", type=float, default=None, help="time limit per county in seconds")
    b.add_argument("--force", action="store_true", help="render even when nothing changed")
    b.add_argument("--format", default="html,ipynb", help="outputs per county (html,ipynb,xlsx)")
    b.add_argument("--language", choices=["zh", "en"], default=None, help="report language")
    b.add_argument("--rules", default=None, help="your own recommendation rules (YAML)")
    b.add_argument("--scheduler", default=None,
                   help="dask.distributed scheduler address (e.g. tcp://10.0.0.5:8786); "
                        "workers must see the same folders")
    b.set_defaults(func=cmd_batch)

    c = sub.add_parser("compare", parents=[common], help="compare several counties / 多县比较报告")
    c.add_argument("paths", nargs="+", help="county package folders (at least two)")
    c.add_argument("--out", default="reports", help="output folder (default reports/)")
    c.add_argument("--language", choices=["zh", "en"], default=None,
                   help="report language (default: the first county's, else zh)")
    c.add_argument("--year", type=int, default=None, help="year compared (default: latest shared)")
    c.add_argument("--format", default="html,ipynb",
                   help="comma-separated outputs: html, ipynb, xlsx (default html,ipynb)")
    c.add_argument("--timeout", type=float, default=None, help="per-cell time limit in seconds")
    c.add_argument("--skip-unchanged", action="store_true",
                   help="do nothing when inputs, parameters and tool version are unchanged")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.set_defaults(func=cmd_compare)

    i = sub.add_parser("inspect", parents=[common],
                       help="how each file, sheet, header and column is read / 查看文件识别情况")
    i.add_argument("path", help="a package folder or one file in it")
    i.add_argument("--json", action="store_true", help="machine-readable output")
    i.set_defaults(func=cmd_inspect)

    cb = sub.add_parser("codebook", parents=[common],
                        help="draft a codebook from a survey export or .sav / 从问卷导出起草编码表")
    cb.add_argument("draft_from", metavar="DRAFT_FROM", help="survey export (.xlsx/.xls/.csv) or SPSS .sav")
    cb.add_argument("--out", required=True, help="codebook file to write (.xlsx or .csv)")
    cb.set_defaults(func=cmd_codebook)

    dr = sub.add_parser("drivers", parents=[common], help="what goes with stars and satisfaction / 影响因素")
    dr.add_argument("path", help="the package folder")
    dr.add_argument("--year", type=int, default=None, help="year of the models (default: report year)")
    dr.add_argument("--json", action="store_true", help="machine-readable output")
    dr.set_defaults(func=cmd_drivers)

    t = sub.add_parser("template", parents=[common], help="blank Excel workbook for clerks / 空白填报模板")
    t.add_argument("--out", default="fivestar-template.xlsx", help="file to write")
    t.set_defaults(func=cmd_template)
    return p


def cmd_inspect(args: argparse.Namespace) -> int:
    from fivestar_analysis.load.inspect import format_inspection, inspect_package

    lang = _language(args)
    if not Path(args.path).exists():
        raise FivestarError(f"path not found: {args.path}" if lang == "en"
                            else f"找不到：{args.path}")
    info = inspect_package(args.path)
    if args.json:
        _print_json(info)
    else:
        for line in format_inspection(info, lang):
            _out(line)
    return EXIT_OK


def cmd_codebook(args: argparse.Namespace) -> int:
    from fivestar_analysis.load.draft import draft_codebook, write_codebook
    from fivestar_analysis.load.reading import TableUnreadable

    lang = _language(args)
    try:
        book = draft_codebook(args.draft_from)
    except TableUnreadable as exc:  # the file's problem, in the user's language
        _out(exc.problem.line(lang))
        return EXIT_INVALID
    out = write_codebook(book, args.out)
    items = int((~book["role"].isin(["id", "group", "branch"])).sum())
    _out(f"{out}: {items} questions drafted; check the roles, options and the guessed dimensions"
         if lang == "en" else f"{out}：已起草 {items} 道题；请核对题型、选项和猜测的维度（note 列）")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # the report kernel's start-up and shutdown logging goes to a log file, not the terminal
    os.environ.setdefault("FIVESTAR_QUIET_KERNEL", "1")
    lang = _language(args)
    try:
        return int(args.func(args))
    except PackageInvalid as exc:
        if getattr(args, "json", False):
            _print_json({"valid": False, "errors": [p.to_dict(lang) for p in exc.problems],
                         "warnings": [p.to_dict(lang) for p in exc.warnings]})
        else:
            _print_problems(exc.problems, exc.warnings, lang)
        return EXIT_INVALID
    except OutputNotWritable as exc:
        _out(("Error: " if lang == "en" else "错误：") + exc.localized(lang))
        return EXIT_FAILURE
    except FivestarError as exc:
        _out(("Error: " if lang == "en" else "错误：") + str(exc))
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        _out(("Error: " if lang == "en" else "错误：") + f"{exc.strerror or exc}: {exc.filename or ''}")
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
