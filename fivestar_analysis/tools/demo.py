"""The seeded demo county: one source of realistic, entirely fictional data.

``generate_demo(seed)`` builds a county data package in memory: the ledger (台账) in the
wide form a county clerk keeps, a questionnaire survey with its codebook, and the
``county.yaml`` metadata. ``write_demo_package(out_dir)`` writes it to a folder.

The figures come from a small latent model whose parameters live in
``resources/demo/calibration.yaml``. Every branch has a capacity that rises over the years;
a star is declared when the branch's score for it is above a threshold set from the first
year's published plan shares, and awarded when it also passes the year-end evaluation;
stars once held are kept unless taken away. 支部过硬星 only crowns a branch holding the
other four. Places and people are random combinations of invented syllables
(``resources/demo/names.yaml``); the questionnaire is ``resources/demo/survey.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fivestar_analysis.errors import FivestarError, InvalidArgument
from fivestar_analysis.model.rubric import Rubric, load_rubric
from fivestar_analysis.tools.demo_survey import demo_resource as _resource
from fivestar_analysis.tools.demo_survey import simulate_survey
from fivestar_analysis.tools.template import (
    STATUS_AWARDED,
    STATUS_PLANNED,
    ledger_headers,
    star_headers,
    write_atomically,
)

__all__ = ["DemoPackage", "DemoFolderTaken", "generate_demo", "write_demo_package"]

_KIND_ZH = {"rural": "农村", "community": "社区"}
_AWARDED_WORDS = [STATUS_AWARDED, "评定", "✓"]  # what clerks write for an awarded star
_PLANNED_WORDS = [STATUS_PLANNED, "申报", "争创"]


class DemoFolderTaken(FivestarError, FileExistsError):
    """The output folder holds data files the demo would not replace (two sources per table)."""


@dataclass(frozen=True)
class DemoPackage:
    """A generated county package, exactly as :func:`write_demo_package` writes it.

    Attributes
    ----------
    county_yaml
        The content of ``county.yaml``.
    ledger
        The wide ledger with Chinese headers, one row per branch per year.
    survey
        One row per respondent of the report year; item columns named by item code.
    codebook
        One row per item column of the survey.
    """

    county_yaml: dict[str, Any]
    ledger: pd.DataFrame
    survey: pd.DataFrame
    codebook: pd.DataFrame


# -- places ------------------------------------------------------------------------------
def _pick_names(rng: np.random.Generator, first: list[str], second: list[str], n: int,
                what: str, middle: str = "") -> list[str]:
    """``n`` distinct combinations first + middle + second, never a place of the sources."""
    avoid = set(_resource("names")["avoid"])
    pool = [a + middle + b for a in first for b in second if a + middle + b not in avoid]
    if n > len(pool):
        raise InvalidArgument(f"cannot invent {n} distinct {what} names (at most {len(pool)})")
    return [pool[i] for i in rng.choice(len(pool), size=n, replace=False)]


def _places(rng: np.random.Generator, n_townships: int, n_villages: int,
            n_communities: int) -> pd.DataFrame:
    """One row per branch: township index and name, kind, name; ordered by township."""
    nm = _resource("names")
    n_sub = 0 if n_communities == 0 else max(1, round(n_townships * 0.15))
    n_rural = n_townships - n_sub
    if n_rural < 1 and n_villages > 0:
        raise InvalidArgument("n_townships is too small to hold both villages and communities")
    stems = _pick_names(rng, nm["township_first"], nm["township_second"], n_townships, "township")
    suffix = np.where(rng.random(n_rural) < 0.7, "镇", "乡").tolist() + ["街道"] * n_sub
    # Villages mostly in 镇/乡, a few in 街道; communities only in 街道. Uneven sizes.
    weight = rng.gamma(8.0, size=n_townships) * np.r_[np.ones(n_rural), np.full(n_sub, 0.25)]
    v_town = np.sort(rng.choice(n_townships, size=n_villages, p=weight / weight.sum()))
    c_town = np.sort(rng.choice(np.arange(n_rural, n_townships), size=n_communities))
    n_family = n_villages // 4  # a quarter are named after a family: 范家岗村
    villages = _pick_names(rng, nm["village_first"], nm["village_second"],
                           n_villages - n_family, "village")
    villages += _pick_names(rng, nm["village_family"], nm["village_second"], n_family,
                            "village", middle="家")
    communities = _pick_names(rng, nm["community_first"], nm["community_second"], n_communities,
                              "community")
    places = pd.DataFrame({
        "town": np.r_[v_town, c_town].astype(int),
        "kind": ["rural"] * n_villages + ["community"] * n_communities,
        "name": [v + "村" for v in rng.permutation(villages)] + [c + "社区" for c in communities],
    }).sort_values(["town", "kind"], ascending=[True, False], kind="stable")
    places["township"] = [stems[t] + suffix[t] for t in places["town"]]
    return places.reset_index(drop=True)


# -- stars -------------------------------------------------------------------------------
def _simulate_stars(rng: np.random.Generator, cap: np.ndarray, weak: np.ndarray,
                    keys: list[str], capstone: str | None, kind: str,
                    cal: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Declared and awarded flags of shape (branches, years, stars).

    ``keys`` are the stars of ``kind`` with the capstone (if any) last.
    """
    n, n_years = cap.shape
    o = len(keys) - (capstone is not None)  # stars below the capstone
    sd = float(np.sqrt(sum(cal[k] ** 2 for k in
                           ("township_sd", "branch_sd", "star_sd", "year_noise_sd"))))
    share = cal["first_year_declared"][kind]
    offset = np.array([NormalDist().inv_cdf(share[k]) * sd for k in keys[:o]])
    cs = cal["capstone"]
    threshold = np.full(len(keys), float(cal["award_margin"]))
    threshold[o:] = cs["award_z"] * sd
    propensity = rng.normal(0, cal["star_sd"], size=(n, len(keys)))
    declared = np.zeros((n, n_years, len(keys)), dtype=bool)
    awarded = np.zeros_like(declared)
    for t in range(n_years):
        score = cap[:, t, None] + propensity + rng.normal(0, cal["year_noise_sd"], propensity.shape)
        score[:, :o] += offset
        evaluation = score + rng.normal(0, cal["eval_noise_sd"], score.shape) \
            - cal["weak_lax_eval_penalty"] * weak[:, t, None]
        passed = evaluation > threshold
        dec = np.zeros((n, len(keys)), dtype=bool)
        dec[:, :o] = score[:, :o] > 0
        if t > 0:
            # A held star is declared again and kept unless taken away (摘星); a star just
            # taken away cannot be won back in the same year.
            prev = awarded[:, t - 1]
            loss = cal["loss_rate"] * np.where(weak[:, t], cal["weak_lax_loss_factor"], 1.0)
            passed = np.where(prev, rng.random(prev.shape) >= loss[:, None], passed)
            dec |= prev
        awd = dec & passed
        if o < len(keys):  # declared with all four others; crowns only a full set
            dec[:, o] |= dec[:, :o].all(axis=1) & (score[:, o] > cs["declare_z"] * sd)
            awd[:, o] = dec[:, o] & passed[:, o] & awd[:, :o].all(axis=1) & ~weak[:, t]
        declared[:, t], awarded[:, t] = dec, awd
    return declared, awarded


def _status_text(rng: np.random.Generator, declared: np.ndarray, awarded: np.ndarray) -> np.ndarray:
    """Status words; a few rows (one clerk's habit) use 评定/✓ or 申报/争创."""
    a_word = rng.choice(_AWARDED_WORDS, size=declared.shape[0], p=[0.93, 0.035, 0.035])
    p_word = rng.choice(_PLANNED_WORDS, size=declared.shape[0], p=[0.85, 0.1, 0.05])
    out = np.where(awarded, a_word[:, None], np.where(declared, p_word[:, None], ""))
    return out.astype(object)


# -- ledger ------------------------------------------------------------------------------
def _ledger(rng: np.random.Generator, places: pd.DataFrame, years: list[int], strength: float,
            rubric: Rubric, id_prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide ledger, and per branch the report year's latent values for the survey."""
    cal, nm = _resource("calibration"), _resource("names")
    n, n_years, k = len(places), len(years), np.arange(len(years))
    town = rng.normal(0, cal["township_sd"], places["town"].max() + 1)[places["town"].to_numpy()]
    base = strength + town + rng.normal(0, cal["branch_sd"], n)
    cap = base[:, None] + rng.normal(cal["growth"], cal["growth_sd"], (n, 1)) * k
    wl = cal["weak_lax"]
    p_weak = 1 / (1 + np.exp(-(wl["intercept"] + wl["slope"] * cap)))
    weak = rng.random((n, 1)) < p_weak  # one draw per branch: the status is sticky

    headers = ledger_headers(rubric)
    cells = np.full((n, n_years, len(headers)), "", dtype=object)
    level = np.zeros((n, n_years), dtype=int)
    industry = np.zeros((n, n_years), dtype=bool)
    for kind in ("rural", "community"):
        rows = np.flatnonzero(places["kind"].to_numpy() == kind)
        keys = [s for s in rubric.star_keys(kind) if s != rubric.capstone]
        keys += [rubric.capstone] if rubric.capstone else []
        dec, awd = _simulate_stars(rng, cap[rows], weak[rows], keys, rubric.capstone, kind, cal)
        level[rows] = awd.sum(axis=2)
        if "industry" in keys:
            industry[rows] = awd[:, :, keys.index("industry")]
        cols = [headers.index(rubric.star(kind, s).zh) for s in keys]
        for t in range(n_years):
            cells[rows[:, None], t, cols] = _status_text(rng, dec[:, t], awd[:, t])

    rural = (places["kind"] == "rural").to_numpy()
    inc = cal["income"]
    log_income = (np.log(inc["median_wan"]) + inc["on_capacity"] * cap
                  + inc["on_industry_propensity"] * rng.normal(0, 1, (n, 1))
                  + inc["industry_star_bonus"] * industry + inc["yearly_growth"] * k
                  + rng.normal(0, inc["branch_sd"], (n, 1))
                  + rng.normal(0, inc["year_sd"], cap.shape))
    income = np.round(np.exp(log_income), 2)
    income[rng.random(n) < inc["zero_share"]] = 0.0
    income[~rural] = np.nan

    pop0 = rng.lognormal(np.log(np.where(rural, 1800, 6500)), np.where(rural, 0.45, 0.4))
    pop = np.round(pop0[:, None] * (1 + rng.normal(0, 0.01, cap.shape)).cumprod(axis=1))
    households = np.round(pop / rng.uniform(3.0, 3.6, (n, 1)))
    members = np.round(pop * rng.uniform(0.022, 0.045, (n, 1)))
    poor = np.where(rural, rng.poisson(pop0 / 70 * np.exp(-0.3 * cap[:, 0])), np.nan)
    area = np.round(rng.uniform(18, 120, n) * np.where(rural, 1.0, 1.5)) * 10
    # A secretary ages a year per year; about one in twelve is replaced by a younger one,
    # whose schooling reflects a later birth year.
    age, schooling = np.empty(cap.shape), np.empty(cap.shape)
    age[:, 0] = np.round(np.clip(rng.normal(50, 7, n), 28, 64))
    schooling[:, 0] = rng.normal(0, 1, n) - 0.07 * (age[:, 0] - 48)
    for t in range(1, n_years):
        new = rng.random(n) < 0.08
        new_age = np.round(np.clip(rng.normal(41, 6, n), 26, 60))
        age[:, t] = np.where(new, new_age, age[:, t - 1] + 1)
        schooling[:, t] = np.where(new, rng.normal(0, 1, n) - 0.07 * (new_age - 48),
                                   schooling[:, t - 1])
    education = np.array(nm["education_secretary"], dtype=object)[
        np.digitize(schooling, [-0.6, 0.4, 1.2])]
    sr = cal["secretary_rating"]
    rating = np.clip(np.round(sr["mean"] + sr["on_capacity"] * (cap - cap.mean())
                              + rng.normal(0, sr["noise_sd"], cap.shape)), 1, 5)

    frames = []
    for t, year in enumerate(years):
        f = pd.DataFrame(cells[:, t], columns=headers)
        f["支部编码"] = [f"{id_prefix}-{i + 1:04d}" for i in range(n)]
        f["支部名称"], f["乡镇（街道）"] = places["name"], places["township"]
        f["类型"], f["年度"] = places["kind"].map(_KIND_ZH), year
        f["村集体经济收入（万元）"] = income[:, t]
        for col, values in (("人口", pop), ("户数", households), ("党员数", members),
                            ("书记年龄", age), ("书记星级", rating), ("脱贫户数", poor),
                            ("村级活动场所面积（平方米）", area)):
            f[col] = pd.array(values[:, t] if values.ndim == 2 else values, dtype="Int64")
        f["书记学历"] = education[:, t]
        f["软弱涣散"] = np.where(weak[:, t], "是", "否")
        frames.append(f)
    latent = pd.DataFrame({"capacity": cap[:, -1], "level": level[:, -1], "weak_lax": weak[:, -1],
                           "low_income": np.nan_to_num(income[:, -1], nan=np.inf) < 10})
    return pd.concat(frames, ignore_index=True), latent


def _county_yaml(rng: np.random.Generator, ledger: pd.DataFrame, name: str, code: str,
                 rubric: Rubric) -> dict[str, Any]:
    """Metadata of the package.

    The report year's targets lie halfway between the previous year's result and what the
    branches declared for the report year: ambitious, but not the sum of every plan.
    """
    cols = star_headers(rubric)
    years = sorted(int(y) for y in ledger["年度"].unique())
    year, prev_year = years[-1], years[-2] if len(years) > 1 else years[-1]
    # Star columns of the other kind are empty, so non-empty cells count declared stars.
    planned = (ledger.loc[ledger["年度"] == year, cols] != "").sum(axis=1)
    before = ledger.loc[ledger["年度"] == prev_year, cols].isin(_AWARDED_WORDS).sum(axis=1)
    cities = _resource("names")["cities"]
    return {
        "name": name,
        "code": code,
        "province": "河南省",
        "city": str(cities[rng.integers(len(cities))]),
        "year": year,
        "language": "zh",
        "targets": {
            "share_3plus": round(float((planned >= 3).mean() + (before >= 3).mean()) / 2, 2),
            "five_star": int(round(((planned == 5).sum() + (before == 5).sum()) / 2)),
        },
        "rubric": rubric.name,
    }


def generate_demo(seed: int = 2024, *, n_townships: int = 20, n_villages: int = 400,
                  n_communities: int = 30, n_respondents: int = 6000,
                  years: tuple[int, ...] = (2022, 2023, 2024, 2025), name: str = "示范县",
                  code: str = "demo", strength: float = 0.0,
                  id_prefix: str = "DM") -> DemoPackage:
    """Generate a fictional county package, deterministic for a seed.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives identical frames.
    n_townships, n_villages, n_communities
        Townships and sub-districts (about 15% are 街道, holding the communities), village
        branches and community branches.
    n_respondents
        Survey respondents, spread over the branches (fewer per community).
    years
        Campaign years, oldest first; the last is the report year.
    name, code
        The county's display name and slug (``county.yaml``).
    strength
        Shift of every branch's capacity in standard deviations: positive gives a county
        of higher levels and incomes, negative a weaker one; 0 is typical.
    id_prefix
        Prefix of the branch codes (``DM-0001``).

    Returns
    -------
    DemoPackage
        ``county_yaml``, ``ledger``, ``survey`` and ``codebook`` as they will be written.

    Examples
    --------
    >>> pkg = generate_demo(7, n_townships=5, n_villages=40, n_communities=5, n_respondents=300)
    >>> sorted(pkg.ledger["年度"].unique().tolist())
    [2022, 2023, 2024, 2025]
    """
    years = sorted(int(y) for y in years)
    if not years or min(n_townships, n_villages + n_communities) < 1:
        raise InvalidArgument("a demo county needs at least one year, township and branch")
    rubric = load_rubric()
    r_places, r_ledger, r_survey, r_meta = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))
    places = _places(r_places, n_townships, n_villages, n_communities)
    ledger, latent = _ledger(r_ledger, places, years, strength, rubric, id_prefix)
    last = ledger[ledger["年度"] == years[-1]].reset_index(drop=True)
    survey, codebook = simulate_survey(r_survey, last, latent, n_respondents, rubric)
    meta = _county_yaml(r_meta, ledger, name, code, rubric)
    return DemoPackage(county_yaml=meta, ledger=ledger, survey=survey, codebook=codebook)


def _clashing_files(folder: Path, fmt: str) -> list[str]:
    """Data files in ``folder`` that the package written in ``fmt`` would not replace."""
    tables = ("ledger", "survey", "codebook")
    ours = {f"{t}.csv" for t in tables} if fmt == "csv" else {"county.xlsx"}
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in ours
                  and not p.name.startswith(("~$", "."))
                  and (p.suffix.lower() == ".xlsx" or p.stem.lower() in tables))


def write_demo_package(out_dir: str | os.PathLike[str], seed: int = 2024, *, fmt: str = "csv",
                       **kwargs: Any) -> Path:
    """Generate the demo county and write it as a county data package.

    Parameters
    ----------
    out_dir
        Folder to write into; created if needed. ``county.yaml`` and the data files are
        overwritten; no other file in the folder is touched. A folder that already holds
        other ledger, survey, codebook or workbook files (e.g. the other format) is refused
        with :class:`DemoFolderTaken`, since the package would have two sources per table.
    seed
        Seed of the generator; the same seed writes byte-identical CSV files.
    fmt
        ``"csv"``: ``ledger.csv``, ``survey.csv``, ``codebook.csv`` in UTF-8 with BOM (so
        Excel opens them); ``"xlsx"``: one workbook ``county.xlsx`` with sheets 台账, 问卷,
        编码表.
    **kwargs
        Passed to :func:`generate_demo` (scale, years, name, code, strength).

    Returns
    -------
    Path
        The package folder.
    """
    if fmt not in ("csv", "xlsx"):
        raise InvalidArgument(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clash = _clashing_files(out, fmt)
    if clash:  # the loader would find two sources for a table
        raise DemoFolderTaken(
            f"{out} 中已有 {'、'.join(clash)}，数据包的每张表只能有一个来源；请换一个空文件夹，"
            f"或先移走这些文件。(The folder already holds {', '.join(clash)}; a package keeps "
            "one source per table: use an empty folder or move those files away.)")
    pkg = generate_demo(seed, **kwargs)
    text = yaml.safe_dump(pkg.county_yaml, allow_unicode=True, sort_keys=False)
    write_atomically(out / "county.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    tables = {"ledger": (pkg.ledger, "台账"), "survey": (pkg.survey, "问卷"),
              "codebook": (pkg.codebook, "编码表")}
    if fmt == "csv":
        for stem, (frame, _) in tables.items():
            write_atomically(out / f"{stem}.csv", lambda p, f=frame: f.to_csv(
                p, index=False, encoding="utf-8-sig", lineterminator="\n"))
    else:
        def _workbook(p: Path) -> None:
            with pd.ExcelWriter(p, engine="openpyxl") as xw:
                for frame, sheet in tables.values():
                    frame.to_excel(xw, sheet_name=sheet, index=False)
        write_atomically(out / "county.xlsx", _workbook)
    return out
