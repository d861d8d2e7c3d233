"""A small seeded survey county for the survey-analysis tests.

``make_raw`` returns canonical ledger frames and a *raw* survey that still carries
identifying columns (姓名, 手机号) and phone numbers typed into open answers;
``make_county`` simulates the loader on it (drops identifying columns with
``privacy.is_identifying_header``, masks text with ``privacy.mask_text`` and the names of the
name column) and wraps the
result with ``County.from_frames``. Sentences are written for these tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fivestar_analysis.load.privacy import is_identifying_header, mask_text, roster_names
from fivestar_analysis.model.county import County

YEAR = 2024
RURAL_STARS = ["industry", "ecology", "safety", "civility", "party_strong"]
TOWNSHIPS = ["城关镇", "东风镇", "和平乡"]

_SURNAMES = "王李张刘陈杨赵黄周吴"
_GIVEN = ["建国", "秀英", "志强", "桂兰", "德明", "春梅", "海涛", "玉珍", "国庆", "丽华"]

PHRASES = {
    "industry": ["希望多引进产业项目，壮大村集体经济", "合作社带动增收的效果还不明显",
                 "年轻人外出务工，本地缺少就业岗位"],
    "ecology": ["人居环境整治要常态化，垃圾清运再及时一些", "坑塘和房前屋后还需要清理",
                "污水管网没有接到各家各户"],
    "safety": ["治安总体不错，希望路口多装监控", "邻里纠纷调解要更及时",
               "防范电信诈骗的宣传要多做"],
    "civility": ["红白事大操大办的风气要刹住", "文化活动太少，广场缺少健身器材",
                 "移风易俗要坚持下去"],
    "party_strong": ["个别干部作风不实，存在形式主义", "希望支部多听群众意见，村务及时公开",
                     "软弱涣散的问题要整顿，多培养后备干部"],
}
PROBLEM_OPTIONS = {1: "集体经济薄弱", 2: "人居环境较差", 3: "干部作风不实", 4: "治安隐患",
                   5: "陈规陋习"}


@dataclass(frozen=True)
class RawSurvey:
    branches: pd.DataFrame
    stars: pd.DataFrame
    survey: pd.DataFrame  # raw: identifying columns still present
    codebook: pd.DataFrame
    names: list[str]
    phones: list[str]


def _ledger(rng: np.random.Generator, n_branches: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, stars = [], []
    for i in range(n_branches):
        bid = f"B{i + 1:03d}"
        township = TOWNSHIPS[i % len(TOWNSHIPS)]
        level_target = int(rng.integers(1, 6))
        awarded = set(rng.permutation(RURAL_STARS[:4])[: min(level_target, 4)])
        if len(awarded) == 4 and level_target == 5:
            awarded.add("party_strong")
        income = float(np.round(np.exp(rng.normal(2.0 + 0.4 * len(awarded), 0.6)), 1))
        rows.append({"branch_id": bid, "branch_name": f"{township[:2]}{i + 1}村",
                     "township": township, "kind": "rural", "year": YEAR,
                     "collective_income_wan": income})
        for star in RURAL_STARS:
            stars.append({"branch_id": bid, "year": YEAR, "star": star,
                          "status": "awarded" if star in awarded else "planned"})
    return pd.DataFrame(rows), pd.DataFrame(stars)


def _codebook() -> pd.DataFrame:
    rows = []
    sat_opts = {1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意", 9: "说不清"}
    for dim in RURAL_STARS:
        n_items = 3 if dim == "industry" else 2
        for j in range(1, n_items + 1):
            rows.append({"item": f"s_{dim}_{j}", "text": f"对{dim}方面第{j}项的满意程度",
                         "dimension": dim, "role": "satisfaction", "scale_min": 1.0,
                         "scale_max": 5.0, "reverse": False, "options": sat_opts})
        rows.append({"item": f"i_{dim}", "text": f"{dim}方面的重要程度", "dimension": dim,
                     "role": "importance", "scale_min": 1.0, "scale_max": 5.0,
                     "reverse": False, "options": {}})
    # a reverse-worded industry item: 5 = strongly agree that the economy is *weak*
    rows.append({"item": "s_industry_rev", "text": "村集体经济薄弱（同意程度）",
                 "dimension": "industry", "role": "satisfaction", "scale_min": 1.0,
                 "scale_max": 5.0, "reverse": True, "options": {}})
    rows += [
        {"item": "s_overall", "text": "总体满意度", "dimension": "overall",
         "role": "satisfaction", "scale_min": 1.0, "scale_max": 5.0, "reverse": False,
         "options": sat_opts},
        {"item": "k_campaign", "text": "是否知道五星支部创建", "dimension": "awareness",
         "role": "knowledge", "scale_min": 0.0, "scale_max": 1.0, "reverse": False,
         "options": {1: "知道", 0: "不知道"}},
        {"item": "participated", "text": "是否参与过创建活动", "dimension": "participation",
         "role": "choice", "scale_min": 0.0, "scale_max": 1.0, "reverse": False,
         "options": {1: "参与过", 0: "未参与"}},
        {"item": "info_source", "text": "主要从哪里了解创建工作", "dimension": "awareness",
         "role": "choice", "scale_min": 1.0, "scale_max": 3.0, "reverse": False,
         "options": {1: "村广播", 2: "微信群", 3: "宣传栏", 9: "说不清"}},
        {"item": "problems", "text": "当前最突出的问题（可多选）", "dimension": "problems",
         "role": "multi", "scale_min": np.nan, "scale_max": np.nan, "reverse": False,
         "options": PROBLEM_OPTIONS},
        {"item": "suggestion", "text": "对创建工作的意见建议", "dimension": "suggestions",
         "role": "text", "scale_min": np.nan, "scale_max": np.nan, "reverse": False,
         "options": {}},
    ]
    return pd.DataFrame(rows)


def _likert(rng: np.random.Generator, latent: np.ndarray, noise: float = 0.8) -> np.ndarray:
    return np.clip(np.round(latent + rng.normal(0, noise, latent.size)), 1, 5)


def make_raw(seed: int = 7, n: int = 360, n_branches: int = 12, *, weights: bool = False,
             cadre_awareness: float = 0.7) -> RawSurvey:
    """Seeded ledger plus a raw survey with identifying columns and phones in answers."""
    rng = np.random.default_rng(seed)
    branches, stars = _ledger(rng, n_branches)
    level = stars.assign(a=stars["status"].eq("awarded")).groupby("branch_id")["a"].sum()
    cb = _codebook()
    bid = rng.choice(branches["branch_id"].to_numpy(), n)
    group = rng.choice(["resident", "member", "cadre"], n, p=[0.6, 0.25, 0.15])
    g_shift = pd.Series(group).map({"resident": 0.0, "member": 0.2, "cadre": 0.5}).to_numpy()
    person = rng.normal(0, 0.5, n)
    base = 2.6 + 0.25 * level.reindex(bid).to_numpy() + g_shift + person
    s = pd.DataFrame({
        "respondent_id": [f"R{i + 1:04d}" for i in range(n)],
        "branch_id": bid, "group": group,
        "age": rng.integers(18, 80, n), "gender": rng.choice(["男", "女"], n),
        "education": rng.choice(["小学", "初中", "高中", "大专及以上"], n),
    })
    names = [_SURNAMES[i % 10] + _GIVEN[(i * 3 + i // 10) % 10] for i in range(n)]
    phones = [f"13{rng.integers(5, 10)}{rng.integers(10_000_000, 99_999_999)}" for _ in range(n)]
    s.insert(1, "姓名", names)
    s.insert(2, "手机号", phones)
    dim_shift = {"industry": -0.6, "ecology": 0.1, "safety": 0.4, "civility": 0.3,
                 "party_strong": 0.0}
    for r in cb.itertuples():
        if r.role == "satisfaction" and r.dimension in dim_shift:
            x = _likert(rng, base + dim_shift[r.dimension])
            if r.reverse:
                x = 6 - x
            s[r.item] = x
        elif r.role == "importance":
            s[r.item] = _likert(rng, np.full(n, 3.6 + 0.8 * (r.dimension == "industry")
                                             - 0.5 * (r.dimension == "civility")), 0.7)
    s["s_overall"] = _likert(rng, base)
    aware_p = pd.Series(group).map({"resident": 0.55, "member": 0.85,
                                    "cadre": cadre_awareness}).to_numpy()
    s["k_campaign"] = (rng.random(n) < aware_p).astype(float)
    s["participated"] = (rng.random(n) < 0.3 + 0.4 * (group != "resident")).astype(float)
    s["info_source"] = rng.choice([1.0, 2.0, 3.0, 9.0], n, p=[0.3, 0.4, 0.25, 0.05])
    picks = []
    for _ in range(n):
        k = int(rng.integers(0, 3))
        picks.append(";".join(map(str, sorted(rng.choice([1, 2, 3, 4, 5], k, replace=False,
                                                          p=[.35, .25, .2, .1, .1]))))
                     if k else np.nan)
    s["problems"] = picks
    texts = []
    keys = list(PHRASES)
    for i in range(n):
        if rng.random() < 0.3:
            texts.append(np.nan)
            continue
        key = keys[int(rng.choice(5, p=[.3, .25, .15, .1, .2]))]
        t = PHRASES[key][int(rng.integers(0, 3))]
        if rng.random() < 0.1:
            t += f"，有事可打{phones[i]}"
        texts.append(t)
    s["suggestion"] = texts
    # out-of-scale and don't-know codes on some satisfaction answers
    sat_items = cb.loc[cb["role"] == "satisfaction", "item"].tolist()
    for item in sat_items:
        hit = rng.random(n) < 0.04
        s.loc[hit, item] = rng.choice([9.0, 9.0, 6.0, 0.0], int(hit.sum()))
    if weights:
        s["weight"] = np.where(s["group"] == "resident", 1.5, 0.6) * rng.uniform(0.8, 1.2, n)
    return RawSurvey(branches, stars, s, cb, names, phones)


def simulate_loader(raw: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """What the loader does to a survey: identifying columns out; phones, IDs and the names
    of the name column masked in text."""
    names = roster_names({c: raw[c].tolist() for c in raw.columns if is_identifying_header(c)})
    s = raw[[c for c in raw.columns if not is_identifying_header(c)]].copy()
    s["group"] = s["group"].astype(pd.CategoricalDtype(["resident", "member", "cadre"]))
    s["age"] = s["age"].astype("Int64")
    for r in codebook.itertuples():
        if r.role in ("multi", "text"):
            s[r.item] = s[r.item].map(lambda v: mask_text(v, names) if isinstance(v, str) else v)
        else:
            s[r.item] = s[r.item].astype("float64")
    return s


def make_county(seed: int = 7, n: int = 360, **kwargs) -> County:
    raw = make_raw(seed, n, **kwargs)
    survey = simulate_loader(raw.survey, raw.codebook)
    return County.from_frames(raw.branches, raw.stars, year=YEAR, survey=survey,
                              codebook=raw.codebook)
