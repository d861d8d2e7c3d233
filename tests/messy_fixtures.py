"""County packages in the shapes offices and survey platforms really produce.

Every builder here writes the *same* data as ``conftest.make_package`` (three villages and a
community over two years, 24 questionnaires), only shaped the way a clerk's workbook, a
township-by-township collection or an online-survey export shapes it — so a test can load
both and demand identical results. Text that must never reach an output (a clerk's name
and phone in a footer, a title line, subtotal labels, IP addresses) is listed in
``SECRETS``.
"""

from __future__ import annotations

from pathlib import Path

from conftest import (
    CODEBOOK_HEADERS,
    COUNTY_YAML,
    RURAL_STARS,
    codebook_rows,
    ledger_rows,
    survey_rows,
    write_csv,
)

GROUP_HEADER = "创建情况（已创成的打√）"
STAR_HEADERS = [*RURAL_STARS, "共建共享星", "幸福和谐星", "宜业兴业星"]
TITLE = "测试县2024年度“五星”支部创建台账（内部）"
CLERK = "王小明"
CLERK_PHONE = "13912345678"
AUDITOR = "李审核"
IP = "123.45.67.89"
SECRETS = [TITLE, CLERK, CLERK_PHONE, AUDITOR, IP, "东镇小计", "全县合计", "测试县委组织部"]

TOWNS = ["东镇", "南乡", "西街道"]


def _rows_by_year() -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for r in ledger_rows():
        out.setdefault(r[4], []).append(r)
    return out


def _mark(cell: str) -> str:
    """Clerks tick awarded stars with √ and write 计划 for declared ones."""
    return {"已创成": "√", "计划": "计划", "": ""}[cell]


def _clerk_sheet(ws, rows: list[list[str]], *, with_year: bool, with_township: bool,
                 title: str = TITLE) -> None:
    """A clerk's sheet: title, unit/date line, two-row merged header, 序号, township cells
    merged over their villages, 小计 after each township, a blank row, 合计, a footer."""
    base = ["序号", "支部编码", "村（社区）名称"]
    if with_township:
        base.append("乡镇（街道）名称")
    base.append("类型")
    if with_year:
        base.append("年度")
    tail = ["集体经济收入（万元）", "人口", "户数", "党员数", "书记年龄", "书记星级", "软弱涣散"]
    width = len(base) + len(STAR_HEADERS) + len(tail)
    ws.append([title] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：测试县委组织部", None, None, None, "填报日期：2024年12月31日"])
    top = base + [GROUP_HEADER] + [None] * (len(STAR_HEADERS) - 1) + tail
    sub = [None] * len(base) + STAR_HEADERS + [None] * len(tail)
    ws.append(top)
    ws.append(sub)
    for c in range(1, len(base) + 1):  # vertically merged header cells
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    first_star = len(base) + 1
    ws.merge_cells(start_row=3, start_column=first_star, end_row=3,
                   end_column=first_star + len(STAR_HEADERS) - 1)
    for k, c in enumerate(range(first_star + len(STAR_HEADERS), width + 1)):
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    n = 0
    by_town: dict[str, list[list[str]]] = {}
    for r in rows:
        by_town.setdefault(r[2], []).append(r)
    for town, town_rows in by_town.items():
        start = ws.max_row + 1
        for r in town_rows:
            n += 1
            cells = [n, r[0], r[1]]
            if with_township:
                cells.append(r[2])
            cells.append(r[3])
            if with_year:
                cells.append(int(r[4]))
            cells += [_mark(v) for v in r[5:13]]
            cells += [_num(v) for v in r[13:19]] + [r[19]]
            ws.append(cells)
        if with_township and len(town_rows) > 1:  # the township written once, merged down
            col = base.index("乡镇（街道）名称") + 1
            for row in range(start + 1, ws.max_row + 1):
                ws.cell(row=row, column=col).value = None
            ws.merge_cells(start_row=start, start_column=col, end_row=ws.max_row, end_column=col)
        ws.append([None, None, f"{town}小计"] + [None] * (width - 4) + [len(town_rows)])
        if town == "东镇":
            ws.append([])  # a blank row in the middle
            ws.append(top[: len(base)])  # a header repeated on a new printed page
    ws.append(["全县合计", None, None] + [None] * (width - 3))
    ws.append([])
    ws.append([f"填表人：{CLERK}", None, None, f"联系电话：{CLERK_PHONE}"])
    ws.append([f"审核人：{AUDITOR}"])
    ws.append(["备注：已创成的星打√，计划创建的写“计划”。"])


def _num(v: str):
    if v == "":
        return None
    f = float(v)
    return int(f) if f.is_integer() and "." not in v else f


def _write_survey_and_codebook(folder: Path) -> None:
    from conftest import SURVEY_HEADERS

    write_csv(folder / "survey.csv", SURVEY_HEADERS, survey_rows())
    write_csv(folder / "codebook.csv", CODEBOOK_HEADERS, codebook_rows())


def clerk_workbook_package(folder: Path) -> Path:
    """One workbook, one sheet per year (no year column: the sheet name says it), in the
    clerk's layout; the survey in the canonical shape."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    wb = Workbook()
    wb.remove(wb.active)
    for year, rows in _rows_by_year().items():
        _clerk_sheet(wb.create_sheet(f"{year}年度"), rows, with_year=False, with_township=True,
                     title=TITLE.replace("2024", year))
    chart = wb.create_sheet("说明")  # a notes sheet that is no table
    chart.append(["本表由乡镇填报，县委组织部汇总。"])
    wb.create_sheet("Sheet3")  # an empty default sheet
    wb.save(folder / "示范台账.xlsx")
    _write_survey_and_codebook(folder)
    return folder


def township_split_package(folder: Path, *, fmt: str = "xlsx") -> Path:
    """One workbook (or CSV) per township in a 台账/ sub-folder, no township column."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    sub = folder / "台账"
    sub.mkdir()
    by_town: dict[str, list[list[str]]] = {}
    for r in ledger_rows():
        by_town.setdefault(r[2], []).append(r)
    for town, rows in by_town.items():
        if fmt == "xlsx":
            wb = Workbook()
            _clerk_sheet(wb.active, rows, with_year=True, with_township=False,
                         title=f"{town}“五星”支部创建台账")
            wb.save(sub / f"{town}台账.xlsx")
        else:
            headers = ["支部编码", "村名", "类型", "年度", *STAR_HEADERS, "村集体经济收入（万元）",
                       "人口", "户数", "党员数", "书记年龄", "书记星级", "软弱涣散"]
            write_csv(sub / f"{town}.csv", headers,
                      [r[:2] + r[3:] for r in rows], encoding="gbk")
    _write_survey_and_codebook(folder)
    return folder


def township_sheets_package(folder: Path) -> Path:
    """One workbook with one sheet per township (sheet name = township), no township column."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    wb = Workbook()
    wb.remove(wb.active)
    by_town: dict[str, list[list[str]]] = {}
    for r in ledger_rows():
        by_town.setdefault(r[2], []).append(r)
    for town, rows in by_town.items():
        _clerk_sheet(wb.create_sheet(town), rows, with_year=True, with_township=False,
                     title=f"{town}台账")
    wb.save(folder / "各乡镇台账.xlsx")
    _write_survey_and_codebook(folder)
    return folder


# -- an online-survey export ----------------------------------------------------------------

SATISFACTION = {1: "非常不满意", 2: "不太满意", 3: "一般", 4: "比较满意", 5: "非常满意"}
IMPORTANCE = {1: "很不重要", 2: "不太重要", 3: "一般", 4: "比较重要", 5: "非常重要"}
PLATFORM_HEADERS = {
    "S1": "5、您对村里产业发展满意吗？",
    "S2": "6、村里环境脏乱差问题突出：",
    "I1": "7、产业发展有多重要：",
    "K1": "8、是否听说过五星支部创建：",
    "P1": "9、是否参与过创建活动：",
    "M1": "10、最突出的问题（多选）：",
    "T1": "11、您的建议：",
}
M1_OPTIONS = {1: "集体经济薄弱", 2: "环境短板", 3: "参与不足"}


def platform_export(*, spread_multi: bool = False, by_text: bool = False
                    ) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(headers, rows, codebook rows) of a 问卷星-style export of ``survey_rows()``.

    Answers are words, multi-select answers joined with ┋ (or spread over one 0/1 column
    per option), and the platform's own columns come first. With ``by_text`` the codebook
    has no ``source`` column: items are found by their question text.
    """
    headers = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
               "1、您的身份：", "2、您所在村（社区）的支部编码：", "3、您的年龄：", "4、您的性别：",
               "姓名", "手机号"]
    items = ["S1", "S2", "I1", "K1", "P1"]
    headers += [PLATFORM_HEADERS[i] for i in items]
    if spread_multi:
        headers += [f"10({label})" for label in M1_OPTIONS.values()]
    else:
        headers.append(PLATFORM_HEADERS["M1"])
    headers.append(PLATFORM_HEADERS["T1"])
    rows = []
    for i, r in enumerate(survey_rows()):
        rid, bid, group, age, gender, name, phone, s1, s2, i1, k1, p1, m1, t1 = r
        row = [rid.lstrip("R").lstrip("0") or "0", f"2024/11/{1 + i % 28} 10:{i:02d}:00",
               f"{30 + 17 * i}秒", "手机提交", "微信", f"{IP}(河南-郑州)" if i == 0 else
               f"10.0.{i}.{i}(河南-郑州)", group, bid, age, gender, name, phone,
               SATISFACTION[int(s1)], SATISFACTION[int(s2)], IMPORTANCE[int(i1)],
               {"1": "是", "0": "否"}[k1], {"1": "参与过", "0": "未参与"}[p1]]
        codes = [int(c) for c in m1.split(";")]
        if spread_multi:
            row += ["1" if c in codes else "0" for c in M1_OPTIONS]
        else:
            row.append("┋".join(M1_OPTIONS[c] for c in codes))
        row.append(t1 if t1 else "(跳过)")
        rows.append(row)
    book = []
    for r in codebook_rows():
        item = r[0]
        if by_text:
            text = PLATFORM_HEADERS[item].split("、", 1)[1].rstrip("：？")
            book.append([item, text, *r[2:], ""])
        else:
            book.append([*r, PLATFORM_HEADERS[item]])
    return headers, rows, book


def platform_package(folder: Path, *, spread_multi: bool = False, by_text: bool = False,
                     fmt: str = "xlsx") -> Path:
    """The canonical ledger with the survey as an online platform exports it."""
    from conftest import LEDGER_HEADERS, write_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "county.yaml").write_text(COUNTY_YAML, encoding="utf-8")
    write_csv(folder / "ledger.csv", LEDGER_HEADERS, ledger_rows())
    headers, rows, book = platform_export(spread_multi=spread_multi, by_text=by_text)
    if fmt == "xlsx":
        write_xlsx(folder / "五星支部创建满意度调查_问卷星导出.xlsx", {"Sheet1": (headers, rows)})
    else:
        write_csv(folder / "问卷导出.csv", headers, rows, encoding="gbk")
    write_csv(folder / "编码表.csv", [*CODEBOOK_HEADERS, "source"], book)
    return folder


def canonical_respondent_ids() -> dict[str, str]:
    """The platform numbers its respondents 0, 1, …: map back to the canonical R000 ids."""
    return {(r[0].lstrip("R").lstrip("0") or "0"): r[0] for r in survey_rows()}
