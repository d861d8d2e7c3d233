"""Hand-built ledgers for the star-analysis tests (imported by the other test_stars_* files)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from fivestar_analysis.model.county import County, Targets

RURAL = ["industry", "ecology", "safety", "civility", "party_strong"]
COMMUNITY = ["co_build", "safety", "harmony", "livelihood", "party_strong"]
ABBR = {"I": "industry", "E": "ecology", "S": "safety", "C": "civility", "P": "party_strong",
        "B": "co_build", "H": "harmony", "L": "livelihood"}


def _keys(spec: str | Iterable[str]) -> list[str]:
    if isinstance(spec, str):
        return [ABBR[c] for c in spec]
    return list(spec)


def make_county(records: list[dict[str, Any]], *, year: int | None = None,
                targets: Targets | None = None, full: bool = True,
                rubric: Any = None) -> County:
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
                              targets=targets, rubric=rubric)


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


def tiny_county(targets: Targets | None = None) -> County:
    """Ten branches of 2024 in two townships, worked through by hand in the tests.

    ====  ====  =========  ==========  =======  ======  ========  ==========
    id    town  kind       awarded     planned  income  weak_lax  sec.rating
    ====  ====  =========  ==========  =======  ======  ========  ==========
    A1    甲镇  rural      IESCP (5)            120     no        5
    A2    甲镇  rural      IESC (4)             60      no        4
    A3    甲镇  rural      IEC (3)     S        30      no        3
    A4    甲镇  rural      EC (2)      I        8       no        2
    A5    甲镇  rural      C (1)                0       no        1
    B1    乙镇  rural      ESC (3)              15      no        3
    B2    乙镇  rural      SC (2)               4       no        2
    B3    乙镇  rural      - (0)       EC       2       yes       1
    K1    乙镇  community  BSHLP (5)                            5
    K2    乙镇  community  SH (2)      L                        3
    ====  ====  =========  ==========  =======  ======  ========  ==========
    """
    rows = [
        ("A1", "甲镇", "rural", "IESCP", "", 120.0, False, 5),
        ("A2", "甲镇", "rural", "IESC", "", 60.0, False, 4),
        ("A3", "甲镇", "rural", "IEC", "S", 30.0, False, 3),
        ("A4", "甲镇", "rural", "EC", "I", 8.0, False, 2),
        ("A5", "甲镇", "rural", "C", "", 0.0, False, 1),
        ("B1", "乙镇", "rural", "ESC", "", 15.0, False, 3),
        ("B2", "乙镇", "rural", "SC", "", 4.0, False, 2),
        ("B3", "乙镇", "rural", "", "EC", 2.0, True, 1),
        ("K1", "乙镇", "community", "BSHLP", "", None, None, 5),
        ("K2", "乙镇", "community", "SH", "L", None, None, 3),
    ]
    recs = [{"id": i, "town": t, "kind": k, "aw": aw, "pl": pl, "income": inc,
             "weak_lax": wl, "secretary_rating": sr}
            for i, t, k, aw, pl, inc, wl, sr in rows]
    return make_county(recs, targets=targets)


def test_tiny_levels_as_documented() -> None:
    c = tiny_county()
    got = dict(zip(c.branches["branch_id"], c.branches["level"]))
    assert got == {"A1": 5, "A2": 4, "A3": 3, "A4": 2, "A5": 1, "B1": 3, "B2": 2, "B3": 0,
                   "K1": 5, "K2": 2}
    planned = dict(zip(c.branches["branch_id"], c.branches["level_planned"]))
    assert planned["A3"] == 4 and planned["A4"] == 3 and planned["B3"] == 2 and planned["K2"] == 3


def test_seed_ledger_has_104_villages() -> None:
    c = seed001_district_plan()
    assert len(c.branches) == 104
    assert int(c.branches["level"].sum()) == 0
    assert int(c.branches["level_planned"].sum()) == 264
