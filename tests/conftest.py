"""Shared fixtures: small county packages written in any shape the contract allows."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

RURAL_STARS = ["产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星", "支部过硬星"]
COMMUNITY_ONLY = ["共建共享星", "幸福和谐星", "宜业兴业星"]
LEDGER_HEADERS = ["支部编码", "村名", "乡镇（街道）", "类型", "年度", *RURAL_STARS, *COMMUNITY_ONLY,
                  "村集体经济收入（万元）", "人口", "户数", "党员数", "书记年龄", "书记星级", "软弱涣散"]

A, P = "已创成", "计划"


def ledger_rows() -> list[list[str]]:
    """A small valid two-year ledger: three villages and one community."""
    return [
        # id, name, town, kind, year, 产业 生态 平安 文明 过硬 共建 幸福 宜业, income, pop, hh, pm, age, rating, weak
        ["V1", "甲村", "东镇", "农村", "2023", A, P, A, A, "", "", "", "", "12.5", "1200", "300", "40", "45", "3", "否"],
        ["V2", "乙村", "东镇", "村", "2023", "", A, "", A, "", "", "", "", "3", "800", "210", "25", "52", "2", "是"],
        ["V3", "丙村", "南乡", "农村", "2023", "", "", "", A, "", "", "", "", "0", "500", "120", "18", "60", "1", "否"],
        ["C1", "丁社区", "西街道", "社区", "2023", "", "", A, "", "", A, P, "", "", "9000", "3000", "150", "40", "4", "否"],
        ["V1", "甲村", "东镇", "农村", "2024", A, A, A, A, A, "", "", "", "20", "1210", "302", "41", "46", "5", "否"],
        ["V2", "乙村", "东镇", "村", "2024", P, A, A, A, "", "", "", "", "5", "805", "211", "26", "53", "3", "否"],
        ["V3", "丙村", "南乡", "农村", "2024", "", P, "", A, "", "", "", "", "1.5", "498", "119", "18", "61", "2", "否"],
        ["C1", "丁社区", "西街道", "社区", "2024", "", "", A, "", "", A, A, A, "", "9100", "3020", "155", "41", "4", "否"],
    ]


SURVEY_HEADERS = ["问卷编号", "支部编码", "身份", "年龄", "性别", "姓名", "手机号", "S1", "S2", "I1", "K1", "P1", "M1", "T1"]


def survey_rows() -> list[list[str]]:
    rows = []
    groups = ["群众", "党员", "村干部", "居民"]
    branches = ["V1", "V2", "V3", "C1"]
    for i in range(24):
        rows.append([
            f"R{i:03d}", branches[i % 4], groups[i % 4], str(30 + i), "男" if i % 2 else "女",
            f"张{i}", f"1380000{i:04d}", str(1 + i % 5), str(1 + (i * 3) % 5), str(1 + (i * 2) % 5),
            str(i % 2), str((i + 1) % 2), "1;3" if i % 3 else "2",
            f"希望发展集体经济，电话1390000{i:04d}" if i % 5 == 0 else "",
        ])
    return rows


CODEBOOK_HEADERS = ["item", "text", "dimension", "role", "scale_min", "scale_max", "reverse", "options"]


def codebook_rows() -> list[list[str]]:
    return [
        ["S1", "对村里产业发展满意吗", "industry", "satisfaction", "1", "5", "否", ""],
        ["S2", "村里环境脏乱差问题突出", "ecology", "satisfaction", "1", "5", "是", ""],
        ["I1", "产业发展有多重要", "industry", "importance", "1", "5", "", ""],
        ["K1", "是否听说过五星支部创建", "awareness", "knowledge", "0", "1", "", "1=是;0=否"],
        ["P1", "是否参与过创建活动", "participation", "choice", "", "", "", "1=参与过;0=未参与"],
        ["M1", "最突出的问题", "problems", "multi", "", "", "", "1=集体经济薄弱;2=环境短板;3=参与不足"],
        ["T1", "您的建议", "suggestions", "text", "", "", "", ""],
    ]


COUNTY_YAML = "name: 测试县\ncode: test\nprovince: 河南省\ntargets:\n  share_3plus: 0.6\n  five_star: 2\n"


def write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list[str]]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, (headers, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(headers)
        for r in rows:
            ws.append([_excel_value(v) for v in r])
    wb.save(path)
    return path


def _excel_value(v: str):
    """Numbers as Excel numbers, as a clerk's workbook would hold them."""
    try:
        f = float(v)
        return int(f) if f.is_integer() and "." not in v else f
    except ValueError:
        return v if v != "" else None


def make_package(folder: Path, *, ledger=None, survey=True, county_yaml: str = COUNTY_YAML,
                 encoding: str = "utf-8", fmt: str = "csv", ledger_headers=None,
                 survey_data=None, codebook_data=None) -> Path:
    """Write a package; ``ledger``/``survey_data``/``codebook_data`` are (headers, rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    if county_yaml is not None:
        (folder / "county.yaml").write_text(county_yaml, encoding="utf-8")
    lh, lr = (ledger_headers or LEDGER_HEADERS), (ledger if ledger is not None else ledger_rows())
    sh, sr = survey_data or (SURVEY_HEADERS, survey_rows())
    ch, cr = codebook_data or (CODEBOOK_HEADERS, codebook_rows())
    if fmt == "csv":
        write_csv(folder / "ledger.csv", lh, lr, encoding)
        if survey:
            write_csv(folder / "survey.csv", sh, sr, encoding)
            write_csv(folder / "codebook.csv", ch, cr, encoding)
    elif fmt == "xlsx-files":
        write_xlsx(folder / "ledger.xlsx", {"Sheet1": (lh, lr)})
        if survey:
            write_xlsx(folder / "survey.xlsx", {"Sheet1": (sh, sr)})
            write_xlsx(folder / "codebook.xlsx", {"Sheet1": (ch, cr)})
    elif fmt == "workbook":
        sheets = {"台账": (lh, lr)}
        if survey:
            sheets.update({"问卷": (sh, sr), "编码表": (ch, cr)})
        write_xlsx(folder / "县级数据.xlsx", sheets)
    else:
        raise ValueError(fmt)
    return folder


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return make_package(tmp_path / "pkg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """The demo county package (seed 2024), written once per test session."""
    from fivestar_analysis.tools.demo import write_demo_package

    return write_demo_package(tmp_path_factory.mktemp("demo") / "county", seed=2024)


@pytest.fixture(scope="session")
def rendered(demo, tmp_path_factory):
    """The demo report rendered once (html, ipynb, xlsx): (RenderResult, html text)."""
    from fivestar_analysis.render.report import render_report

    out = tmp_path_factory.mktemp("reports")
    result = render_report(demo, out, formats=("html", "ipynb", "xlsx"))
    return result, result.html.read_text(encoding="utf-8")
