"""The blank Excel template a township clerk fills in, and the headers it shares with the demo.

``write_template(path)`` writes one workbook with the sheets the loader reads (台账, 问卷,
编码表) plus a 填表说明 sheet of instructions. Header row 1 holds the Chinese headers of
the county data package; drop-down lists guard the cells with a fixed vocabulary (branch
kind, star status, yes/no, secretary rating, respondent group, codebook role and
dimension). The demo generator writes its ledger under exactly these headers.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fivestar_analysis.rubric import Rubric, load_rubric

__all__ = [
    "LEDGER_ID_HEADERS",
    "LEDGER_INDICATOR_HEADERS",
    "LEDGER_EXTRA_HEADERS",
    "SURVEY_BASE_HEADERS",
    "CODEBOOK_HEADERS",
    "STATUS_AWARDED",
    "STATUS_PLANNED",
    "star_headers",
    "ledger_headers",
    "write_atomically",
    "write_template",
]

LEDGER_ID_HEADERS = ["支部编码", "支部名称", "乡镇（街道）", "类型", "年度"]
LEDGER_INDICATOR_HEADERS = [
    "村集体经济收入（万元）", "人口", "户数", "党员数",
    "书记年龄", "书记学历", "书记星级", "软弱涣散",
]
#: Extra indicators: the loader keeps them under their own header.
LEDGER_EXTRA_HEADERS = ["脱贫户数", "村级活动场所面积（平方米）"]
SURVEY_BASE_HEADERS = ["问卷编号", "支部编码", "身份", "年龄", "性别", "文化程度"]
CODEBOOK_HEADERS = ["item", "text", "dimension", "role", "scale_min", "scale_max",
                    "reverse", "options"]
STATUS_AWARDED = "已创成"
STATUS_PLANNED = "计划"

KIND_VALUES = ["农村", "社区"]
GROUP_VALUES = ["群众", "党员", "村干部"]
ROLE_VALUES = ["satisfaction", "importance", "knowledge", "choice", "multi", "text"]
OTHER_DIMENSIONS = ["overall", "awareness", "participation", "problems", "suggestions"]

_ROWS = 5000  # drop-downs cover this many data rows
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_FONT = Font(bold=True)


def star_headers(rubric: Rubric | None = None) -> list[str]:
    """Chinese names of every star column: the rural stars, then community-only stars.

    >>> star_headers()[:2]
    ['产业兴旺星', '生态宜居星']
    """
    rubric = rubric or load_rubric()
    names: list[str] = []
    for kind in ("rural", "community"):
        for star in rubric.kinds[kind].stars:
            if star.zh not in names:
                names.append(star.zh)
    return names


def ledger_headers(rubric: Rubric | None = None) -> list[str]:
    """Every ledger header in column order, as the demo writes it and the template shows it."""
    return [*LEDGER_ID_HEADERS, *star_headers(rubric), *LEDGER_INDICATOR_HEADERS,
            *LEDGER_EXTRA_HEADERS]


def write_atomically(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it into place.

    A reader never sees a half-written file, and a failed write leaves the old file intact.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)  # mkstemp makes the file private; give it the usual permissions
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _header_row(ws: Worksheet, headers: list[str]) -> None:
    ws.append(headers)
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col)
        cell.fill = _HEADER_FILL
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center")
        # CJK characters are about two Latin characters wide.
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 4
        ws.column_dimensions[get_column_letter(col)].width = max(10, width)
    ws.freeze_panes = "A2"


def _drop_down(ws: Worksheet, headers: list[str], header: str, values: list[str],
               prompt: str) -> None:
    """A list validation on the column under ``header`` (blank cells allowed)."""
    col = get_column_letter(headers.index(header) + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                        showErrorMessage=True, showInputMessage=True)
    dv.promptTitle = header
    dv.prompt = prompt
    dv.errorTitle = "输入有误"
    dv.error = f"请从下拉列表中选择：{'、'.join(values)}（也可留空）"
    dv.add(f"{col}2:{col}{_ROWS + 1}")
    ws.add_data_validation(dv)


def _instructions(rubric: Rubric) -> list[str]:
    stars_rural = "、".join(s.zh for s in rubric.kinds["rural"].stars)
    stars_comm = "、".join(s.zh for s in rubric.kinds["community"].stars)
    return [
        "填表说明",
        "",
        "一、这个工作簿是一个县（区）数据包的数据部分，共三张表，表名不要改动：",
        "  台账：每个村（社区）党支部每个年度填一行。同一个支部在不同年度用同一个支部编码。",
        "  问卷：每位受访者填一行（没有开展问卷调查的，这张表和编码表可以空着）。",
        "  编码表：问卷表里每一道题（每一列答案）在这里登记一行，说明题目、维度和题型。",
        "  本说明表不会被读取，可以保留。",
        "",
        "二、台账怎么填",
        "  类型：从下拉列表选“农村”或“社区”。",
        f"  农村支部填写这五颗星：{stars_rural}；",
        f"  社区支部填写这五颗星：{stars_comm}。不属于本类型的星留空。",
        f"  每颗星的状态：年度评定通过的填“{STATUS_AWARDED}”；年初申报争创、年底未评上的填"
        f"“{STATUS_PLANNED}”；没有申报的留空。评上的星一定也是申报过的。",
        "  支部过硬星只有在其他四颗星都评上时才能评定，因此它的数量应等于五星支部的数量。",
        "  村集体经济收入以万元为单位填数字（如 12.5 表示 12.5 万元），不要带“万元”字样；"
        "农村支部在报告年度必须填写，社区可以空着。",
        "  人口、户数、党员数、书记年龄填整数；书记星级填 1 到 5；软弱涣散选“是”或“否”。",
        "  需要的话可以在最后增加其他指标列（如脱贫户数），工具会原样保留。",
        "",
        "三、问卷怎么填",
        "  问卷编号不能重复；支部编码必须是台账里已有的编码；身份从下拉列表选群众、党员或村干部。",
        "  基本信息之后，每道题占一列，列名就是编码表中的题号（如 S1_1）。",
        "  满意度、重要性题按 1—5 分填写（5 分最好）；说不清的可以填 9，会按缺失处理。",
        "  多选题把选中的选项编号用英文分号隔开，如 1;3。开放题直接填写文字。",
        "  受访者的姓名、电话、身份证号等信息不要录入；即使录入，生成报告时也会被去掉。",
        "",
        "四、编码表怎么填",
        "  item：题号，与问卷表列名一致；text：题目原文；dimension：所属维度（星的英文代码，"
        "或 overall、awareness、participation、problems、suggestions）；",
        "  role：题型（satisfaction 满意度、importance 重要性、knowledge 知晓、choice 单选、"
        "multi 多选、text 开放题）；scale_min、scale_max：量表最小值和最大值（默认 1 和 5）；",
        "  reverse：反向题（分数越高表示越差）选“是”，其余选“否”；options：选项编码，"
        "写成“1=知道;0=不知道”。",
        "",
        "五、与工作簿放在同一个文件夹里的 county.yaml",
        "  工作簿旁边还要放一个名为 county.yaml 的文本文件，写明县名和报告年度等信息。"
        "可以复制下面的例子，再改成本县的内容（用记事本保存为 UTF-8 编码）：",
        "",
        "name: 某某县",
        "code: mouxian",
        "province: 河南省",
        "city: 某某市",
        "year: 2024",
        "language: zh",
        "targets:",
        "  share_3plus: 0.60",
        "  five_star: 5",
        "rubric: henan-2022",
        "",
        "  code 只能用小写英文字母、数字、下划线和短横线；year 是报告年度；"
        "targets 是年度目标（三星以上占比、五星支部个数），可以不写。",
    ]


def write_template(path: str | os.PathLike[str], language: str = "zh") -> Path:
    """Write a blank county workbook that a township clerk can fill in.

    Parameters
    ----------
    path
        Where to write the ``.xlsx`` file; its folder is created if needed.
    language
        Only ``"zh"`` is supported: the clerks' headers are Chinese.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> write_template("县名-台账模板.xlsx")  # doctest: +SKIP
    """
    if language != "zh":
        raise ValueError(f"language {language!r} is not supported; the template is in Chinese")
    rubric = load_rubric()
    wb = Workbook()
    ledger = wb.active
    ledger.title = "台账"
    headers = ledger_headers(rubric)
    _header_row(ledger, headers)
    _drop_down(ledger, headers, "类型", KIND_VALUES, "农村或社区")
    status = [STATUS_AWARDED, STATUS_PLANNED]
    for star in star_headers(rubric):
        _drop_down(ledger, headers, star, status, "已创成 / 计划，未申报留空")
    _drop_down(ledger, headers, "软弱涣散", ["是", "否"], "是否为软弱涣散党组织")
    _drop_down(ledger, headers, "书记星级", ["1", "2", "3", "4", "5"], "支部书记星级 1—5")

    survey = wb.create_sheet("问卷")
    _header_row(survey, SURVEY_BASE_HEADERS)
    _drop_down(survey, SURVEY_BASE_HEADERS, "身份", GROUP_VALUES, "群众、党员或村干部")
    _drop_down(survey, SURVEY_BASE_HEADERS, "性别", ["男", "女"], "男或女")

    codebook = wb.create_sheet("编码表")
    _header_row(codebook, CODEBOOK_HEADERS)
    codebook.column_dimensions["B"].width = 50
    codebook.column_dimensions["H"].width = 40
    _drop_down(codebook, CODEBOOK_HEADERS, "role", ROLE_VALUES, "题型")
    _drop_down(codebook, CODEBOOK_HEADERS, "dimension",
               rubric.all_star_keys() + OTHER_DIMENSIONS, "所属维度")
    _drop_down(codebook, CODEBOOK_HEADERS, "reverse", ["是", "否"], "是否反向计分")

    notes = wb.create_sheet("填表说明")
    for line in _instructions(rubric):
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 110
    for row in notes.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    return write_atomically(path, lambda tmp: wb.save(tmp))
