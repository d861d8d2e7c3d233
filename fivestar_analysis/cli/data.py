"""Commands about a package's data: ``validate``, ``summary``, ``demo``, ``inspect``,
``codebook``, ``template``. Heavy modules are imported inside each handler."""

from __future__ import annotations

import argparse
from pathlib import Path

from fivestar_analysis.cli._common import (
    EXIT_INVALID,
    EXIT_OK,
    language,
    out,
    print_json,
    print_problems,
)
from fivestar_analysis.errors import FivestarError, message


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

    lang = language(args)
    report = validate_package(args.path)
    if args.json:
        print_json(report.to_json(lang))
        return EXIT_OK if report.valid else EXIT_INVALID
    if report.valid:
        for line in county_summary_lines(report.county, lang):
            out(line)
        print_problems([], report.warnings, lang)
        if report.notes:
            out(message("notes", lang, n=len(report.notes)))
            for p in report.notes:
                out(p.line(lang))
        return EXIT_OK
    print_problems(report.errors, report.warnings, lang)
    return EXIT_INVALID


def _load(path: str):
    from fivestar_analysis.load.loader import load_county

    return load_county(path)


def cmd_summary(args: argparse.Namespace) -> int:
    from fivestar_analysis.analysis.stars import format_summary, summary

    lang = language(args)
    county = _load(args.path)
    if args.year is not None and args.year not in county.years:
        raise FivestarError(
            f"year {args.year} is not in the ledger ({', '.join(map(str, county.years))})"
            if lang == "en" else
            f"台账中没有 {args.year} 年（已有年度：{'、'.join(map(str, county.years))}）")
    result = summary(county, year=args.year, basis=args.basis)
    if args.json:
        print_json(result)
    else:
        out(format_summary(result, language=lang))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from fivestar_analysis.tools.demo import write_demo_package

    lang = language(args)
    folder = Path(args.out)
    if args.counties:
        from fivestar_analysis.tools.province import write_demo_province

        folders = write_demo_province(folder, args.counties, seed=args.seed, fmt=args.format)
        out((f"{len(folders)} demo county packages written to " if lang == "en"
             else f"已写入 {len(folders)} 个示范县数据包：") + str(folder))
        for f in folders:
            out(f"  {f}")
        return EXIT_OK
    path = write_demo_package(folder, seed=args.seed, fmt=args.format)
    out(("Demo county package written to " if lang == "en" else "示范县数据包已写入 ") + str(path))
    county = _load(path)
    for line in county_summary_lines(county, lang):
        out(line)
    from fivestar_analysis.analysis.stars import format_summary, summary

    out("")
    out(format_summary(summary(county), language=lang))
    if args.no_report:
        return EXIT_OK
    from fivestar_analysis.render.report import render_report

    out("")
    out("Rendering the demo report …" if lang == "en" else "正在生成示范县调研报告……")
    result = render_report(path, args.report_dir, language=lang,
                           formats=("html", "ipynb", "xlsx", "docx"))
    for fmt, file in result.outputs.items():
        out(f"  {fmt}: {file}")
    out(f"Open {result.html} in a browser." if lang == "en"
         else f"用浏览器打开 {result.html} 即可阅读报告。")
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    from fivestar_analysis.load.inspect import format_inspection, inspect_package

    lang = language(args)
    if not Path(args.path).exists():
        raise FivestarError(f"path not found: {args.path}" if lang == "en"
                            else f"找不到：{args.path}")
    info = inspect_package(args.path)
    if args.json:
        print_json(info)
    else:
        for line in format_inspection(info, lang):
            out(line)
    return EXIT_OK


def cmd_codebook(args: argparse.Namespace) -> int:
    from fivestar_analysis.load.draft import draft_codebook, write_codebook
    from fivestar_analysis.load.reading import TableUnreadable

    lang = language(args)
    try:
        book = draft_codebook(args.draft_from)
    except TableUnreadable as exc:  # the file's problem, in the user's language
        out(exc.problem.line(lang))
        return EXIT_INVALID
    written = write_codebook(book, args.out)
    items = int((~book["role"].isin(["id", "group", "branch"])).sum())
    out(f"{written}: {items} questions drafted; check the roles, options and the guessed dimensions"
        if lang == "en" else f"{written}：已起草 {items} 道题；请核对题型、选项和猜测的维度（note 列）")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from fivestar_analysis.tools.template import write_template

    lang = language(args)
    path = write_template(Path(args.out))
    out(("Template written to " if lang == "en" else "空白模板已写入 ") + str(path))
    return EXIT_OK


def cmd_drivers(args: argparse.Namespace) -> int:
    """``fivestar drivers``: the branch models and the survey's key drivers."""
    from fivestar_analysis.present.drivers_text import run_drivers_command

    return run_drivers_command(_load(args.path), args.year, args.json, language(args), out,
                               print_json)
