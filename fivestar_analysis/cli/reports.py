"""Commands that render: ``report``, ``batch``, ``compare``. The render stage is imported
inside each handler, so the rest of the command line starts without it."""

from __future__ import annotations

import argparse
from typing import Any

from fivestar_analysis.cli._common import (
    EXIT_FAILURE,
    EXIT_INVALID,
    EXIT_OK,
    formats,
    language,
    out,
    print_failed,
    print_json,
)
from fivestar_analysis.errors import message
from fivestar_analysis.present.escape import terminal_text


def cmd_report(args: argparse.Namespace) -> int:
    from fivestar_analysis.render.report import ReportFailed, render_report

    lang = language(args)
    fmts = formats(args.format)
    try:
        result = render_report(args.path, args.out, language=args.language, year=args.year,
                               formats=fmts, timeout=args.timeout, rules_path=args.rules,
                               force=not args.skip_unchanged)
    except ReportFailed as exc:
        print_failed(exc, lang)
        return EXIT_FAILURE
    if args.json:
        print_json({"outputs": {k: str(v) for k, v in result.outputs.items()},
                     "seconds": round(result.seconds, 3), "skipped": result.skipped,
                     "fingerprint": result.fingerprint, "headline": result.headline})
        return EXIT_OK
    for fmt, path in result.outputs.items():
        out((f"{fmt}: " if lang == "en" else f"{fmt}：") + str(path))
    out(f"Done in {result.seconds:.1f} s" if lang == "en" else f"完成，用时 {result.seconds:.1f} 秒")
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from fivestar_analysis.render.batch import outcome_table, run_batch

    lang = language(args)
    fmts = formats(args.format)
    result = run_batch(args.paths, args.out, jobs=args.jobs, timeout=args.timeout, force=args.force,
                       formats=fmts, language=args.language, rules=args.rules,
                       scheduler=args.scheduler)
    out(outcome_table(result, lang))
    n_bad = len(result.failed)
    index = result.index if result.index is not None else "—"
    if lang == "en":
        out(f"{len(result.outcomes) - n_bad} of {len(result.outcomes)} counties succeeded in "
             f"{result.seconds:.1f} s; index: {index}")
    else:
        out(f"{len(result.outcomes)} 个县中 {len(result.outcomes) - n_bad} 个成功，用时 "
             f"{result.seconds:.1f} 秒；索引页：{index}")
    if result.index_error:
        out(message("batch_index_failed", lang, reason=result.index_error))
    return EXIT_FAILURE if n_bad or result.index_error else EXIT_OK


def _print_leftout(failures: list[dict[str, Any]], lang: str) -> None:
    """One line per county package a comparison could not use, with its first problem."""
    for f in failures:
        reason = message(f"compare_reason_{f['reason']}", lang, n=f.get("n_problems", 1))
        first = (f.get("message") or "").strip().splitlines()[:1]
        detail = (" " + first[0]) if first else ""
        out(f"  left out {f['path']}: {reason}{detail}" if lang == "en"
              else f"  未纳入 {f['path']}：{reason}{detail}")


def cmd_compare(args: argparse.Namespace) -> int:
    from fivestar_analysis.render.comparison import TooFewCounties, render_comparison
    from fivestar_analysis.render.report import ReportFailed

    lang = language(args)
    fmts = formats(args.format)
    try:
        result = render_comparison(args.paths, args.out, language=args.language, year=args.year,
                                   formats=fmts, timeout=args.timeout,
                                   force=not args.skip_unchanged)
    except TooFewCounties as exc:
        out(message("compare_too_few", lang, n=exc.n_valid))
        _print_leftout(exc.failures, lang)
        return EXIT_INVALID
    except ReportFailed as exc:
        print_failed(exc, lang)
        return EXIT_FAILURE
    if args.json:
        print_json({"outputs": {k: str(v) for k, v in result.outputs.items()},
                     "year": result.year, "counties": result.counties,
                     "failures": [{"path": str(f["path"]), "reason": f["reason"],
                                   "n_problems": int(f["n_problems"]), "message": f["message"]}
                                  for f in result.failures],
                     "skipped": result.skipped, "seconds": round(result.seconds, 3)})
        return EXIT_FAILURE if result.failures else EXIT_OK
    names = ("、" if lang == "zh" else ", ").join(terminal_text(c["name"]) for c in result.counties)
    if lang == "en":
        out(f"Compared {len(result.counties)} counties ({names}), year {result.year}")
    else:
        out(f"已比较 {len(result.counties)} 个县（{names}），{result.year} 年")
    for fmt, path in result.outputs.items():
        out((f"{fmt}: " if lang == "en" else f"{fmt}：") + str(path))
    _print_leftout(result.failures, lang)
    return EXIT_FAILURE if result.failures else EXIT_OK
