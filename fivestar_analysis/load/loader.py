"""``load_county``: find, read and validate a county data package, in one pass.

The package is a folder (see ``docs/data-contract.md``)::

    county.yaml   ledger.csv|.xlsx   [survey.csv|.xlsx   codebook.csv|.xlsx|.yaml]

or ``county.yaml`` beside one workbook with sheets 台账/问卷/编码表 (ledger/survey/codebook).
Every problem in every file is collected before anything is refused; files are only read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fivestar_analysis.errors import DataProblem, PackageInvalid
from fivestar_analysis.load.collect import ProblemLog
from fivestar_analysis.load.county_yaml import read_county_yaml
from fivestar_analysis.load.discover import Discovery, _sha256, discover
from fivestar_analysis.load.ledger import parse_ledger
from fivestar_analysis.load.parts import note_layout, prepare_ledger_parts
from fivestar_analysis.load.reading import RawTable
from fivestar_analysis.load.survey_io import parse_codebook, parse_survey
from fivestar_analysis.model.county import County, CountyMeta
from fivestar_analysis.model.rubric import load_rubric

__all__ = ["load_county", "validate_package", "ValidationReport", "discover", "Discovery",
           "read_county_yaml"]

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
        note_layout(found.survey, log)
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
        survey_design=survey_options.get("design"),
    )
    county = County(meta=county_meta, rubric=rubric, branches=ledger.branches,
                    stars=ledger.stars, survey=survey, codebook=codebook,
                    warnings=log.warnings, notes=log.notes, removed_identifying_columns=removed,
                    extra_columns=ledger.extras)
    return county, log


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
    warnings travel with the returned :class:`~fivestar_analysis.model.county.County`.

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

