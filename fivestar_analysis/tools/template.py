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
from importlib import resources
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.rubric import Rubric, load_rubric

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
                    "reverse", "options", "missing"]
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
    """Lines of the 填表说明 sheet, from ``resources/demo/template-instructions.txt``."""
    path = resources.files("fivestar_analysis") / "resources" / "demo" / "template-instructions.txt"
    text = path.read_text(encoding="utf-8").format(
        stars_rural="、".join(s.zh for s in rubric.kinds["rural"].stars),
        stars_community="、".join(s.zh for s in rubric.kinds["community"].stars),
        awarded=STATUS_AWARDED, planned=STATUS_PLANNED)
    return text.rstrip("\n").split("\n")


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
        raise InvalidArgument(f"language {language!r} is not supported; the template is in Chinese")
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
    wb.move_sheet(notes, offset=-(len(wb.sheetnames) - 1))  # the clerk reads it first
    for ws in wb.worksheets:  # one selected tab, or Excel opens the sheets grouped
        ws.sheet_view.tabSelected = ws is notes
    wb.active = 0

    return write_atomically(path, lambda tmp: wb.save(tmp))
