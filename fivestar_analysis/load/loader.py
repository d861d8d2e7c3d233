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
from fivestar_analysis.load.reading import (
    RawTable,
    TableUnreadable,
    excel_sheet_names,
    read_csv_table,
    read_excel_sheet,
)
from fivestar_analysis.rubric import available_rubrics, load_rubric
from fivestar_analysis.load.survey_io import parse_codebook, parse_survey
from fivestar_analysis.load.vocab import fold

__all__ = ["load_county", "validate_package", "ValidationReport", "locate_tables"]

TABLE_NAMES = {
    "ledger": ("ledger", "台账"),
    "survey": ("survey", "问卷"),
    "codebook": ("codebook", "编码表"),
}
CSV_EXT = (".csv", ".txt", ".tsv")
XLSX_EXT = (".xlsx", ".xlsm")
YAML_KEYS = ("name", "code", "province", "city", "year", "language", "targets", "rubric")
LEVEL_TARGET_KEYS = {"five_star": 5, "four_star": 4, "three_star": 3, "two_star": 2,
                     "one_star": 1}


@dataclass(frozen=True)
class Source:
    """Where a table comes from: a CSV file, a workbook sheet, or a YAML codebook."""

    table: str
    path: Path
    sheet: str | int | None = None
    kind: str = "csv"  # csv | xlsx | yaml

    @property
    def label(self) -> str:
        return f"{self.path.name}[{self.sheet}]" if isinstance(self.sheet, str) else self.path.name


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locate_tables(folder: Path, log: ProblemLog) -> dict[str, Source]:
    """Find the ledger, survey and codebook among the folder's files."""
    found: dict[str, list[Source]] = {t: [] for t in TABLE_NAMES}
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    for path in files:
        stem, ext = fold(path.stem), path.suffix.lower()
        table = next((t for t, names in TABLE_NAMES.items() if stem in names), None)
        if ext in CSV_EXT and table:
            found[table].append(Source(table, path, None, "csv"))
        elif ext in (".yaml", ".yml") and table == "codebook":
            found[table].append(Source(table, path, None, "yaml"))
        elif ext in XLSX_EXT:
            try:
                sheets = excel_sheet_names(path)
            except TableUnreadable as exc:
                log.problems.append(exc.problem)
                continue
            named = {t: next((s for s in sheets if fold(s) in names), None)
                     for t, names in TABLE_NAMES.items()}
            if table and not named[table]:
                found[table].append(Source(table, path, 0, "xlsx"))  # ledger.xlsx: first sheet
            for t, sheet in named.items():
                if sheet is not None:
                    found[t].append(Source(t, path, sheet, "xlsx"))
    out: dict[str, Source] = {}
    for table, sources in found.items():
        if len(sources) > 1:
            log.add("ambiguous_file", sources[1].label, None, None, table=table,
                    files="、".join(s.label for s in sources))
        if sources:
            out[table] = sources[0]
    return out


def _read(source: Source, log: ProblemLog) -> RawTable | None:
    try:
        if source.kind == "csv":
            return read_csv_table(source.path)
        if source.kind == "xlsx":
            return read_excel_sheet(source.path, source.sheet, file=source.label)
        return _read_yaml_codebook(source.path, log)
    except TableUnreadable as exc:
        log.problems.append(exc.problem)
        return None


def _read_yaml_codebook(path: Path, log: ProblemLog) -> RawTable | None:
    """A codebook written as YAML: a list of items, or a mapping item -> fields."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        log.add("yaml_syntax", path.name, None if mark is None else mark.line + 1, None,
                reason=str(getattr(exc, "problem", exc)))
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
        node = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            lines[str(k.value)] = k.start_mark.line + 1
            if isinstance(v, yaml.MappingNode):
                for k2, _ in v.value:
                    lines[f"{k.value}.{k2.value}"] = k2.start_mark.line + 1
    return lines


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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        log.add("yaml_syntax", path.name, None if mark is None else mark.line + 1, None,
                reason=str(getattr(exc, "problem", "")))
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
    out["name"] = str(data.get("name", "")).strip()
    code = str(data.get("code", "")).strip()
    if code and not re.fullmatch(r"[a-z0-9_-]+", code):
        _bad(log, "code", lines.get("code"), code, "由小写字母、数字、-、_ 组成的代码",
             "a slug of a-z, 0-9, - and _", "例如 code: xixian（用于输出文件名）",
             "e.g. code: xixian (used in output file names)")
    out["code"] = code
    for key in ("province", "city"):
        out[key] = None if data.get(key) is None else str(data[key])
    year = data.get("year")
    if year is not None and not (isinstance(year, int) and 1949 <= year <= 2100):
        _bad(log, "year", lines.get("year"), year, "四位数年份", "a four-digit year",
             "例如 year: 2024；删除此行则用台账中最新的年度", "e.g. year: 2024; omit to use the ledger's latest")
        year = None
    out["year"] = year
    language = data.get("language", "zh")
    if language not in ("zh", "en"):
        _bad(log, "language", lines.get("language"), language, "zh 或 en", "zh or en",
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
    sources = locate_tables(folder, log)
    if "ledger" not in sources:
        log.add("ledger_missing", folder.name or str(folder))
    if "survey" in sources and "codebook" not in sources:
        log.add("survey_without_codebook", sources["survey"].label)
    if "codebook" in sources and "survey" not in sources:
        log.warn("codebook_without_survey", sources["codebook"].label)
    files = {}
    raws: dict[str, RawTable | None] = {}
    for table, source in sources.items():
        raws[table] = _read(source, log)
        files[source.label] = _sha256(source.path)
    if (folder / "county.yaml").exists():
        files["county.yaml"] = _sha256(folder / "county.yaml")

    ledger = parse_ledger(raws["ledger"], rubric, log) if raws.get("ledger") is not None else None
    year = None
    if ledger is not None:
        years = sorted(ledger.branches["year"].unique().tolist())
        year = meta.get("year") if meta else None
        if year is None:
            year = int(years[-1])
        elif year not in years:
            log.add("year_not_in_ledger", "county.yaml", None, "year", year,
                    years="、".join(map(str, years)))
        _check_income(ledger.branches, year, sources["ledger"].label, raws["ledger"], log)

    survey = codebook = None
    removed: list[str] = []
    if raws.get("codebook") is not None:
        codebook = parse_codebook(raws["codebook"], rubric, log)
    if raws.get("survey") is not None and codebook is not None and ledger is not None:
        result = parse_survey(raws["survey"], codebook, set(ledger.branches["branch_id"]), log)
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
                    warnings=log.warnings, removed_identifying_columns=removed,
                    extra_columns=ledger.extras)
    return county, log


def _check_income(branches: pd.DataFrame, year: int, file: str, raw: RawTable,
                  log: ProblemLog) -> None:
    """Collective income is required for rural rows of the report year."""
    miss = branches[(branches["year"] == year) & (branches["kind"] == "rural")
                    & branches["collective_income_wan"].isna()]
    if miss.empty:
        return
    from fivestar_analysis.load.vocab import match_header

    pos = next((i for i, h in enumerate(raw.headers)
                if match_header(h, "ledger") == "collective_income_wan"), None)
    header = raw.headers[pos] if pos is not None else "collective_income_wan"
    rows = _rows_of(raw, miss)
    for row in rows:
        log.add("income_missing", file, row, header, "", col_index=pos, year=year)


def _rows_of(raw: RawTable, branches: pd.DataFrame) -> list[int | None]:
    """Spreadsheet rows of some branch-years (first match), for messages after parsing."""
    from fivestar_analysis.load.vocab import match_header

    pos = {match_header(h, "ledger"): i for i, h in enumerate(raw.headers)}
    ids, years = raw.frame[pos["branch_id"]], raw.frame[pos["year"]].str.replace(r"\D", "", regex=True)
    rows = []
    for bid, year in zip(branches["branch_id"], branches["year"]):
        hit = raw.frame.index[(ids == bid) & (years == str(year))]
        rows.append(int(hit[0]) if len(hit) else None)
    return rows


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
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, language: str = "zh") -> dict[str, Any]:
        c = self.county
        return {
            "valid": self.valid,
            "errors": [p.to_dict(language) for p in self.errors],
            "warnings": [p.to_dict(language) for p in self.warnings],
            "branches": 0 if c is None else int(c.branches["branch_id"].nunique()),
            "years": [] if c is None else c.years,
            "respondents": 0 if c is None or c.survey is None else int(len(c.survey)),
        }


def validate_package(path: str | Path) -> ValidationReport:
    """Validate without raising: every error and warning, and the county when valid."""
    county, log = _load(path)
    return ValidationReport(valid=county is not None, errors=log.errors, warnings=log.warnings,
                            county=county)
