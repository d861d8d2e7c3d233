"""Table display: formats chosen per column (and per row where columns mix kinds), labels,
text left and numbers right, every cell escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from fivestar_analysis.present.display import format_table, table_html


def test_target_rows_show_a_share_as_a_percentage_and_counts_as_whole_numbers():
    df = pd.DataFrame({"target_name": ["share_3plus", "level_5"], "level": [3, 5],
                       "target_value": [0.67, 13.0], "actual_value": [0.5628, 13.0]})
    shown = format_table(df)
    assert list(shown.columns) == ["目标", "星级", "目标值", "实际值"]
    assert shown.iloc[0].tolist() == ["三星以上占比", "3", "67.0%", "56.3%"]
    assert shown.iloc[1].tolist()[2:] == ["13", "13"]


def test_shares_p_values_and_missing_values():
    df = pd.DataFrame({"share_3plus": [0.5, None], "p_value": [0.0004, 0.2], "n": [10, 3]})
    shown = format_table(df, language="en")
    assert shown.iloc[0, 0] == "50.0%" and shown.iloc[1, 0] == "—"
    assert shown.iloc[1, 2] == "3"


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self.cells.append((tag, dict(attrs).get("class")))

    def handle_data(self, data):
        pass


def test_text_columns_are_marked_and_values_escaped():
    df = pd.DataFrame({"branch_name": ["<b>甲村</b>", "乙村"], "n": [3, 4], "township": ["东镇", "南乡"]})
    html = table_html(df, caption="表")
    parser = _Cells()
    parser.feed(html)
    classes = [c for _, c in parser.cells]
    assert classes == ["text", None, "text", "text", None, "text"]
    assert "&lt;b&gt;甲村&lt;/b&gt;" in html and "<b>甲村" not in html


def test_years_have_no_thousands_separator_and_counts_do():
    df = pd.DataFrame({"year": [2022, 2025], "year_to": [2023, 2025], "n": [1234, 5]})
    shown = format_table(df)
    assert shown.iloc[0].tolist() == ["2022", "2023", "1,234"]


def test_a_chinese_table_carries_no_english_keys():
    df = pd.DataFrame({"dimension": ["industry"], "unit": ["branch"], "n_branches": [12],
                       "role": ["text"], "closes_gap": [True],
                       "declared_not_awarded": ["industry;ecology"]})
    from fivestar_analysis.model.rubric import load_rubric

    rubric = load_rubric()
    shown = format_table(df, language="zh", rubric=rubric)
    assert not any(str(c).isascii() for c in shown.columns), list(shown.columns)
    row = shown.iloc[0].tolist()
    assert row[1] == "支部" and row[3] == "开放题" and row[4] == "是"
    assert row[5] == "产业兴旺星、生态宜居星"
    en = format_table(df, language="en", rubric=rubric).iloc[0].tolist()
    assert en[4] == "yes" and "," in en[5]


def test_the_workbook_keeps_only_the_report_language_column(tmp_path):
    from openpyxl import load_workbook

    from fivestar_analysis.present.workbook import write_tables_xlsx

    df = pd.DataFrame({"rating": [1], "action_zh": ["调整撤换"], "action_en": ["replace"],
                       "name": ["=HYPERLINK(\"http://x\")"]})
    path = write_tables_xlsx({"secretaries": df}, tmp_path / "t.xlsx", language="zh")
    ws = load_workbook(path).active
    values = [c.value for c in ws[2]]
    assert "replace" not in values and "调整撤换" in values
    formula = ws.cell(row=2, column=3)
    assert formula.data_type == "s" and formula.value.startswith("=")
