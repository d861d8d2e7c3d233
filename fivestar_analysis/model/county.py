"""The loaded county: one typed bundle that every analysis reads.

``load_county(path)`` builds it from a county data package; tests and the demo can build
one directly from canonical frames with :meth:`County.from_frames`.

Canonical tables (column names and dtypes are stable; analyses rely on them):

``branches``  one row per branch per year
    branch_id (str), branch_name (str), township (str), kind (category: rural/community),
    year (int64), collective_income_wan (float64, NaN if missing), population,
    households, party_members, secretary_age, secretary_rating (Int64),
    secretary_education (str), weak_lax (boolean), level (int64: stars awarded),
    level_planned (int64: stars declared, i.e. planned or awarded), then any extra
    indicator columns of the user's file under their own header.
``stars``     one row per branch, year and star of the branch's kind
    branch_id (str), year (int64), kind (category), star (str key, see the rubric),
    status (ordered category: none < planned < awarded).
``survey``    one row per respondent (None without a survey); identifying columns removed
    respondent_id (str), branch_id (str), group (category: resident/member/cadre),
    age (Int64), gender (str), education (str), weight (float64, optional), then one
    column per codebook item: float64 for satisfaction/importance/knowledge/choice items,
    str for multi (``"1;3"``) and text items (phone and ID numbers already masked).
``codebook``  one row per item (None without a survey)
    item, text, dimension, role (str), scale_min, scale_max (float64), reverse (bool),
    options (object: dict[int, str] of value labels, empty for non-choice items),
    missing (object: tuple of declared "don't know / no answer" codes, kept in the survey
    and counted as such by the scoring), source (str: the item's header in the export).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from fivestar_analysis.errors import DataProblem, InvalidArgument
from fivestar_analysis.model.rubric import Rubric, load_rubric
from fivestar_analysis.model.survey_design import SurveyDesign

__all__ = ["County", "CountyMeta", "Targets", "STATUS_LEVELS", "GROUPS", "KINDS"]

STATUS_LEVELS = ["none", "planned", "awarded"]
GROUPS = ["resident", "member", "cadre"]
KINDS = ["rural", "community"]

STATUS_DTYPE = pd.CategoricalDtype(STATUS_LEVELS, ordered=True)
GROUP_DTYPE = pd.CategoricalDtype(GROUPS)
KIND_DTYPE = pd.CategoricalDtype(KINDS)


@dataclass(frozen=True)
class Targets:
    """Targets from ``county.yaml``: a share of three-star-plus branches and level counts."""

    share_3plus: float | None = None
    #: level (1-5) -> target number of branches at exactly that level
    level_counts: dict[int, int] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return self.share_3plus is None and not self.level_counts


@dataclass(frozen=True)
class CountyMeta:
    name: str
    code: str
    year: int
    language: str = "zh"
    province: str | None = None
    city: str | None = None
    targets: Targets = field(default_factory=Targets)
    rubric_name: str = "henan-2022"
    source: Path | None = None
    #: file name -> sha256 of its bytes, for the report's fingerprint
    files: dict[str, str] = field(default_factory=dict)
    #: how the survey was sampled (``survey.design`` of county.yaml); None: PSU = branch
    survey_design: SurveyDesign | None = None


@dataclass
class County:
    """A validated county data package. Never mutate the frames in place: copy first."""

    meta: CountyMeta
    rubric: Rubric
    branches: pd.DataFrame
    stars: pd.DataFrame
    survey: pd.DataFrame | None = None
    codebook: pd.DataFrame | None = None
    warnings: list[DataProblem] = field(default_factory=list)
    #: info-level notes on how the files were read: rows skipped (小计/合计, blanks,
    #: footers …), townships taken from sheet or file names, declared missing codes counted
    notes: list[DataProblem] = field(default_factory=list)
    #: columns removed from the survey because they identify a person (names only)
    removed_identifying_columns: list[str] = field(default_factory=list)
    #: extra indicator columns of the ledger kept under their own header
    extra_columns: list[str] = field(default_factory=list)

    # -- convenience views ---------------------------------------------------------------
    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.branches["year"].unique())

    @property
    def year(self) -> int:
        return self.meta.year

    def branches_in(self, year: int | None = None) -> pd.DataFrame:
        """Branch rows of one year (the report year by default)."""
        year = self.meta.year if year is None else year
        return self.branches[self.branches["year"] == year]

    def star_matrix(self, year: int | None = None, basis: str = "awarded") -> pd.DataFrame:
        """Wide boolean table: index (branch_id, year), one column per star key.

        ``basis='awarded'`` marks awarded stars; ``'planned'`` marks declared ones (planned
        or awarded). Stars that are not of a branch's kind are False.
        """
        stars = self.stars if year is None else self.stars[self.stars["year"] == year]
        if basis == "awarded":
            flag = stars["status"] == "awarded"
        elif basis == "planned":
            flag = stars["status"].isin(["planned", "awarded"])
        else:
            raise InvalidArgument("basis must be 'awarded' or 'planned'")
        wide = (
            stars.assign(flag=flag.to_numpy())
            .pivot_table(index=["branch_id", "year"], columns="star", values="flag",
                         aggfunc="any", observed=True)
            .reindex(columns=self.rubric.all_star_keys())
        )
        return wide.astype("float64").fillna(0).astype(bool)

    @classmethod
    def from_frames(
        cls,
        branches: pd.DataFrame,
        stars: pd.DataFrame,
        *,
        name: str = "测试县",
        code: str = "test",
        year: int | None = None,
        rubric: Rubric | None = None,
        targets: Targets | None = None,
        survey: pd.DataFrame | None = None,
        codebook: pd.DataFrame | None = None,
        language: str = "zh",
    ) -> County:
        """Build a County from canonical frames (for tests and generated data).

        ``branches`` needs branch_id, branch_name, township, kind, year; ``stars`` needs
        branch_id, year, star, status. Missing optional columns are added empty, dtypes are
        set, ``kind`` is copied to the stars and ``level``/``level_planned`` are computed.
        """
        rubric = rubric or load_rubric()
        b = normalize_branches(branches)
        s = normalize_stars(stars, b)
        b = add_levels(b, s)
        meta = CountyMeta(
            name=name, code=code, year=int(year if year is not None else b["year"].max()),
            language=language, targets=targets or Targets(),
        )
        return cls(meta=meta, rubric=rubric, branches=b, stars=s, survey=survey,
                   codebook=codebook)

    def replace(self, **changes: Any) -> County:
        return dataclasses.replace(self, **changes)


BRANCH_COLUMNS: dict[str, str] = {
    "branch_id": "string",
    "branch_name": "string",
    "township": "string",
    "kind": "kind",
    "year": "int64",
    "collective_income_wan": "float64",
    "population": "Int64",
    "households": "Int64",
    "party_members": "Int64",
    "secretary_age": "Int64",
    "secretary_education": "string",
    "secretary_rating": "Int64",
    "weak_lax": "boolean",
}


def normalize_branches(branches: pd.DataFrame) -> pd.DataFrame:
    """Give a branch table the canonical columns and dtypes (extras kept at the end)."""
    b = branches.copy()
    for col, dtype in BRANCH_COLUMNS.items():
        if col not in b.columns:
            b[col] = pd.NA
        if dtype == "kind":
            b[col] = b[col].astype(KIND_DTYPE)
        elif dtype == "float64":
            b[col] = pd.to_numeric(b[col], errors="coerce").astype("float64")
        elif dtype == "string":
            b[col] = b[col].astype("string").astype(object).where(b[col].notna(), None)
        else:
            b[col] = b[col].astype(dtype)
    extras = [c for c in b.columns if c not in BRANCH_COLUMNS and c not in ("level", "level_planned")]
    b = b[list(BRANCH_COLUMNS) + extras]
    return b.sort_values(["year", "township", "branch_id"], kind="stable").reset_index(drop=True)


def normalize_stars(stars: pd.DataFrame, branches: pd.DataFrame) -> pd.DataFrame:
    """Canonical long star table: one row per branch-year-star of the branch's kind."""
    s = stars[["branch_id", "year", "star", "status"]].copy()
    s["branch_id"] = s["branch_id"].astype(str)
    s["year"] = s["year"].astype("int64")
    s["star"] = s["star"].astype(str)
    s["status"] = s["status"].astype(STATUS_DTYPE)
    kinds = branches[["branch_id", "year", "kind"]]
    s = s.merge(kinds, on=["branch_id", "year"], how="inner")
    s["kind"] = s["kind"].astype(KIND_DTYPE)
    s = s[["branch_id", "year", "kind", "star", "status"]]
    return s.sort_values(["year", "branch_id", "star"], kind="stable").reset_index(drop=True)


def add_levels(branches: pd.DataFrame, stars: pd.DataFrame) -> pd.DataFrame:
    """Add ``level`` (stars awarded) and ``level_planned`` (stars declared) to the branches."""
    s = stars.assign(
        awarded=(stars["status"] == "awarded").astype("int64"),
        declared=stars["status"].isin(["planned", "awarded"]).astype("int64"),
    )
    counts = s.groupby(["branch_id", "year"], observed=True)[["awarded", "declared"]].sum()
    b = branches.drop(columns=["level", "level_planned"], errors="ignore")
    b = b.merge(counts, left_on=["branch_id", "year"], right_index=True, how="left")
    b["level"] = b.pop("awarded").fillna(0).astype("int64")
    b["level_planned"] = b.pop("declared").fillna(0).astype("int64")
    return b
