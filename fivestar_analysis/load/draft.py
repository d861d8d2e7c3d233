"""``fivestar codebook``: a first codebook drafted from a survey export or an SPSS file.

One row per question column: an item id, the question text, a guessed role, the scale and
the options from the answers seen (or the SPSS value labels), the export's header as
``source``, and a dimension guessed from keywords — marked as a guess in ``note`` for the
researcher to check. The respondent's own columns (id, group, branch) become rows of role
``id``/``group``/``branch``; platform columns and columns that identify a person are left
out. Loading the export with the drafted codebook works as it stands.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from fivestar_analysis.errors import FivestarError
from fivestar_analysis.load.answers import AnswerMap, option_key
from fivestar_analysis.load.detect import Vocabulary, detect_table
from fivestar_analysis.load.privacy import is_identifying_header, mask_text
from fivestar_analysis.load.reading import read_grids
from fivestar_analysis.load.vocab import fold, normalize_header, question_number

__all__ = ["draft_codebook", "write_codebook", "DRAFT_COLUMNS"]

_NO_ANSWER = frozenset(option_key(w) for w in ("(跳过)", "(空)", "跳过", "-3", "-2"))

DRAFT_COLUMNS = ["item", "text", "dimension", "role", "scale_min", "scale_max", "reverse",
                 "options", "missing", "source", "note"]

# keyword -> dimension, tried in order (the first hit wins)
_DIMENSION_WORDS = [
    ("awareness", ("听说", "知道", "了解", "知晓")),
    ("participation", ("参与", "参加")),
    ("suggestions", ("建议", "意见")),
    ("overall", ("总体", "整体", "总的来说", "总的")),
    ("industry", ("产业", "集体经济", "增收", "就业", "务工", "收入")),
    ("ecology", ("环境", "生态", "卫生", "垃圾", "污水", "人居", "绿化")),
    ("safety", ("治安", "平安", "法治", "安全", "纠纷", "矛盾")),
    ("civility", ("文明", "风气", "移风易俗", "文化", "乡风", "邻里")),
    ("party_strong", ("支部", "党建", "党员", "干部", "班子", "书记", "村务")),
]
_PROBLEM_WORDS = ("问题", "短板", "困难", "不足")


def _guess_dimension(text: str, role: str = "") -> str:
    if role == "multi" and any(w in text for w in _PROBLEM_WORDS):
        return "problems"
    for dim, words in _DIMENSION_WORDS:
        if any(w in text for w in words):
            return dim
    return ""


def _split_multi(values: pd.Series) -> bool:
    return bool(values.str.contains("┋", regex=False).mean() > 0.05) if len(values) else False


def _draft_item(item: str, header: str, values: pd.Series, labels: dict[str, str],
                variable_label: str | None) -> dict:
    text = variable_label or re.sub(r"[:：?？]+$", "", normalize_header(header) or header)
    text = _QUESTION_PREFIX.sub("", header.strip()).rstrip("：:？? ") or text
    filled = values[(values != "") & ~values.map(option_key).isin(_NO_ANSWER)]
    distinct = list(dict.fromkeys(filled))
    row = {"item": item, "text": text, "dimension": "", "role": "", "scale_min": "",
           "scale_max": "", "reverse": "", "options": "", "missing": "", "source": header,
           "note": ""}
    dim = _guess_dimension(text)
    notes = []
    five = AnswerMap(1, 5, None)
    binary = AnswerMap(0, 1, None)
    coded5 = [five.code(v) for v in distinct]
    if labels:
        row["role"] = "choice"
        row["options"] = ";".join(f"{k}={v}" for k, v in labels.items())
        words = [option_key(v) for v in labels.values()]
        if len(labels) >= 5 and sum(1 for w in words if five.code(w) not in (None, "missing")) >= 4:
            row["role"] = "importance" if "重要" in "".join(words) else "satisfaction"
            row["scale_min"], row["scale_max"] = 1, 5
    elif _split_multi(filled):
        parts = list(dict.fromkeys(p for v in filled for p in re.split(r"┋", v) if p))
        row["role"] = "multi"
        row["options"] = ";".join(f"{i}={p}" for i, p in enumerate(parts, start=1))
    elif distinct and all(isinstance(c, float) or c == "missing" for c in coded5) and any(
            isinstance(c, float) for c in coded5) and not all(
            _is_number(v) for v in distinct):
        words = "".join(distinct)
        row["role"] = "importance" if "重要" in words else "satisfaction"
        row["scale_min"], row["scale_max"] = 1, 5
    elif distinct and all(isinstance(binary.code(v), float) or binary.code(v) == "missing"
                          for v in distinct) and not all(_is_number(v) for v in distinct):
        row["role"] = "knowledge" if dim == "awareness" else "choice"
        row["scale_min"], row["scale_max"] = 0, 1
        yes = next((v for v in distinct if binary.code(v) == 1.0), "是")
        no = next((v for v in distinct if binary.code(v) == 0.0), "否")
        row["options"] = f"1={yes};0={no}"
    elif distinct and all(_is_number(v) for v in distinct):
        nums = sorted({float(v) for v in distinct})
        if set(nums) <= {1, 2, 3, 4, 5}:
            row["role"], row["scale_min"], row["scale_max"] = "satisfaction", 1, 5
            notes.append("按1–5分量表猜测")
        elif set(nums) <= {0, 1}:
            row["role"], row["scale_min"], row["scale_max"] = "choice", 0, 1
            row["options"] = "1=是;0=否"
        else:
            row["role"] = "choice"
            row["options"] = ";".join(f"{v:g}={v:g}" for v in nums)
            notes.append("请补充选项文字")
    elif (distinct and len(distinct) <= 12 and max(len(v) for v in distinct) <= 15
          and len(filled) >= 3 * len(distinct)):
        row["role"] = "choice"
        row["options"] = ";".join(f"{i}={mask_text(v)}" for i, v in enumerate(distinct, start=1))
    else:
        row["role"] = "text"
    dim = _guess_dimension(text, row["role"])
    if row["role"] == "text" and not dim:
        dim = "suggestions"
    if row["role"] == "multi" and not dim:
        dim = "problems"
    if not dim:
        dim = "overall" if row["role"] in ("satisfaction", "importance") else "problems"
        notes.append("维度无法从题目猜出，请填写")
    else:
        notes.append("维度为按关键词的猜测，请核对")
    row["dimension"] = dim
    row["note"] = "；".join(notes)
    return row


_QUESTION_PREFIX = re.compile(r"^\s*(?:第\d+题[.、:：]?|[Qq]\d+[.、:：)）]?|\(\d+\)|（\d+）|\d+[、.．)）])\s*")


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def draft_codebook(path: str | Path) -> pd.DataFrame:
    """Draft a codebook from a survey export (.xlsx/.xls/.csv) or an SPSS .sav file."""
    path = Path(path)
    if not path.is_file():
        raise FivestarError(f"没有这个文件：{path}（file not found）")
    from fivestar_analysis.load.ledger import star_header_names
    from fivestar_analysis.model.rubric import load_rubric

    grids = read_grids(path)
    vocab = Vocabulary.build(star_header_names(load_rubric()))
    tables = [detect_table(g, vocab) for g in grids]
    tables = [t for t in tables if t.table is not None and t.role not in ("ledger", "codebook")]
    if not tables:
        raise FivestarError(f"{path.name}：没有找到问卷数据（Sheet 为空或无法识别表头）")
    t = max(tables, key=lambda x: len(x.table.frame))
    raw = t.table
    rows = []
    used: set[str] = set()
    pointer_roles = {"respondent_id": "id", "group": "group", "branch_id": "branch"}
    for pos, header in enumerate(raw.headers):
        if not header:
            continue
        canonical = vocab.match("survey", header)
        if canonical in pointer_roles:
            rows.append({**{c: "" for c in DRAFT_COLUMNS}, "item": canonical,
                         "text": _QUESTION_PREFIX.sub("", header).rstrip("：:？? "),
                         "role": pointer_roles[canonical], "source": header,
                         "note": "受访者信息列（不是题目）"})
            continue
        if canonical is not None or is_identifying_header(header):
            continue  # platform columns, names, phones, IP addresses, age, gender …
        number = question_number(header)
        item = f"Q{number}" if number is not None else re.sub(r"\W+", "_", fold(header))[:20]
        while item in used or not item:
            item = f"{item or 'Q'}_{len(used) + 1}"
        used.add(item)
        rows.append(_draft_item(item, header, raw.frame[pos], raw.value_labels.get(header, {}),
                                raw.variable_labels.get(header)))
    book = pd.DataFrame(rows, columns=DRAFT_COLUMNS)
    return book


def write_codebook(book: pd.DataFrame, out: str | Path) -> Path:
    """Write a drafted codebook as .xlsx (text cells stay text) or .csv (UTF-8 with BOM)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    if out.suffix.lower() == ".csv":
        book.to_csv(tmp, index=False, encoding="utf-8-sig")
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "编码表"
        ws.append(list(book.columns))
        for values in book.itertuples(index=False):
            ws.append([None if v == "" else v for v in values])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a header such as “=…” stays text
        for col, width in zip("ABCDEFGHIJK", (10, 40, 14, 14, 9, 9, 8, 40, 9, 40, 30)):
            ws.column_dimensions[col].width = width
        wb.save(tmp)
    tmp.replace(out)
    return out
