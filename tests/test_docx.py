"""The report as a Word document (issue 14): structure, numbers, pictures, fonts, escaping.

A small demo county (seeded) is described once in Chinese and once in English and written
as .docx; python-docx reads the files back. Numbers are checked against the HTML report's
tables (the same county, the same formatter) and against counts taken from the ledger.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

docx = pytest.importorskip("docx", reason="python-docx is not installed")

from docx.oxml.ns import qn
from docx.shared import Mm

from fivestar_analysis.describe.county import describe_county
from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.load.loader import load_county
from fivestar_analysis.present import sections
from fivestar_analysis.present.docx import docx_style, write_comparison_docx, write_report_docx
from fivestar_analysis.present.docx.page import DocxPage
from fivestar_analysis.present.docx.style import STYLE_NAMES, apply_style
from fivestar_analysis.present.escape import docx_text
from fivestar_analysis.present.text import text
from fivestar_analysis.tools.demo import write_demo_package

SECTIONS = ("basic", "achievements", "problems", "causes", "measures", "appendix")
SMALL = {"n_townships": 6, "n_villages": 60, "n_communities": 6, "n_respondents": 600}


@pytest.fixture(scope="module")
def small_county(tmp_path_factory):
    pkg = write_demo_package(tmp_path_factory.mktemp("docx") / "county", seed=7, **SMALL)
    return load_county(pkg)


@pytest.fixture(scope="module")
def zh(small_county, tmp_path_factory):
    rep = describe_county(small_county, generated="2026-12-03")
    path = write_report_docx(rep, tmp_path_factory.mktemp("zh") / "报告.docx")
    return rep, path, docx.Document(path)


@pytest.fixture(scope="module")
def en(small_county, tmp_path_factory):
    rep = describe_county(small_county, language="en", generated="2026-12-03")
    # a lower chart resolution through the style overrides (and a faster test)
    path = write_report_docx(rep, tmp_path_factory.mktemp("en") / "report.docx", language="en",
                             style_overrides={"chart_dpi": 100})
    return rep, path, docx.Document(path)


def _headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def _captioned_tables(document) -> dict[str, list[list[str]]]:
    """Each Word table by the caption paragraph just above it (without 表n)."""
    out, caption = {}, None
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            para = docx.text.paragraph.Paragraph(child, document)
            caption = re.sub(r"^(表\d+　|Table \d+\. )", "", para.text) if para.style.name == "Caption" else None
        elif child.tag == qn("w:tbl") and caption:
            table = docx.table.Table(child, document)
            out[caption] = [[c.text for c in row.cells] for row in table.rows]
            caption = None
    return out


class _HtmlTables(HTMLParser):
    """Every <table> of an HTML string by its <caption>: rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._rows, self._cell, self._caption, self._in_caption = {}, None, None, "", False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(self._cell.strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption] = [r for r in self._rows if r]
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


def _html_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _HtmlTables()
    parser.feed(html)
    return parser.tables


# -- structure ------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["zh", "en"])
def test_every_section_is_a_heading_and_the_title_is_the_title_style(which, request):
    rep, _, document = request.getfixturevalue(which)
    assert _headings(document, 1) == [text(f"section.{k}", rep.language) for k in SECTIONS]
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == [sections.report_title(rep)]
    subs = _headings(document, 2)
    assert text("basic.targets", rep.language) in subs
    assert text("appendix.methods", rep.language) in subs


def test_contents_field_at_the_top_and_page_numbers_in_the_footer(zh):
    _, path, _ = zh
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
        footers = "".join(z.read(n).decode("utf-8") for n in z.namelist() if "footer" in n)
        settings = z.read("word/settings.xml").decode("utf-8")
    toc_at = body.index("TOC \\o")
    assert toc_at < body.index(text("section.basic", "zh"))
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footers)
    assert "— " in footers and " —" in footers  # the official "— 1 —"
    assert "updateFields" in settings


def test_findings_keep_their_ids_and_recommendations_link_to_them(zh):
    rep, path, document = zh
    assert rep.findings and rep.recommendations
    finding_heads = [h for h in _headings(document, 2) if re.match(r"F\d+ ", h)]
    assert [h.split()[0] for h in finding_heads] == [f"F{i}" for i in range(1, len(rep.findings) + 1)]
    assert finding_heads[0] == f"F1 {sections.finding_title(rep, rep.findings[0])}"
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode("utf-8")
    marks = set(re.findall(r'<w:bookmarkStart [^>]*w:name="(finding_\d+)"', body))
    anchors = set(re.findall(r'<w:hyperlink [^>]*w:anchor="(finding_\d+)"', body))
    assert marks == {f"finding_{i}" for i in range(1, len(rep.findings) + 1)}
    wanted = {f"finding_{j + 1}" for r in rep.recommendations for j in r.finding_indices}
    assert anchors == wanted and anchors <= marks


def test_narrative_is_editable_paragraphs_with_bold_runs_and_lists(zh):
    _, _, document = zh
    body = [p for p in document.paragraphs if p.style.name == "Normal" and p.text.strip()]
    assert len(body) > 10
    assert not any("**" in p.text for p in document.paragraphs)
    assert any(r.bold for p in document.paragraphs for r in p.runs if p.style.name == "FS List")
    assert sum(p.style.name == "FS List" for p in document.paragraphs) >= 5


# -- tables -----------------------------------------------------------------------------------

def test_tables_have_the_html_reports_numbers(zh):
    rep, _, document = zh
    words = _captioned_tables(document)
    html = _html_tables(sections.basic_html(rep) + sections.achievements_html(rep)
                        + sections.problems_html(rep) + sections.appendix_html(rep))
    for caption in (text("basic.levels.caption", "zh", year=rep.year),
                    text("achievements.stars.caption", "zh", year=rep.year),
                    text("achievements.rewards.caption", "zh"),
                    text("appendix.income.caption", "zh")):
        assert words[caption] == html[caption], caption
    # a table cut at max_rows shows the same first rows as the HTML
    towns = text("problems.townships.caption", "zh")
    assert words[towns] == html[towns]


def test_level_table_counts_equal_the_ledger(zh):
    rep, _, document = zh
    rows = _captioned_tables(document)[text("basic.levels.caption", "zh", year=rep.year)]
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    year = rep.county.branches_in(rep.year)
    for level, name in ((5, "五星"), (3, "三星"), (0, "零星")):
        expected = int((year["level"] == level).sum())
        assert body[name][header.index("全部")] == f"{expected:,}"


def test_header_row_repeats_and_numbers_are_right_aligned(zh):
    _, _, document = zh
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "星级")
    first = table.rows[0]._tr
    assert first.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
    right = docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    row = table.rows[1]
    assert row.cells[0].paragraphs[0].alignment != right  # the level's name: text
    assert all(c.paragraphs[0].alignment == right for c in row.cells[1:])  # counts
    # the method note follows the table
    after = table._tbl.getnext()
    note = docx.text.paragraph.Paragraph(after, document)
    assert note.style.name == "FS Note" and "n=" in note.text


# -- pictures -------------------------------------------------------------------------------

@pytest.mark.parametrize("which,dpi", [("zh", 200), ("en", 100)])
def test_charts_are_pictures_at_print_resolution_with_captions(which, dpi, request):
    rep, path, document = request.getfixturevalue(which)
    shapes = document.inline_shapes
    assert len(shapes) >= 8
    with zipfile.ZipFile(path) as z:
        pngs = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert len(pngs) == len(shapes)
    for shape, png in zip(shapes, pngs):
        width_px = int.from_bytes(png[16:20], "big")
        shown_in = shape.width / 914400  # EMU per inch
        # never stretched past the text width; at least the style's dpi on paper
        assert shape.width <= Mm(docx_style(rep.language).page.text_width_mm) + 1
        assert width_px / shown_in == pytest.approx(dpi, rel=0.02) or width_px / shown_in > dpi
    prefix = "图" if which == "zh" else "Figure "
    captions = [p.text for p in document.paragraphs if p.text.startswith(prefix)]
    assert len(captions) == len(shapes)
    assert captions[0].endswith(text("basic.levels.chart", rep.language))


# -- house style ----------------------------------------------------------------------------

def test_every_style_names_its_east_asian_font(zh, en):
    for (rep, _, document), language in ((zh, "zh"), (en, "en")):
        style = docx_style(language)
        for key, name in STYLE_NAMES.items():
            fonts = document.styles[name].element.rPr.rFonts
            spec = getattr(style.styles, key)
            assert fonts.get(qn("w:eastAsia")) == spec.east_asia, (language, name)
            assert fonts.get(qn("w:ascii")) == spec.latin
            assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would win
        defaults = document.styles.element.find(qn("w:docDefaults"))
        assert defaults.find(".//" + qn("w:rFonts")).get(qn("w:eastAsia")) == style.styles.body.east_asia


def test_chinese_house_style_is_the_official_layout(zh):
    _, _, document = zh
    s = document.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    body = document.styles["Normal"]
    assert body.font.size.pt == 16 and body.paragraph_format.line_spacing.pt == 28  # 三号, 28 pt
    assert body.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert document.styles["Title"].font.size.pt == 22  # 二号
    assert document.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert document.styles["Heading 2"].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体"
    assert document.styles["FS Table"].font.size.pt == 12  # 小四
    assert document.styles["FS Table"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_english_report_uses_the_english_style_set(en):
    _, _, document = en
    assert round(document.sections[0].top_margin.mm) == 25
    assert document.styles["Normal"].element.rPr.rFonts.get(qn("w:ascii")) == "Georgia"


def test_style_overrides_are_validated_by_name():
    with pytest.raises(InvalidArgument, match="styles.body.size"):
        docx_style("zh", {"styles": {"body": {"size": 16}}})
    with pytest.raises(InvalidArgument, match="chart_dpi"):
        docx_style("zh", {"chart_dpi": 20})
    assert docx_style("zh", {"page": {"top_mm": 30}}).page.top_mm == 30


# -- escaping and writing -------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>村", '=HYPERLINK("http://evil.example/","点我")',
           "{ HYPERLINK \"http://evil.example\" }", "a\x00b\x07c\x1bd", "右\u202e左",
           "&amp;<w:t>x</w:t>", "**粗**_[x](http://evil.example)", "行一\n行二\t列"]


def test_hostile_text_stays_literal_text(tmp_path):
    import pandas as pd

    document = docx.Document()
    style = docx_style("zh")
    apply_style(document, style)
    page = DocxPage(document, "zh", style)
    page.title(HOSTILE[0], [("meta.county", HOSTILE[1])])
    page.paragraph(HOSTILE[2])
    page.table(pd.DataFrame({"branch_name": HOSTILE, "n": range(len(HOSTILE))}), HOSTILE[4], HOSTILE[5])
    path = tmp_path / "h.docx"
    document.save(path)
    back = docx.Document(path)
    cells = [r.cells[0].text for r in back.tables[0].rows[1:]]
    assert cells == [docx_text(v) for v in HOSTILE]
    assert cells[0] == "<script>alert(1)</script>村" and cells[1].startswith("=HYPERLINK(")
    assert cells[3] == "abcd" and cells[4] == "右左" and cells[7] == "行一 行二 列"
    assert back.paragraphs[0].text == HOSTILE[0]
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "&lt;script&gt;" in xml and "<script>" not in xml
    assert "<w:instrText" not in xml and "fldSimple" not in xml and "<w:hyperlink" not in xml


def test_hostile_county_writes_a_document_with_no_field_or_link_from_data(tmp_path):
    import hostile

    pkg = hostile.write_hostile_package(tmp_path / "hostile", with_nul=False)
    rep = describe_county(load_county(pkg), generated="2026-12-03")
    path = write_report_docx(rep, tmp_path / "hostile.docx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
    codes = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml)
    assert codes == [' TOC \\o "1-2" \\h \\z \\u ']
    assert "evil.example" not in rels and "TargetMode=\"External\"" not in rels
    assert not re.search(r"<w:hyperlink [^>]*r:id=", xml)
    document = docx.Document(path)
    assert document.paragraphs[0].text == sections.report_title(rep)
    assert "<script>" in document.paragraphs[0].text  # the county's name, as typed
    # the narrative (Markdown with the name escaped) gives the name back as typed, unformatted
    name = docx_text(hostile.COUNTY_NAME)
    opening = next(p for p in document.paragraphs if p.style.name == "Normal" and name in p.text)
    assert opening.text.startswith(name + "共有")
    assert not any(r.bold or r.italic for r in opening.runs)


def test_written_atomically_old_file_kept_when_building_fails(zh, tmp_path, monkeypatch):
    rep, _, _ = zh
    target = tmp_path / "r.docx"
    target.write_bytes(b"old")
    import fivestar_analysis.present.docx.county as county_docx

    def broken(*a, **k):
        raise InvalidArgument("boom")

    monkeypatch.setattr(county_docx, "SECTION_WRITERS", (county_docx.title, broken))
    with pytest.raises(InvalidArgument):
        write_report_docx(rep, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.docx"]


def test_atomic_write_leaves_no_temporary_file_on_failure(tmp_path):
    from fivestar_analysis.atomic import atomic_write_bytes, atomic_write_with

    target = tmp_path / "x.bin"
    atomic_write_bytes(target, b"new")
    def half_then_fail(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write_with(target, half_then_fail)
    assert target.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]


# -- the comparison report ------------------------------------------------------------------

def test_comparison_document_has_its_sections_and_the_html_numbers(small_county, tmp_path):
    from fivestar_analysis.describe.comparison import describe_comparison
    from fivestar_analysis.present import comparison_sections as cs

    other = load_county(write_demo_package(tmp_path / "b", seed=11, n_townships=4, n_villages=30,
                                           n_communities=4, n_respondents=200, name="北岭县",
                                           code="beiling"))
    cmp = describe_comparison([small_county, other], generated="2026-12-03")
    path = write_comparison_docx(cmp, tmp_path / "比较.docx")
    document = docx.Document(path)
    keys = ("ranking", "stars", "income", "survey", "lagging", "appendix")
    assert _headings(document, 1) == [text(f"compare.section.{k}", "zh") for k in keys]
    caption = text("compare.ranking.caption", "zh", year=cmp.year)
    html = _html_tables(cs.ranking_html(cmp))
    assert _captioned_tables(document)[caption] == html[caption]
    assert len(document.inline_shapes) >= 3


# -- looking at a page ------------------------------------------------------------------------

def test_libreoffice_opens_the_document_and_shows_the_county(zh, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    pypdf = pytest.importorskip("pypdf")
    rep, path, _ = zh
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    pdf = pypdf.PdfReader(tmp_path / (path.stem + ".pdf"))
    assert len(pdf.pages) > 10
    first = unicodedata.normalize("NFKC", pdf.pages[0].extract_text())
    assert rep.county.meta.name in first
    assert abs(float(pdf.pages[0].mediabox.width) - 595.3) < 2  # A4


def test_a_county_without_survey_gets_the_no_survey_sentence(tmp_path):
    from conftest import make_package

    rep = describe_county(load_county(make_package(tmp_path / "pkg", survey=False)),
                          generated="2026-12-03")
    document = docx.Document(write_report_docx(rep, tmp_path / "r.docx"))
    assert _headings(document, 1) == [text(f"section.{k}", "zh") for k in SECTIONS]
    texts = [p.text for p in document.paragraphs]
    causes = texts.index(text("section.causes", "zh"))
    measures = texts.index(text("section.measures", "zh"))
    # the branch models (影响因素) need no survey; the survey part says it is missing
    assert text("causes.none", "zh") in texts[causes + 1:measures]
