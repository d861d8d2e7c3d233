"""``load_county``: find, read and validate a county data package, in one pass.

The package is a folder (see ``docs/data-contract.md``)::

    county.yaml   ledger.csv|.xlsx   [survey.csv|.xlsx   codebook.csv|.xlsx|.yaml]

or ``county.yaml`` beside one workbook with sheets 台账/问卷/编码表 (ledger/survey/codebook).
Every problem in every file is collected before anything is refused; files are only read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from fivestar_analysis.load.collect import ProblemLog
from fivestar_analysis.county import County, CountyMeta, Targets
from fivestar_analysis.errors import DataProblem, PackageInvalid
from fivestar_analysis.load.ledger import parse_ledger
from fivestar_analysis.load.detect import (
    DetectedTable,
    Vocabulary,
    detect_table,
    is_table_file,
    ragged_rows,
    skipped_note_rows,
    township_from_name,
    year_from_names,
)
from fivestar_analysis.load.reading import Grid, RawTable, TableUnreadable, read_grids
from fivestar_analysis.rubric import available_rubrics, load_rubric
from fivestar_analysis.load.survey_io import parse_codebook, parse_survey
from fivestar_analysis.load.vocab import fold

__all__ = ["load_county", "validate_package", "ValidationReport", "discover", "Discovery"]

CSV_EXT = (".csv", ".txt", ".tsv")
YAML_KEYS = ("name", "code", "province", "city", "year", "language", "targets", "rubric",
             "survey")
LEVEL_TARGET_KEYS = {"five_star": 5, "four_star": 4, "three_star": 3, "two_star": 2,
                     "one_star": 1}
#: sub-folders whose files are read too (a ledger split into one file per township)
SUBFOLDERS = ("台账", "ledger", "ledgers")
CODEBOOK_YAML_NAMES = ("codebook", "编码表")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Discovery:
    """What a package folder holds: every table understood, and the one(s) for each role."""

    tables: list[DetectedTable] = field(default_factory=list)
    ledger: list[DetectedTable] = field(default_factory=list)
    survey: DetectedTable | None = None
    codebook: RawTable | None = None
    codebook_label: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    #: files that could not be read at all (already reported)
    unreadable: list[str] = field(default_factory=list)


def package_files(folder: Path, log: ProblemLog | None = None) -> list[Path]:
    """Table files of the folder and of a 台账/ or ledger/ sub-folder, in a stable order.

    A file (or sub-folder) that is a link to somewhere outside the package folder is not
    read: it is an error naming the link.
    """
    root = folder.resolve()

    def inside(p: Path) -> bool:
        try:
            p.resolve().relative_to(root)
            return True
        except (ValueError, OSError):
            if log is not None:
                log.add("outside_package", _label(folder, p), target=str(p.resolve()))
            return False

    def listing(d: Path) -> list[Path]:
        return sorted(p for p in d.iterdir() if p.is_file()
                      and not p.name.startswith(("~$", ".")) and inside(p))
    files = listing(folder)
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if fold(sub.name) in SUBFOLDERS and inside(sub):
            files += listing(sub)
    return files


def _codebook_names(raw: RawTable) -> dict[str, str]:
    """Survey headers a codebook announces: item names, sources and question texts, and the
    respondent's own columns named by rows of role id/group/branch."""
    from fivestar_analysis.load.vocab import match_header, parse_role

    pos = {}
    for i, h in enumerate(raw.headers):
        c = match_header(h, "codebook")
        if c is not None and c not in pos:
            pos[c] = i
    if "item" not in pos:
        return {}
    names: dict[str, str] = {}
    pointer = {"id": "respondent_id", "group": "group", "branch": "branch_id"}
    for _, row in raw.frame.iterrows():
        item = row[pos["item"]]
        role = parse_role(row[pos["role"]]) if "role" in pos else None
        target = pointer.get(role or "", f"item:{item}")
        for key in ("source", "text", "item"):
            if key in pos and row[pos[key]]:
                names.setdefault(row[pos[key]], target)
    return names


def discover(folder: Path, rubric, log: ProblemLog) -> Discovery:
    """Read every table file of the package and decide what each sheet is, by its headers."""
    from fivestar_analysis.load.ledger import star_header_names

    found = Discovery()
    grids: list[Grid] = []
    yaml_codebooks: list[Path] = []
    for path in package_files(folder, log):
        ext = path.suffix.lower()
        if ext in (".yaml", ".yml") and fold(path.stem) in CODEBOOK_YAML_NAMES:
            yaml_codebooks.append(path)
            continue
        if not is_table_file(path):
            continue
        try:
            grids += read_grids(path)
        except TableUnreadable as exc:
            log.problems.append(exc.problem)
            found.unreadable.append(path.name)
            continue
        found.files[_label(folder, path)] = _sha256(path)
    stars = star_header_names(rubric)
    vocab = Vocabulary.build(stars)
    tables = [detect_table(g, vocab) for g in grids]
    codebooks = [t for t in tables if t.role == "codebook"]
    sources: list[tuple[str, RawTable | None]] = [(t.file, t.table) for t in codebooks]
    for path in yaml_codebooks:
        sources.append((path.name, _read_yaml_codebook(path, log)))
        found.files[path.name] = _sha256(path)
    if len(sources) > 1:
        log.add("ambiguous_file", sources[1][0], None, None, table="codebook",
                files="、".join(name for name, _ in sources))
    if sources:
        found.codebook_label, found.codebook = sources[0]
        if found.codebook is not None:
            vocab = Vocabulary.build(stars, _codebook_names(found.codebook))
            # tables not recognised may be surveys whose headers are the codebook's question
            # texts; a survey already found only needs its columns named again
            tables = [detect_table(t.grid, vocab) if t.role is None else t for t in tables]
            for t in tables:
                if t.role == "survey":
                    t.canonical = [vocab.match("survey", h) if h else None for h in t.headers]
    found.tables = tables
    surveys = [t for t in tables if t.role == "survey"]
    if len(surveys) > 1:
        log.add("ambiguous_file", surveys[1].file, None, None, table="survey",
                files="、".join(t.file for t in surveys))
    found.survey = surveys[0] if surveys else None
    found.ledger = [t for t in tables if t.role == "ledger"]
    for t in tables:
        if t.kept and t.kept != list(range(len(t.kept))):
            log.column_maps[t.file] = list(t.kept)
        if t.role is not None and t.table is not None:
            _cell_problems(t, log)
        if t.role is None and t.how != "empty" and not t.grid.hidden:
            log.note("table_not_recognised", t.file)
        elif t.role is not None and t.grid.hidden:
            log.note("hidden_sheet_read", t.file, role=t.role)
    return found


def _cell_problems(t: DetectedTable, log: ProblemLog) -> None:
    """Control characters removed from cells (a warning), and formula cells whose result
    was never saved (an error: they would read as blank) inside the table's data."""
    from fivestar_analysis.errors import column_letter

    data_rows = set(t.table.frame.index)
    controls = [(r, c) for r, c in t.grid.control_cells if r in data_rows or r in t.header_rows]
    if controls:
        r, c = controls[0]
        log.warn("control_characters", t.file, r, t.header_of(c) or column_letter(c),
                 col_index=t.kept.index(c) if c in t.kept else None, count=len(controls))
    for r, c in t.grid.formula_cells:
        if r in data_rows and t.header_of(c) is not None:
            log.add("formula_without_value", t.file, r, t.header_of(c),
                    col_index=t.kept.index(c))


def _label(folder: Path, path: Path) -> str:
    rel = path.relative_to(folder)
    return rel.as_posix()


#: the largest county.yaml / codebook.yaml read (a metadata file is a few hundred bytes)
MAX_YAML_BYTES = {"county": 256 * 1024, "codebook": 4 * 1024 * 1024}


def safe_yaml(text: str, file: str, log: ProblemLog, kind: str = "county") -> tuple[bool, Any]:
    """Parse YAML written by a user: no anchors or aliases (a few hundred bytes of nested
    aliases can expand without bound), no Python tags, a capped size. Problems are logged
    against ``file``; returns (ok, data)."""
    if len(text.encode("utf-8", "ignore")) > MAX_YAML_BYTES[kind]:
        log.add("yaml_too_large", file, None, None, limit=f"{MAX_YAML_BYTES[kind] // 1024} KB")
        return False, None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                log.add("yaml_alias", file, event.start_mark.line + 1, None)
                return False, None
        return True, yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        log.add("yaml_syntax", file, None if mark is None else mark.line + 1, None,
                reason=_plain(str(getattr(exc, "problem", "") or exc).splitlines()[0]))
        return False, None
    except RecursionError:
        log.add("yaml_syntax", file, None, None, reason="nested too deeply")
        return False, None


def _plain(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)[:200]



def _read_yaml_codebook(path: Path, log: ProblemLog) -> RawTable | None:
    """A codebook written as YAML: a list of items, or a mapping item -> fields."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        log.add("yaml_syntax", path.name, None, None, reason="not UTF-8 text")
        return None
    ok, data = safe_yaml(text, path.name, log, kind="codebook")
    if not ok:
        return None
    if isinstance(data, dict):
        data = [{"item": k, **(v or {})} for k, v in data.items()]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        log.add("yaml_not_mapping", path.name)
        return None
    frame = pd.DataFrame(data).fillna("")
    for c in frame.columns:
        if c == "options":
            frame[c] = frame[c].map(lambda o: ";".join(f"{k}={v}" for k, v in o.items())
                                    if isinstance(o, dict) else str(o))
        else:
            frame[c] = frame[c].map(lambda v: str(v).lower() if isinstance(v, bool) else str(v))
    frame.index = range(2, len(frame) + 2)
    headers = [str(c) for c in frame.columns]
    frame.columns = range(len(headers))
    return RawTable(file=path.name, headers=headers, frame=frame)


# -- county.yaml --------------------------------------------------------------------------

def _key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each top-level and targets key in county.yaml."""
    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            lines[str(k.value)] = k.start_mark.line + 1
            if isinstance(v, yaml.MappingNode):
                for k2, _ in v.value:
                    lines[f"{k.value}.{k2.value}"] = k2.start_mark.line + 1
    return lines


def _raw_scalars(text: str) -> dict[str, str]:
    """The text of each top-level scalar value as written (``code: yes`` -> ``yes``)."""
    out: dict[str, str] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(v, yaml.ScalarNode):
                out[str(k.value)] = str(v.value)
    return out


def _bad(log: ProblemLog, key: str, line: int | None, found: Any, what: str, what_en: str,
         fix_zh: str, fix_en: str) -> None:
    log.add("yaml_bad_value", "county.yaml", line, key, found, what=what, what_en=what_en,
            fix_zh=fix_zh, fix_en=fix_en)


def read_county_yaml(folder: Path, log: ProblemLog) -> dict[str, Any] | None:
    path = folder / "county.yaml"
    if not path.exists():
        alt = folder / "county.yml"
        path = alt if alt.exists() else path
    if not path.exists():
        log.add("county_yaml_missing", "county.yaml")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    ok, data = safe_yaml(text, path.name, log)
    if not ok:
        return None
    if not isinstance(data, dict):
        log.add("yaml_not_mapping", path.name, 1)
        return None
    lines = _key_lines(text)
    out: dict[str, Any] = {}
    for key in data:
        if key not in YAML_KEYS:
            log.warn("yaml_unknown_key", path.name, lines.get(str(key)), str(key),
                     known=", ".join(YAML_KEYS))
    for key in ("name", "code"):
        if data.get(key) in (None, ""):
            log.add("yaml_missing_key", path.name, None, key, key=key)
    raw = _raw_scalars(text)

    def as_text(key: str) -> str:
        value = data.get(key, "")
        # a bare yes/no/123 is read by YAML as a boolean or number: keep what was written
        return (value if isinstance(value, str) else raw.get(key, str(value))).strip()

    out["name"] = as_text("name")
    code = as_text("code")
    if code and not re.fullmatch(r"[a-z0-9_-]+", code):
        _bad(log, "code", lines.get("code"), code, "由小写字母、数字、-、_ 组成的代码",
             "a slug of a-z, 0-9, - and _", "例如 code: xixian（用于输出文件名）",
             "e.g. code: xixian (used in output file names)")
    out["code"] = code
    for key in ("province", "city"):
        out[key] = None if data.get(key) is None else str(data[key])
    year = data.get("year")
    if isinstance(year, str) and re.fullmatch(r"\s*\d{4}\s*(年度?)?", year):
        year = int(re.sub(r"\D", "", year))  # year: '2024' or 2024年
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)
                                 and 1949 <= year <= 2100):
        _bad(log, "year", lines.get("year"), raw.get("year", year), "四位数年份", "a four-digit year",
             "例如 year: 2024；删除此行则用台账中最新的年度", "e.g. year: 2024; omit to use the ledger's latest")
        year = None
    out["year"] = year
    language = data.get("language", "zh")
    if language not in ("zh", "en"):
        _bad(log, "language", lines.get("language"), raw.get("language", language), "zh 或 en", "zh or en",
             "改为 language: zh", "write language: zh or language: en")
        language = "zh"
    out["language"] = language
    out["targets"] = _targets(data.get("targets"), lines, log)
    rubric_spec = data.get("rubric")
    if isinstance(rubric_spec, str) and rubric_spec not in available_rubrics():
        log.add("rubric_unknown", path.name, lines.get("rubric"), "rubric", rubric_spec,
                known=", ".join(available_rubrics()))
        rubric_spec = None
    out["rubric"] = rubric_spec
    out["survey"] = _survey_options(data.get("survey"), lines, log)
    return out


def _survey_options(spec: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, Any]:
    """``survey:`` in county.yaml: ``missing`` codes for every item, ``min_seconds``."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        _bad(log, "survey", lines.get("survey"), spec, "问卷设置的键值", "a mapping of survey settings",
             "例如 survey: {missing: [9]}", "e.g. survey: {missing: [9]}")
        return {}
    out: dict[str, Any] = {}
    for key, value in spec.items():
        line = lines.get(f"survey.{key}")
        if key == "missing":
            codes = value if isinstance(value, list) else [value]
            if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in codes) or (
                    isinstance(value, str) and all(p.strip().lstrip("-").isdigit()
                                                   for p in re.split(r"[;,，；、\s]+", value) if p)):
                out["missing"] = value
            else:
                _bad(log, "survey.missing", line, value, "表示“不知道/未回答”的数字代码",
                     "numeric codes meaning don't know / no answer", "例如 missing: [8, 9]",
                     "e.g. missing: [8, 9]")
        elif key == "min_seconds":
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                out["min_seconds"] = float(value)
            else:
                _bad(log, "survey.min_seconds", line, value, "不小于0的秒数", "a number of seconds",
                     "例如 min_seconds: 60", "e.g. min_seconds: 60")
        else:
            log.warn("yaml_unknown_key", "county.yaml", line, f"survey.{key}",
                     known="missing, min_seconds")
    return out


def _targets(spec: Any, lines: dict[str, int], log: ProblemLog) -> Targets:
    if spec is None:
        return Targets()
    if not isinstance(spec, dict):
        _bad(log, "targets", lines.get("targets"), spec, "目标的键值设置", "a mapping of targets",
             "按 share_3plus: 0.6 的格式逐行写目标", "write one target per line, e.g. share_3plus: 0.6")
        return Targets()
    share = None
    counts: dict[int, int] = {}
    for key, value in spec.items():
        line = lines.get(f"targets.{key}")
        if key == "share_3plus":
            v = value
            if isinstance(v, str) and v.strip().endswith("%"):
                try:
                    v = float(v.strip()[:-1]) / 100
                except ValueError:
                    v = None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                _bad(log, "targets.share_3plus", line, value, "0 到 1 之间的比例（或百分数）",
                     "a share between 0 and 1 (or a percentage)", "例如 share_3plus: 0.6 或 60%",
                     "e.g. share_3plus: 0.6 or 60%")
            else:
                share = float(v)
        elif key in LEVEL_TARGET_KEYS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                _bad(log, f"targets.{key}", line, value, "不小于0的整数（支部个数）",
                     "a whole number of branches", f"例如 {key}: 5", f"e.g. {key}: 5")
            else:
                counts[LEVEL_TARGET_KEYS[key]] = int(value)
        else:
            log.warn("yaml_unknown_key", "county.yaml", line, f"targets.{key}",
                     known="share_3plus, " + ", ".join(LEVEL_TARGET_KEYS))
    return Targets(share_3plus=share, level_counts=counts)


# -- the whole package --------------------------------------------------------------------

def _load(path: str | Path) -> tuple[County | None, ProblemLog]:
    log = ProblemLog()
    folder = Path(path).expanduser()
    if not folder.is_dir():
        log.add("folder_missing", str(folder))
        log.finish()
        return None, log
    meta = read_county_yaml(folder, log)
    try:
        rubric = load_rubric(meta.get("rubric") if meta else None)
    except (ValidationError, ValueError) as exc:
        log.add("rubric_invalid", "county.yaml", None, "rubric", reason=str(exc).splitlines()[0])
        rubric = load_rubric()
    found = discover(folder, rubric, log)
    files = dict(found.files)
    if not found.ledger and not found.unreadable:  # an unreadable file was the ledger, maybe
        log.add("ledger_missing", folder.name or str(folder))
    if found.survey is not None and found.codebook is None and found.codebook_label is None:
        log.add("survey_without_codebook", found.survey.file)
    if found.codebook_label is not None and found.survey is None:
        log.warn("codebook_without_survey", found.codebook_label)
    for name in ("county.yaml", "county.yml"):  # whichever was read is fingerprinted
        if (folder / name).exists():
            files[name] = _sha256(folder / name)
            break

    parts = prepare_ledger_parts(found.ledger, log)
    ledger = parse_ledger(parts, rubric, log) if parts else None
    year = None
    if ledger is not None and ledger.branches.empty:
        for part in parts:
            log.add("ledger_empty", part.file, None, None)
        ledger = None
    if ledger is not None:
        years = sorted(ledger.branches["year"].unique().tolist())
        year = meta.get("year") if meta else None
        if year is None:
            year = int(years[-1])
        elif year not in years:
            log.add("year_not_in_ledger", "county.yaml", None, "year", year,
                    years="、".join(map(str, years)))
        _check_income(ledger, year, parts, log)

    survey = codebook = None
    removed: list[str] = []
    survey_options = (meta or {}).get("survey") or {}
    if found.codebook is not None:
        sav = found.survey.table if found.survey is not None else None
        codebook = parse_codebook(found.codebook, rubric, log,
                                  default_missing=survey_options.get("missing", ()),
                                  labels_from=sav)
    if found.survey is not None:
        _note_layout(found.survey, log)
    if (found.survey is not None and found.survey.table is not None and codebook is not None
            and ledger is not None):
        result = parse_survey(found.survey.table, codebook, set(ledger.branches["branch_id"]),
                              log, min_seconds=survey_options.get("min_seconds"))
        if result is not None:
            survey, removed = result.survey, result.removed
    log.finish()
    if log.errors or ledger is None or meta is None:
        return None, log
    county_meta = CountyMeta(
        name=meta["name"], code=meta["code"], year=int(year), language=meta["language"],
        province=meta["province"], city=meta["city"], targets=meta["targets"],
        rubric_name=rubric.name, source=folder.resolve(), files=files,
    )
    county = County(meta=county_meta, rubric=rubric, branches=ledger.branches,
                    stars=ledger.stars, survey=survey, codebook=codebook,
                    warnings=log.warnings, notes=log.notes, removed_identifying_columns=removed,
                    extra_columns=ledger.extras)
    return county, log


def _note_layout(t: DetectedTable, log: ProblemLog) -> None:
    """Info notes on how a table was read: header rows, rows skipped, columns dropped."""
    if t.header_rows and t.header_rows != (1,):
        rows = "–".join(str(r) for r in (t.header_rows[0], t.header_rows[-1])) if len(
            t.header_rows) > 1 else str(t.header_rows[0])
        log.note("header_rows", t.file, t.header_rows[0], rows=rows)
    for reason, rows in t.skipped.items():
        if reason == "title" and t.header_rows != (1,):
            continue  # the header note says the lines above it were skipped
        log.note(f"skipped_{reason}", t.file, rows[0], rows=skipped_note_rows(rows),
                 count=len(rows))
    for header in t.dropped_columns:
        log.note("index_column_dropped", t.file, t.header_rows[-1] if t.header_rows else 1,
                 header, header)


def prepare_ledger_parts(tables: list[DetectedTable], log: ProblemLog) -> list[RawTable]:
    """The ledger's tables ready to parse: a township or year missing from a part's columns
    is taken from its sheet or file name (or, for the year, its title line), and said so."""
    parts = []
    split = len(tables) > 1
    for t in tables:
        if t.table is None:
            continue
        _note_layout(t, log)
        raw = t.table
        width = _header_width(t)
        bad = ragged_rows(t.grid, t.header_rows, width)
        if bad:
            from fivestar_analysis.errors import column_letter

            log.add("ragged_row", t.file, bad[0], column_letter(width), col_index=width,
                    width=width, rows="、".join(map(str, bad[:10])) + (" …" if len(bad) > 10
                                                                      else ""))
        canonical = set(t.canonical)
        named = t.grid.sheet is not None and not t.grid.default_name or fold(
            t.grid.path.stem) not in ("ledger", "台账")
        if "township" not in canonical and (split or named):
            town = township_from_name(t.grid)
            raw = _with_column(raw, "乡镇（取自表名）", town)
            log.note("township_from_name", t.file, None, None, township=town)
        if "year" not in canonical:
            year = year_from_names(t.grid, t.skipped.get("title", []))
            if year is not None:
                raw = _with_column(raw, "年度（取自表名）", str(year))
                log.note("year_from_name", t.file, None, None, year=year)
        parts.append(raw)
    return parts


def _header_width(t: DetectedTable) -> int:
    """How many cells the header row of a CSV has (the table's width as written)."""
    widths = t.grid.row_widths
    if widths is None:
        return len(t.grid.cells.columns)
    return max(widths[r - 1] for r in t.header_rows)


def _with_column(raw: RawTable, header: str, value: str) -> RawTable:
    frame = raw.frame.copy()
    frame[len(raw.headers)] = value
    return RawTable(file=raw.file, headers=[*raw.headers, header], frame=frame,
                    encoding=raw.encoding)


def _check_income(ledger, year: int, parts: list[RawTable], log: ProblemLog) -> None:
    """Collective income is required for rural rows of the report year."""
    from fivestar_analysis.load.vocab import match_header

    branches = ledger.branches
    miss = (branches["year"] == year) & (branches["kind"] == "rural") & branches[
        "collective_income_wan"].isna()
    if not miss.any():
        return
    origin = ledger.origin.set_index(["branch_id", "year"])
    raws = {raw.file: raw for raw in parts}
    for bid, yr in zip(branches.loc[miss, "branch_id"], branches.loc[miss, "year"]):
        file, row = origin.loc[(bid, yr), ["_file", "_row"]]
        raw = raws[file]
        pos = next((i for i, h in enumerate(raw.headers)
                    if match_header(h, "ledger") == "collective_income_wan"), None)
        header = raw.headers[pos] if pos is not None else "collective_income_wan"
        log.add("income_missing", file, int(row), header, "", col_index=pos, year=year)


def load_county(path: str | Path) -> County:
    """Load and validate a county data package.

    Raises :class:`~fivestar_analysis.errors.PackageInvalid` listing every error found;
    warnings travel with the returned :class:`~fivestar_analysis.county.County`.

    >>> county = load_county("data/demo")            # doctest: +SKIP
    >>> county.branches_in().groupby("kind").size()  # doctest: +SKIP
    """
    county, log = _load(path)
    if county is None:
        raise PackageInvalid(log.errors, log.warnings)
    return county


@dataclass
class ValidationReport:
    """What ``fivestar validate`` prints: validity, problems, and a short summary."""

    valid: bool
    errors: list[DataProblem]
    warnings: list[DataProblem]
    county: County | None = None
    #: info-level notes: how files were read, rows skipped
    notes: list[DataProblem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, language: str = "zh") -> dict[str, Any]:
        c = self.county
        return {
            "valid": self.valid,
            "errors": [p.to_dict(language) for p in self.errors],
            "warnings": [p.to_dict(language) for p in self.warnings],
            "notes": [p.to_dict(language) for p in self.notes],
            "branches": 0 if c is None else int(c.branches["branch_id"].nunique()),
            "years": [] if c is None else c.years,
            "respondents": 0 if c is None or c.survey is None else int(len(c.survey)),
        }


def validate_package(path: str | Path) -> ValidationReport:
    """Validate without raising: every error and warning, and the county when valid."""
    county, log = _load(path)
    return ValidationReport(valid=county is not None, errors=log.errors, warnings=log.warnings,
                            county=county, notes=log.notes)
