"""Safe to share: a county whose every name is hostile renders with no active content.

The hostile package (``tests/hostile.py``) is rendered once for the module: through
``run_batch`` (the county report as HTML, ipynb and xlsx, plus the batch index, which also
lists a second, invalid hostile package with its error messages) and through
``render_comparison`` (in English, HTML, ipynb and xlsx). Every page is parsed with
``html.parser``: no element that runs or loads anything, no event-handler attribute, no URL
other than a data: image or an in-page anchor, the Content-Security-Policy in place, and the
hostile text shown as text. No workbook cell is a formula.
"""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import hostile
import pytest

from fivestar_analysis.errors import PackageInvalid
from fivestar_analysis.present.escape import CSP

FORBIDDEN = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
             "base", "form", "input", "button", "link", "video", "audio", "source", "track"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "cite",
                  "background", "xlink:href", "longdesc", "manifest", "ping", "codebase"}
#: elements Markdown would make: hostile text must never be inside one
MARKDOWN_ELEMENTS = {"strong", "em", "b", "i", "del", "code", "pre", "blockquote", "h4", "h5", "h6"}
#: words that only occur inside the hostile Markdown (emphasis, code, strike-through)
MARKDOWN_MARKERS = ("加粗", "粗", "斜", "删除", "代码", "南乡", "壮大", "垃圾", "示范")


class Page(HTMLParser):
    """Elements, attributes and text of one HTML document or fragment."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text_parts: list[str] = []
        self.inside: list[str] = []
        self.markdown_text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag not in ("img", "br", "meta", "hr", "input", "link", "base", "embed", "source"):
            self.inside.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag in self.inside:
            while self.inside and self.inside.pop() != tag:
                pass

    def handle_data(self, data):
        self.text_parts.append(data)
        if any(t in MARKDOWN_ELEMENTS for t in self.inside):
            self.markdown_text.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    def tags(self) -> set[str]:
        return {t for t, _ in self.elements}

    def urls(self) -> list[tuple[str, str, str]]:
        return [(t, k, v or "") for t, attrs in self.elements for k, v in attrs
                if k in URL_ATTRIBUTES]


def assert_inert(page: Page, *, allowed_links: set[str] = frozenset()) -> None:
    """No element that runs or loads, no on* attribute, no URL but data: images and anchors."""
    assert not page.tags() & FORBIDDEN, page.tags() & FORBIDDEN
    handlers = [(t, k) for t, attrs in page.elements for k, _ in attrs if k.lower().startswith("on")]
    assert handlers == []
    for tag, attr, url in page.urls():
        ok = url.startswith("#") or (tag == "img" and attr == "src" and url.startswith("data:image/"))
        assert ok or url in allowed_links, (tag, attr, url[:80])
    for tag, attrs in page.elements:
        style = dict(attrs).get("style") or ""
        assert "url(" not in style and "expression(" not in style, (tag, style)
        if tag == "meta":
            assert dict(attrs).get("http-equiv", "").lower() in ("", "content-security-policy"), attrs
    for word in MARKDOWN_MARKERS:
        assert not any(word in t for t in page.markdown_text), (word, page.markdown_text)


def assert_full_page(path: Path) -> Page:
    """A whole page: inert, one inline stylesheet of ours, the CSP before anything else."""
    text = path.read_text(encoding="utf-8")
    assert "\x00" not in text
    page = Page(text)
    assert_inert(page, allowed_links=_report_links(path))
    csp = [dict(a).get("content") for t, a in page.elements
           if t == "meta" and dict(a).get("http-equiv", "").lower() == "content-security-policy"]
    assert csp == [CSP]
    tags = [t for t, _ in page.elements]
    assert tags.index("meta") < tags.index("style") and tags.count("style") == 1
    head = text[: text.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<style>")
    css = text[text.index("<style>"): text.index("</style>")]
    assert "url(" not in css and "@import" not in css
    return page


def _report_links(path: Path) -> set[str]:
    """The index links to the reports beside it, by relative file name; nothing else does."""
    if path.name != "index.html":
        return set()
    return {p.name for p in path.parent.glob("*.html") if p.name != "index.html"}


def notebook_pages(path: Path) -> list[Page]:
    """Every HTML output of an executed notebook, parsed; no cell may have failed."""
    raw = path.read_text(encoding="utf-8")
    assert "\\u0000" not in raw
    nb = json.loads(raw)
    pages = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", out
            html = out.get("data", {}).get("text/html")
            if html:
                pages.append(Page("".join(html) if isinstance(html, list) else html))
    assert pages
    return pages


def assert_no_formula(path: Path) -> dict[str, list]:
    """No formula anywhere in the workbook's XML or cells; returns every cell value by type."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<f[ >]", xml), name
    from openpyxl import load_workbook

    wb = load_workbook(path)
    values: dict[str, list] = {"s": [], "n": []}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                values.setdefault(cell.data_type, []).append(cell.value)
    return values


# -- the renders, once for the module --------------------------------------------------------

@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, object]:
    """The hostile package; without its NUL byte if the loader refuses NUL outright."""
    from fivestar_analysis.load.loader import load_county

    root = tmp_path_factory.mktemp("hostile")
    pkg = hostile.write_hostile_package(root / "hostile")
    refused = None
    try:
        load_county(pkg)
    except PackageInvalid as exc:  # refused: it must say where, and nothing else may fail
        refused = exc
        assert all("\x00" not in p.line("en") for p in exc.problems)
        pkg = hostile.write_hostile_package(root / "hostile-no-nul", with_nul=False)
        load_county(pkg)
    second = hostile.write_hostile_package(root / "second", name="{{7*7}}<script>alert(2)</script>县",
                                           code="hostile2", with_nul=refused is None)
    invalid = root / "invalid"
    hostile.write_hostile_package(invalid, code="invalid", with_nul=False)
    ledger = (invalid / "ledger.csv").read_text(encoding="utf-8")
    (invalid / "ledger.csv").write_text(ledger.replace(",农村,", ",<script>alert(9)</script>{{7*7}},", 1),
                                        encoding="utf-8")
    return {"package": pkg, "second": second, "invalid": invalid, "refused": refused}


@pytest.fixture(scope="module")
def batch(packages, tmp_path_factory):
    from fivestar_analysis.render.batch import run_batch

    out = tmp_path_factory.mktemp("hostile-batch")
    result = run_batch([packages["package"], packages["invalid"]], out, jobs=2,
                       formats=("html", "ipynb", "xlsx"), force=True, progress=False)
    return result, out


@pytest.fixture(scope="module")
def comparison(packages, tmp_path_factory):
    from fivestar_analysis.render.comparison import render_comparison

    out = tmp_path_factory.mktemp("hostile-compare")
    return render_comparison([packages["package"], packages["second"]], out, language="en",
                             formats=("html", "ipynb", "xlsx"))


# -- the county report -----------------------------------------------------------------------

def test_the_hostile_county_renders(batch):
    result, out = batch
    statuses = {Path(o.path).name: o.status for o in result.outcomes}
    assert statuses["invalid"] == "invalid"
    report = [o for o in result.outcomes if Path(o.path).name != "invalid"][0]
    assert report.status == "rendered", report.message
    assert {Path(p).suffix for p in report.outputs.values()} == {".html", ".ipynb", ".xlsx"}


def test_report_page_has_no_active_content(batch):
    _, out = batch
    page = assert_full_page(out / "hostile-2024.html")
    assert "chart-failed" not in (out / "hostile-2024.html").read_text(encoding="utf-8")
    assert page.tags() >= {"table", "img", "h1", "h2"}


def test_report_shows_hostile_text_as_text(batch):
    _, out = batch
    text = Page((out / "hostile-2024.html").read_text(encoding="utf-8")).text
    # the county's name in the title, the narrative and the title block, exactly as typed
    assert text.count(hostile.COUNTY_NAME) >= 3
    for shown in hostile.VISIBLE:
        assert shown in text, shown
    # Jinja syntax is shown, never evaluated
    assert "{{7*7}}北镇" in text and "49北镇" not in text and "49**县**" not in text
    assert "{{7*7}}是否听说过" in text or "49是否听说过" not in text
    # a right-to-left override is dropped, so it cannot reverse the figures after it
    assert "\u202e" not in text and "中镇\u200b心" in text


def test_report_notebook_has_no_active_content(batch):
    _, out = batch
    pages = notebook_pages(out / "hostile-2024.ipynb")
    for page in pages:
        assert_inert(page)
    text = "".join(p.text for p in pages)
    assert hostile.COUNTY_NAME in text and "{{7*7}}北镇" in text and "49北镇" not in text


def test_report_workbook_has_no_formula(batch):
    _, out = batch
    values = assert_no_formula(out / "hostile-2024.xlsx")
    strings = set(values["s"])
    # formula-looking names are kept exactly as typed, as text
    for typed in ('=HYPERLINK("http://evil.example/","点我")', "=1+1", "+1+1村", "-2+3村", "@SUM(A1)村",
                  "#N/A", "{{7*7}}北镇"):
        assert typed in strings, typed
    assert not any("\x00" in s for s in strings)  # what a workbook cannot hold is dropped
    assert values["n"] and all(isinstance(v, (int, float)) for v in values["n"])


# -- the batch index -------------------------------------------------------------------------

def test_index_page_has_no_active_content_and_shows_names_as_text(batch):
    _, out = batch
    page = assert_full_page(out / "index.html")
    hrefs = [v for t, k, v in page.urls() if t == "a"]
    assert hrefs == ["hostile-2024.html"]
    assert hostile.COUNTY_NAME in page.text
    # the invalid package's message quotes the cell it could not read, as text
    assert "<script>alert(9)</script>{{7*7}}" in page.text


# -- the comparison --------------------------------------------------------------------------

def test_comparison_has_no_active_content(comparison):
    page = assert_full_page(comparison.html)
    assert hostile.COUNTY_NAME in page.text and "{{7*7}}<script>alert(2)</script>县" in page.text
    assert "49<script>" not in page.text
    for nb_page in notebook_pages(comparison.ipynb):
        assert_inert(nb_page)


def test_comparison_workbook_has_no_formula(comparison):
    values = assert_no_formula(comparison.xlsx)
    assert hostile.COUNTY_NAME in set(values["s"])


# -- pieces that need no render ----------------------------------------------------------------

def test_nul_is_refused_cleanly_or_kept_out_of_every_output(packages, batch):
    """The loader may refuse a NUL byte (naming where it is) or read past it; either way no
    output carries it and nothing crashes."""
    refused = packages["refused"]
    if refused is not None:
        assert all(p.file for p in refused.problems)
    _, out = batch
    for f in out.iterdir():
        if f.is_file() and f.suffix in (".html", ".ipynb"):
            assert "\x00" not in f.read_text(encoding="utf-8"), f.name


def test_markdown_escaping_renders_every_value_as_typed():
    from fivestar_analysis.present.display import markdown_html
    from fivestar_analysis.present.escape import md_text

    for value in [*hostile.BRANCH_NAMES[:-3], *hostile.TOWNSHIPS, hostile.COUNTY_NAME, *hostile.ANSWERS]:
        html = markdown_html("前" + md_text(value) + "后")
        page = Page(html)
        assert page.tags() == {"p"}, (value, html)
        expected = re.sub(r"[\u202a-\u202e\u2066-\u2069\x00]", "", " ".join(value.split()))
        assert page.text.strip() == "前" + expected + "后", value


def test_narrative_template_escapes_values_it_prints():
    from fivestar_analysis.present.display import markdown_html
    from fivestar_analysis.present.narrative import render_section

    facts = {"county": "**县**<b>x</b>{{7*7}}", "n_townships": 1, "n_branches": 1, "n_rural": 1,
             "n_community": 0, "year": 2024, "years": [2024], "n_respondents": 0,
             "levels": {5: 1}, "count_3plus": 1, "share_3plus": 1.0, "share_3plus_rural": None,
             "share_3plus_community": None, "previous_year": None, "max_level": 5,
             "mean_level": 5.0}
    html = markdown_html(render_section("basic", "zh", **facts))
    page = Page(html)
    assert page.tags() == {"p"}
    assert "**县**<b>x</b>{{7*7}}共有" in page.text


def test_workbook_cells_from_data_are_strings_never_formulas(tmp_path):
    from openpyxl import Workbook, load_workbook

    from fivestar_analysis.present.escape import cell_value, harden_sheet

    wb = Workbook()
    ws = wb.active
    typed = ["=1+1", '=HYPERLINK("http://evil.example/","x")', "+1", "-1", "@A1", "\t=1", "\r=1",
             "#DIV/0!", "普通"]
    for i, v in enumerate(typed, 1):
        ws.cell(row=i, column=1, value=cell_value(v))
        ws.cell(row=i, column=2, value=i * 1.5)
    ws.cell(row=20, column=1, value=cell_value("坏\x00字\x1b符"))
    ws.cell(row=21, column=1, value=cell_value("长" * 40_000))
    assert harden_sheet(ws) >= 3
    wb.save(tmp_path / "w.xlsx")
    back = load_workbook(tmp_path / "w.xlsx").active
    for i, v in enumerate(typed, 1):
        assert back.cell(row=i, column=1).data_type == "s"
        # (openpyxl's own XML writer stores a carriage return as a line feed, lxml keeps
        # it; either way the cell is the typed text, never a formula)
        assert back.cell(row=i, column=1).value in {v, v.replace("\r", "\n")}
        assert back.cell(row=i, column=2).value == i * 1.5
        assert back.cell(row=i, column=2).data_type == "n"
    assert back.cell(row=20, column=1).value == "坏字符"
    assert len(back.cell(row=21, column=1).value) == 32767


def test_terminal_text_shows_control_characters_instead_of_obeying_them():
    from fivestar_analysis.present.escape import terminal_text

    assert terminal_text("村\x1b[2J名\u202e") == "村\\x1b[2J名\\u202e"
    assert terminal_text("普通名字") == "普通名字"
