"""The demo county's questionnaire: respondents sampled branch by branch, answers that
follow their branch's level and strength, open answers pieced together from invented
fragments (some with a phone number typed in, to be masked), and the codebook.

Part of the demo generator (:mod:`fivestar_analysis.tools.demo`); the questionnaire is
``resources/demo/survey.yaml`` and the parameters ``resources/demo/calibration.yaml``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from fivestar_analysis.model.rubric import Rubric
from fivestar_analysis.tools.template import CODEBOOK_HEADERS, STATUS_AWARDED

__all__ = ["simulate_survey", "demo_resource"]

_KIND_ZH = {"rural": "农村", "community": "社区"}
_AWARDED_WORDS = [STATUS_AWARDED, "评定", "✓"]  # what clerks write for an awarded star


@lru_cache(maxsize=4)
def demo_resource(name: str) -> dict[str, Any]:
    """One of the demo's YAML files (names, calibration, survey), read once."""
    path = resources.files("fivestar_analysis") / "resources" / "demo" / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _codebook() -> pd.DataFrame:
    """The codebook of the demo questionnaire, one row per item column."""
    rows = []
    for it in demo_resource("survey")["items"]:
        ranged = it["role"] in ("satisfaction", "importance") or "scale_min" in it
        rows.append([it["item"], it["text"], it["dimension"], it["role"],
                     it.get("scale_min", 1) if ranged else None,
                     it.get("scale_max", 5) if ranged else None,
                     bool(it.get("reverse", False)), it.get("options", ""),
                     # 9 = 说不清 on the five-point items, declared as a missing code
                     "9" if it["role"] in ("satisfaction", "importance") else ""])
    book = pd.DataFrame(rows, columns=CODEBOOK_HEADERS)
    return book.astype({"scale_min": "Int64", "scale_max": "Int64"})


def _open_answers(rng: np.random.Generator, ticked: list[list[int]], write: np.ndarray,
                  phones: list[str]) -> list[str]:
    """Suggestions pieced together from invented fragments about the problems ticked."""
    spec = demo_resource("survey")["suggestions"]
    topics = {int(key): v for key, v in spec["topics"].items()}
    share = demo_resource("calibration")["contact_share"]
    pick = lambda words: words[rng.integers(len(words))]  # noqa: E731
    out: list[str] = []
    for i in range(len(write)):
        if not write[i]:
            out.append("")
            continue
        pool = [c for c in ticked[i] if c in topics] or sorted(topics)
        chosen = rng.choice(pool, size=min(len(pool), 1 + int(rng.random() < 0.3)), replace=False)
        text = pick(spec["openers"]) + "，".join(pick(topics[int(c)]) for c in chosen)
        text += pick(spec["closers"])
        if rng.random() < share:  # a phone number typed into the answer, to be masked
            text = text.rstrip("。") + "。" + pick(spec["contact"]).format(phone=phones[i])
        out.append(text)
    return out


def simulate_survey(rng: np.random.Generator, last: pd.DataFrame, latent: pd.DataFrame,
            n_respondents: int, rubric: Rubric) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondents of the report year; their satisfaction follows their branch's level."""
    cal, spec, nm = demo_resource("calibration"), demo_resource("survey"), demo_resource("names")
    rural = (last["类型"] == _KIND_ZH["rural"]).to_numpy()
    weight = np.where(rural, cal["survey_weight"]["rural"], cal["survey_weight"]["community"])
    b = np.repeat(np.arange(len(last)), rng.multinomial(n_respondents, weight / weight.sum()))
    n = len(b)
    groups = pd.DataFrame(cal["groups"]).T  # one row per group
    g = rng.choice(len(groups), size=n, p=groups["share"].astype(float).to_numpy())
    gp = groups.iloc[g].reset_index(drop=True)
    age_mean, age_sd = np.array(gp["age"].tolist(), dtype=float).T
    age = np.clip(rng.normal(age_mean, age_sd), 18, 85).round().astype(int)
    schooling = -0.045 * (age - 50) + gp["schooling"].to_numpy(float) + rng.normal(0, 1, n)
    education = np.array(nm["education_respondent"], dtype=object)[
        np.digitize(schooling, [-0.8, 0.4, 1.4])]
    draw = lambda pool: np.array(pool)[rng.integers(len(pool), size=n)]  # noqa: E731
    second = np.where(rng.random(n) < 0.7, draw(nm["given"]), "")  # most given names: 2 chars
    names = [fam + g1 + g2 for fam, g1, g2 in zip(draw(nm["surnames"]), draw(nm["given"]), second)]
    phones = [f"1{d}{r:09d}" for d, r in zip(rng.integers(3, 10, n), rng.integers(0, 10**9, n))]
    people = pd.DataFrame({
        "问卷编号": [f"WJ{i + 1:05d}" for i in range(n)],
        "支部编码": last["支部编码"].to_numpy()[b],
        "身份": groups.index.to_numpy()[g],
        "年龄": age,
        "性别": np.where(rng.random(n) < gp["male"].to_numpy(float), "男", "女"),
        "文化程度": education,
        "姓名": names,  # invented; with 手机号 only here to exercise privacy handling
        "手机号": phones,
    })

    lk = cal["likert"]
    level_c = latent["level"].to_numpy() - latent["level"].mean()
    branch = (lk["on_level"] * level_c
              + lk["on_capacity"] * (latent["capacity"] - latent["capacity"].mean()).to_numpy())[b]
    lenient = rng.normal(0, lk["leniency_sd"], n) + gp["leniency"].to_numpy(float)
    held: dict[str, np.ndarray] = {}  # does the respondent's branch hold each area's star?
    for area in rubric.star_keys("rural"):
        col = np.where(rural, last[rubric.star_label(area, "rural")],
                       last[rubric.star_label(spec["community_area_star"][area], "community")])
        held[area] = np.isin(col, _AWARDED_WORDS)[b]
    answers: dict[str, Any] = {}
    for it in spec["items"]:
        item, dim, role = it["item"], it["dimension"], it["role"]
        if role in ("knowledge", "choice"):  # yes/no, by group, a little higher with level
            p = np.array([it["rate"][name] for name in groups.index])[g] + 0.03 * level_c[b]
            answers[item] = (rng.random(n) < p).astype(int)
            continue
        if role == "satisfaction":
            star = held[dim] if dim in held else np.mean(list(held.values()), axis=0)
            y = branch + lk["holds_star"] * star + lenient + rng.normal(0, lk["noise_sd"], n)
        elif role == "importance":
            y = spec["importance_shift"][dim] + 0.3 * lenient + rng.normal(0, 0.8, n)
        else:
            continue
        value = np.digitize(y, lk["cuts"]) + 1
        value = np.where(rng.random(n) < cal["dont_know_share"], 9,
                         6 - value if it.get("reverse") else value)
        answers[item] = pd.array(np.where(rng.random(n) < cal["blank_share"], np.nan, value),
                                 dtype="Int64")

    first_knowledge = next(x["item"] for x in spec["items"] if x["role"] == "knowledge")
    signals = {"low_income": latent["low_income"].to_numpy()[b],
               "weak_lax": latent["weak_lax"].to_numpy()[b],
               "no_industry": ~held["industry"], "no_ecology": ~held["ecology"],
               "unaware": answers[first_knowledge] == 0,
               "cadre": groups.index.to_numpy()[g] == "村干部"}
    ticked: list[list[int]] = [[] for _ in range(n)]
    for it in (x for x in spec["items"] if x["role"] == "multi"):
        codes = sorted(it["drivers"])
        p = np.column_stack([np.full(n, it["drivers"][c]["base"]) + sum(
            w * signals[s] for s, w in it["drivers"][c].items() if s != "base") for c in codes])
        ticked = [[codes[j] for j in np.flatnonzero(row)] for row in rng.random(p.shape) < p]
        answers[it["item"]] = [";".join(map(str, row)) for row in ticked]
    for it in (x for x in spec["items"] if x["role"] == "text"):
        write = rng.random(n) < gp["text"].to_numpy(float)
        answers[it["item"]] = _open_answers(rng, ticked, write, phones)
    codebook = _codebook()
    items = pd.DataFrame({c: answers[c] for c in codebook["item"]})
    return pd.concat([people, items], axis=1), codebook


# -- county.yaml -------------------------------------------------------------------------
