"""Which files of a package folder hold what: every table file of the folder (and of a
``台账/`` sub-folder) read, each sheet understood by :mod:`~fivestar_analysis.load.detect`,
the codebook first so that question texts help recognise the survey."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fivestar_analysis.load.collect import ProblemLog
from fivestar_analysis.load.county_yaml import read_yaml_codebook
from fivestar_analysis.load.detect import (
    DetectedTable,
    Vocabulary,
    detect_table,
)
from fivestar_analysis.load.files import (
    CODEBOOK_YAML_NAMES,
    SUBFOLDERS,  # noqa: F401  (re-exported)
    is_table_file,
    label,
    package_files,
    sha256,
)
from fivestar_analysis.load.reading import Grid, RawTable, TableUnreadable, read_grids
from fivestar_analysis.load.vocab import fold

__all__ = ["Discovery", "discover", "package_files"]

CSV_EXT = (".csv", ".txt", ".tsv")
_sha256, _label = sha256, label  # the names the loader imports


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
        sources.append((path.name, read_yaml_codebook(path, log)))
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
