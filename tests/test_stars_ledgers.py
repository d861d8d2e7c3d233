"""Hand-built ledgers for the star-analysis tests (imported by the other test_stars_* files)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from fivestar_analysis.county import County, Targets

RURAL = ["industry", "ecology", "safety", "civility", "party_strong"]
COMMUNITY = ["co_build", "safety", "harmony", "livelihood", "party_strong"]
ABBR = {"I": "industry", "E": "ecology", "S": "safety", "C": "civility", "P": "party_strong",
        "B": "co_build", "H": "harmony", "L": "livelihood"}


def _keys(spec: str | Iterable[str]) -> list[str]:
    if isinstance(spec, str):
        return [ABBR[c] for c in spec]
    return list(spec)


def make_county(records: list[dict[str, Any]], *, year: int | None = None,
                targets: Targets | None = None, full: bool = True) -> County:
    """Build a County from compact records.

    Each record: ``id``, ``town``, optional ``kind`` (rural), ``year`` (2024), ``aw``
    (awarded stars as letters, e.g. "IESC"), ``pl`` (planned but not awarded), ``income``
    and any other branch column. ``full`` writes a 'none' row for every other star.
    """
    branches, stars = [], []
    for r in records:
        kind = r.get("kind", "rural")
        yr = r.get("year", 2024)
        row = {"branch_id": r["id"], "branch_name": r.get("name", f"{r['id']}村"),
               "township": r["town"], "kind": kind, "year": yr,
               "collective_income_wan": r.get("income")}
        for extra in ("weak_lax", "secretary_rating", "county_code"):
            if extra in r:
                row[extra] = r[extra]
        branches.append(row)
        aw, pl = _keys(r.get("aw", "")), _keys(r.get("pl", ""))
        for key in (RURAL if kind == "rural" else COMMUNITY):
            status = "awarded" if key in aw else "planned" if key in pl else "none"
            if status != "none" or full:
                stars.append({"branch_id": r["id"], "year": yr, "star": key, "status": status})
    return County.from_frames(pd.DataFrame(branches), pd.DataFrame(stars), year=year,
                              targets=targets)


def seed001_district_plan() -> County:
    """Seed 001's district plan for its 104 villages, rebuilt branch by branch.

    Levels: 五星1 四星10 三星41 二星48 and 4 without a declared star. Stars:
    产业34 生态73 平安62 文明94 过硬1. Construction (non-capstone stars; I E S C):
      1 five-star: IESCP
      10 four-star: IESC
      41 three-star: 12 IEC + 11 ISC + 18 ESC      (产业 23 of them)
      48 two-star: 26 EC + 16 SC + 6 ES             (no 产业)
      4 none.
    Check: 产业 1+10+12+11 = 34; 生态 1+10+12+18+26+6 = 73; 平安 1+10+11+18+16+6 = 62;
    文明 1+10+12+11+18+26+16 = 94; 过硬 1; total 264 = 5+40+123+96.
    All stars are 'planned' (a plan, nothing awarded yet). Six townships take turns.
    """
    groups = ([("IESCP", 1), ("IESC", 10), ("IEC", 12), ("ISC", 11), ("ESC", 18),
               ("EC", 26), ("SC", 16), ("ES", 6), ("", 4)])
    towns = ["苏家作乡", "宁郭镇", "阳城乡", "文昌街道", "文苑街道", "丰收路街道"]
    recs = []
    i = 0
    for spec, n in groups:
        for _ in range(n):
            recs.append({"id": f"V{i:03d}", "town": towns[i % 6], "year": 2022, "pl": spec,
                         "income": float(i)})
            i += 1
    return make_county(recs)


def test_seed_ledger_has_104_villages() -> None:
    c = seed001_district_plan()
    assert len(c.branches) == 104
    assert int(c.branches["level"].sum()) == 0
    assert int(c.branches["level_planned"].sum()) == 264
