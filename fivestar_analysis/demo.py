"""The seeded demo county: one source of realistic, entirely fictional data.

``generate_demo(seed)`` builds a county data package in memory: the ledger (台账) in the
wide form a county clerk keeps, a questionnaire survey with its codebook, and the
``county.yaml`` metadata. ``write_demo_package(out_dir)`` writes it to a folder.

The data come from a small latent model whose parameters live in
``resources/demo/calibration.yaml``: every branch has a capacity that rises over the
years; a star is declared when the branch's score for it clears a threshold and awarded
when it also passes the year-end evaluation; held stars are kept unless lost. The shares
follow the campaign's published figures (see ``docs`` and the domain brief): 产业兴旺星
is scarce, 文明幸福星 near universal, 支部过硬星 only crowns a branch holding the other
four. Names of places and people are random combinations of invented syllables
(``resources/demo/names.yaml``); survey wording is in ``resources/demo/survey.yaml``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fivestar_analysis.rubric import Rubric, load_rubric
from fivestar_analysis.template import (
    CODEBOOK_HEADERS,
    STATUS_AWARDED,
    STATUS_PLANNED,
    ledger_headers,
    star_headers,
    write_atomically,
)

__all__ = ["DemoPackage", "generate_demo", "write_demo_package"]

_KIND_ZH = {"rural": "农村", "community": "社区"}


@lru_cache(maxsize=4)
def _resource(name: str) -> dict[str, Any]:
    path = resources.files("fivestar_analysis") / "resources" / "demo" / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


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
        One row per respondent, Chinese headers, item columns named by item code.
    codebook
        One row per survey item column.
    """

    county_yaml: dict[str, Any]
    ledger: pd.DataFrame
    survey: pd.DataFrame
    codebook: pd.DataFrame


# -- places ------------------------------------------------------------------------------
def _unique_names(rng: np.random.Generator, candidates: list[str], n: int, what: str) -> list[str]:
    if n > len(candidates):
        raise ValueError(f"cannot invent {n} distinct {what} names (at most {len(candidates)})")
    return [candidates[i] for i in rng.choice(len(candidates), size=n, replace=False)]


def _structure(rng: np.random.Generator, n_townships: int, n_villages: int,
               n_communities: int) -> pd.DataFrame:
    """Branches with township, kind and name, ordered by township (villages first)."""
    names = _resource("names")
    n_sub = 0 if n_communities == 0 else max(1, round(n_townships * 0.15))
    n_rural = n_townships - n_sub
    if n_rural < 1 and n_villages > 0:
        raise ValueError("n_townships is too small to hold both villages and communities")
    stems = _unique_names(rng, [a + b for a in names["township_first"]
                                for b in names["township_second"]], n_townships, "township")
    suffix = np.where(rng.random(n_rural) < 0.7, "镇", "乡").tolist() + ["街道"] * n_sub
    townships = [s + x for s, x in zip(stems, suffix)]
    # Villages mostly in 镇/乡, a few in 街道; communities only in 街道. Uneven sizes.
    w_v = rng.gamma(4.0, size=n_townships) * np.r_[np.ones(n_rural), np.full(n_sub, 0.25)]
    v_town = np.sort(rng.choice(n_townships, size=n_villages, p=w_v / w_v.sum()))
    c_town = np.sort(rng.choice(np.arange(n_rural, n_townships), size=n_communities)) \
        if n_sub else np.array([], dtype=int)
    village_names = [a + b for a in names["village_first"] for b in names["village_second"]]
    village_names += [f + "家" + b for f in names["village_family"] for b in names["village_second"]]
    v_names = [n + "村" for n in _unique_names(rng, village_names, n_villages, "village")]
    c_names = [n + "社区" for n in _unique_names(
        rng, [a + b for a in names["community_first"] for b in names["community_second"]],
        n_communities, "community")]
    b = pd.DataFrame({
        "town": np.r_[v_town, c_town].astype(int),
        "kind": ["rural"] * n_villages + ["community"] * n_communities,
        "name": v_names + c_names,
    })
    b = b.sort_values(["town", "kind"], ascending=[True, False], kind="stable")
    b["township"] = [townships[t] for t in b["town"]]
    return b.reset_index(drop=True)


# -- stars -------------------------------------------------------------------------------
def _simulate_stars(rng: np.random.Generator, cap: np.ndarray, weak: np.ndarray,
                    keys: list[str], capstone: str | None, kind: str,
                    cal: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Declared and awarded flags, each of shape (branches, years, stars).

    ``keys`` are the stars of ``kind`` with the capstone (if any) last.
    """
    n, n_years = cap.shape
    others = [k for k in keys if k != capstone]
    share = cal["first_year_declared"][kind]
    sd = float(np.sqrt(cal["township_sd"] ** 2 + cal["branch_sd"] ** 2 + cal["star_sd"] ** 2
                       + cal["year_noise_sd"] ** 2))
    offset = np.array([NormalDist().inv_cdf(share[k]) * sd for k in others])
    propensity = rng.normal(0, cal["star_sd"], size=(n, len(keys)))
    declared = np.zeros((n, n_years, len(keys)), dtype=bool)
    awarded = np.zeros_like(declared)
    o = len(others)
    cs = cal["capstone"]
    threshold = np.full(len(keys), float(cal["award_margin"]))
    threshold[o:] = cs["award_z"] * sd
    for t in range(n_years):
        noise = rng.normal(0, cal["year_noise_sd"], size=(n, len(keys)))
        score = cap[:, t, None] + propensity + noise
        score[:, :o] += offset
        evaluation = score + rng.normal(0, cal["eval_noise_sd"], size=score.shape) \
            - cal["weak_lax_eval_penalty"] * weak[:, t, None]
        passed = evaluation > threshold
        dec = np.zeros((n, len(keys)), dtype=bool)
        dec[:, :o] = score[:, :o] > 0
        if t > 0:
            # A held star is kept (and declared again) unless it is taken away (摘星);
            # a star just taken away cannot be won back in the same year.
            prev = awarded[:, t - 1]
            loss_p = cal["loss_rate"] * np.where(weak[:, t], cal["weak_lax_loss_factor"], 1.0)
            passed = np.where(prev, rng.random(prev.shape) >= loss_p[:, None], passed)
            dec |= prev
        awd = dec & passed
        if capstone is not None:  # declared with all four others; crowns only a full set
            dec[:, o] |= dec[:, :o].all(axis=1) & (score[:, o] > cs["declare_z"] * sd)
            awd[:, o] = dec[:, o] & passed[:, o] & awd[:, :o].all(axis=1) & ~weak[:, t]
        declared[:, t], awarded[:, t] = dec, awd
    return declared, awarded


def _status_cells(rng: np.random.Generator, declared: np.ndarray,
                  awarded: np.ndarray) -> np.ndarray:
    """Status text per cell; a few rows use the other words clerks write (✓, 评定, 申报 …)."""
    n = declared.shape[0]
    a_word = rng.choice([STATUS_AWARDED, "评定", "✓"], size=n, p=[0.93, 0.035, 0.035])
    p_word = rng.choice([STATUS_PLANNED, "申报", "争创"], size=n, p=[0.85, 0.1, 0.05])
    out = np.where(declared, p_word[:, None], "")
    return np.where(awarded, a_word[:, None], out).astype(object)


# -- ledger ------------------------------------------------------------------------------
def _ledger(rng: np.random.Generator, places: pd.DataFrame, years: list[int], strength: float,
            rubric: Rubric, id_prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The wide ledger (Chinese headers) and a per-branch-year frame of latent values."""
    cal = _resource("calibration")
    names = _resource("names")
    n, n_years = len(places), len(years)
    k = np.arange(n_years)
    town_eff = rng.normal(0, cal["township_sd"], size=places["town"].max() + 1)
    base = strength + town_eff[places["town"].to_numpy()] + rng.normal(0, cal["branch_sd"], n)
    slope = rng.normal(cal["growth"], cal["growth_sd"], n)
    cap = base[:, None] + slope[:, None] * k[None, :]
    wl = cal["weak_lax"]
    p_weak = 1 / (1 + np.exp(-(wl["intercept"] + wl["slope"] * cap)))
    weak = rng.random(n)[:, None] < p_weak  # one draw per branch: weak-lax status is sticky

    headers = ledger_headers(rubric)
    star_col = {s.key + "@" + kind: s.zh for kind in ("rural", "community")
                for s in rubric.kinds[kind].stars}
    cells = np.full((n, n_years, len(headers)), "", dtype=object)
    level = np.zeros((n, n_years), dtype=int)
    industry = np.zeros((n, n_years), dtype=bool)
    ind_prop = rng.normal(0, 1, n)
    for kind in ("rural", "community"):
        rows = np.flatnonzero(places["kind"].to_numpy() == kind)
        keys = [k for k in rubric.star_keys(kind) if k != rubric.capstone]
        keys += [rubric.capstone] if rubric.capstone else []
        dec, awd = _simulate_stars(rng, cap[rows], weak[rows], keys, rubric.capstone, kind, cal)
        level[rows] = awd.sum(axis=2)
        if "industry" in keys:
            industry[rows] = awd[:, :, keys.index("industry")]
        for t in range(n_years):
            status = _status_cells(rng, dec[:, t], awd[:, t])
            for j, key in enumerate(keys):
                cells[rows, t, headers.index(star_col[f"{key}@{kind}"])] = status[:, j]

    rural = (places["kind"] == "rural").to_numpy()
    inc = cal["income"]
    log_inc = (np.log(inc["median_wan"]) + inc["on_capacity"] * cap
               + inc["on_industry_propensity"] * ind_prop[:, None]
               + inc["industry_star_bonus"] * industry + inc["yearly_growth"] * k
               + rng.normal(0, inc["branch_sd"], (n, 1)) + rng.normal(0, inc["year_sd"], cap.shape))
    income = np.round(np.exp(log_inc), 2)
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
    age = np.empty(cap.shape)
    schooling = np.empty(cap.shape)
    age[:, 0] = np.round(np.clip(rng.normal(50, 7, n), 28, 64))
    schooling[:, 0] = rng.normal(0, 1, n) - 0.07 * (age[:, 0] - 48)
    for t in range(1, n_years):
        new = rng.random(n) < 0.08
        new_age = np.round(np.clip(rng.normal(41, 6, n), 26, 60))
        age[:, t] = np.where(new, new_age, age[:, t - 1] + 1)
        schooling[:, t] = np.where(new, rng.normal(0, 1, n) - 0.07 * (new_age - 48),
                                   schooling[:, t - 1])
    education = np.array(names["education_secretary"], dtype=object)[
        np.digitize(schooling, [-0.6, 0.4, 1.2])]
    sr = cal["secretary_rating"]
    rating = np.clip(np.round(sr["mean"] + sr["on_capacity"] * (cap - cap.mean())
                              + rng.normal(0, sr["noise_sd"], cap.shape)), 1, 5)

    frames = []
    for t, year in enumerate(years):
        f = pd.DataFrame(cells[:, t], columns=headers)
        f["支部编码"] = [f"{id_prefix}-{i + 1:04d}" for i in range(n)]
        f["支部名称"], f["乡镇（街道）"] = places["name"], places["township"]
        f["类型"] = places["kind"].map(_KIND_ZH)
        f["年度"] = year
        f["村集体经济收入（万元）"] = income[:, t]
        for col, values in (("人口", pop), ("户数", households), ("党员数", members),
                            ("书记年龄", age), ("书记星级", rating), ("脱贫户数", poor),
                            ("村级活动场所面积（平方米）", area)):
            f[col] = pd.array(values[:, t] if values.ndim == 2 else values, dtype="Int64")
        f["书记学历"] = education[:, t]
        f["软弱涣散"] = np.where(weak[:, t], "是", "否")
        frames.append(f)
    ledger = pd.concat(frames, ignore_index=True)
    latent = pd.DataFrame({
        "kind": places["kind"],
        "capacity": cap[:, -1], "level": level[:, -1], "weak": weak[:, -1],
        "low_income": np.nan_to_num(income[:, -1], nan=50.0) < 10,
    })
    return ledger, latent


# -- survey ------------------------------------------------------------------------------
_AWARDED_WORDS = {STATUS_AWARDED, "评定", "✓"}
_LIKERT_CUTS = [-1.7, -0.9, 0.0, 1.0]  # latent → 1..5


def _people(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Invented full names and fake mobile numbers (1, then 3–9, then nine digits)."""
    names = _resource("names")
    sur = np.array(names["surnames"], dtype=object)[rng.integers(len(names["surnames"]), size=n)]
    given = np.array(names["given"], dtype=object)
    g1, g2 = given[rng.integers(len(given), size=n)], given[rng.integers(len(given), size=n)]
    two = rng.random(n) < 0.7
    full = [s + a + (b if t else "") for s, a, b, t in zip(sur, g1, g2, two)]
    phones = [f"1{d}{r:09d}" for d, r in zip(rng.integers(3, 10, n), rng.integers(0, 10**9, n))]
    return full, phones


def _suggestions(rng: np.random.Generator, ticked: np.ndarray, write: np.ndarray,
                 phones: list[str], contact_share: float) -> list[str]:
    """Open answers built from invented fragments about the problems a respondent ticked."""
    spec = _resource("survey")["suggestions"]
    topics = {int(k): v for k, v in spec["topics"].items()}
    out: list[str] = []
    for i in range(len(write)):
        if not write[i]:
            out.append("")
            continue
        chosen = np.flatnonzero(ticked[i]) + 1
        pool = chosen if len(chosen) else np.array(list(topics))
        picks = rng.choice(pool, size=min(len(pool), 1 + int(rng.random() < 0.3)), replace=False)
        parts = [topics[int(p)][rng.integers(len(topics[int(p)]))] for p in picks]
        text = spec["openers"][rng.integers(len(spec["openers"]))] + "，".join(parts)
        text += spec["closers"][rng.integers(len(spec["closers"]))]
        if rng.random() < contact_share:
            contact = spec["contact"][rng.integers(len(spec["contact"]))]
            text = text.rstrip("。") + "。" + contact.format(phone=phones[i])
        out.append(text)
    return out


def _codebook() -> pd.DataFrame:
    rows = []
    for it in _resource("survey")["items"]:
        likert = it["role"] in ("satisfaction", "importance")
        ranged = likert or "scale_min" in it
        rows.append({
            "item": it["item"], "text": it["text"], "dimension": it["dimension"],
            "role": it["role"],
            "scale_min": it.get("scale_min", 1) if ranged else None,
            "scale_max": it.get("scale_max", 5) if ranged else None,
            "reverse": bool(it.get("reverse", False)), "options": it.get("options", ""),
        })
    book = pd.DataFrame(rows, columns=CODEBOOK_HEADERS)
    book["scale_min"] = book["scale_min"].astype("Int64")
    book["scale_max"] = book["scale_max"].astype("Int64")
    return book


def _survey(rng: np.random.Generator, last: pd.DataFrame, latent: pd.DataFrame,
            n_resp: int, rubric: Rubric) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents of the report year, with satisfaction tied to their branch's level."""
    cal, spec, names = _resource("calibration"), _resource("survey"), _resource("names")
    codebook = _codebook()
    kind = latent["kind"].to_numpy()
    w = np.where(kind == "rural", cal["survey_weight"]["rural"], cal["survey_weight"]["community"])
    b = np.repeat(np.arange(len(last)), rng.multinomial(n_resp, w / w.sum()))
    n = len(b)
    group_names = list(cal["groups"])
    g = rng.choice(len(group_names), size=n, p=list(cal["groups"].values()))
    age = np.clip(rng.normal(np.array([50, 56, 47])[g], np.array([15, 12, 8])[g]), 18, 85)
    male = rng.random(n) < np.array([0.48, 0.7, 0.75])[g]
    edu_score = -0.045 * (age - 50) + np.array([0.0, 0.5, 1.0])[g] + rng.normal(0, 1, n)
    edu = np.array(names["education_respondent"], dtype=object)[
        np.digitize(edu_score, [-0.8, 0.4, 1.4])]
    full, phones = _people(rng, n)

    # Satisfaction: branch level and capacity, holding the area's star, the respondent's
    # leniency and group (cadres rate their own work higher), and item noise.
    level_c = latent["level"].to_numpy() - latent["level"].mean()
    cap_c = latent["capacity"].to_numpy() - latent["capacity"].mean()
    branch_term = (0.22 * level_c + 0.15 * cap_c)[b]
    lenient = rng.normal(0, 0.6, n) + np.array([0.0, 0.25, 0.5])[g]
    areas = rubric.star_keys("rural")
    held = {}
    for area in areas:
        rural_col = rubric.star_label(area, "rural")
        comm_col = rubric.star_label(spec["community_area_star"][area], "community")
        col = np.where(kind == "rural", last[rural_col], last[comm_col])
        held[area] = np.isin(col, list(_AWARDED_WORDS))[b]
    answers: dict[str, Any] = {}
    for it in spec["items"]:
        item, dim, role = it["item"], it["dimension"], it["role"]
        if role == "satisfaction" and dim in held:
            y = 0.1 + branch_term + 0.4 * held[dim] + lenient + rng.normal(0, 0.85, n)
        elif role == "satisfaction":  # overall
            y = 0.1 + branch_term + 0.5 * np.mean([held[a] for a in areas], axis=0) + lenient \
                + rng.normal(0, 0.6, n)
        elif role == "importance":
            y = spec["importance_shift"][dim] + 0.3 * lenient + rng.normal(0, 0.8, n)
        else:
            continue
        value = np.digitize(y, _LIKERT_CUTS) + 1
        answers[item] = 6 - value if it.get("reverse") else value
    likert = list(answers)
    block = np.column_stack([answers[c] for c in likert]).astype(float)
    u = rng.random(block.shape)
    block[u < cal["dont_know_share"]] = 9
    block[u > 1 - cal["blank_share"]] = np.nan
    for j, c in enumerate(likert):
        answers[c] = pd.array(block[:, j], dtype="Int64")

    # Awareness and participation: cadres most, residents least.
    lvl = 0.03 * level_c[b]
    answers["K1"] = (rng.random(n) < np.array([0.62, 0.86, 0.97])[g] + lvl).astype(int)
    answers["K2"] = (rng.random(n) < np.array([0.35, 0.62, 0.9])[g] + lvl).astype(int)
    answers["P1"] = (rng.random(n) < np.array([0.38, 0.7, 0.93])[g] + lvl).astype(int)
    # Biggest problems: the branch's weak links make an option likelier.
    p = np.column_stack([
        0.2 + 0.25 * latent["low_income"].to_numpy()[b] + 0.15 * ~held["industry"],
        0.15 + 0.2 * ~held["ecology"],
        np.full(n, 0.18),
        0.1 + 0.35 * latent["weak"].to_numpy()[b],
        0.12 + 0.12 * (answers["K1"] == 0),
        0.1 + 0.08 * (g == 2),
    ])
    ticked = rng.random(p.shape) < p
    answers["M1"] = [";".join(str(j + 1) for j in np.flatnonzero(row)) for row in ticked]
    write = rng.random(n) < np.array(list(cal["text_share"].values()))[g]
    answers["T1"] = _suggestions(rng, ticked, write, phones, cal["contact_share"])

    survey = pd.DataFrame({
        "问卷编号": [f"WJ{i + 1:05d}" for i in range(n)],
        "支部编码": last["支部编码"].to_numpy()[b],
        "身份": np.array(group_names, dtype=object)[g],
        "年龄": np.round(age).astype(int),
        "性别": np.where(male, "男", "女"),
        "文化程度": edu,
        "姓名": full,
        "手机号": phones,
    })
    items = pd.DataFrame({c: answers[c] for c in codebook["item"]})
    return pd.concat([survey, items], axis=1), codebook


# -- county.yaml -------------------------------------------------------------------------
def _county_yaml(rng: np.random.Generator, ledger: pd.DataFrame, name: str, code: str,
                 rubric: Rubric) -> dict[str, Any]:
    """Metadata of the package.

    The report year's targets lie halfway between the previous year's result and what the
    branches declared for the report year: ambitious, but not the sum of every plan.
    """
    cols = star_headers(rubric)
    year = int(ledger["年度"].max())
    prev_year = int(ledger.loc[ledger["年度"] < year, "年度"].max()) if ledger["年度"].nunique() > 1 \
        else year
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
        raise ValueError("a demo county needs at least one year, township and branch")
    rubric = load_rubric()
    r_places, r_ledger, r_survey, r_meta = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4))
    places = _structure(r_places, n_townships, n_villages, n_communities)
    ledger, latent = _ledger(r_ledger, places, years, strength, rubric, id_prefix)
    last = ledger[ledger["年度"] == years[-1]].reset_index(drop=True)
    survey, codebook = _survey(r_survey, last, latent, n_respondents, rubric)
    meta = _county_yaml(r_meta, ledger, name, code, rubric)
    return DemoPackage(county_yaml=meta, ledger=ledger, survey=survey, codebook=codebook)


def write_demo_package(out_dir: str | os.PathLike[str], seed: int = 2024, *, fmt: str = "csv",
                       **kwargs: Any) -> Path:
    """Generate the demo county and write it as a county data package.

    Parameters
    ----------
    out_dir
        Folder to write into; created if needed. ``county.yaml`` and the data files are
        overwritten; no other file in the folder is touched.
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
        raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
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
