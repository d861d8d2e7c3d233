"""The building blocks of a Word report, shared by the county and the comparison reports.

A :class:`DocxPage` mirrors the HTML presenter's page pieces (a section title, a heading, a
narrative paragraph, a formatted table with its method note, a chart, a title block) but
appends them to a python-docx ``Document``: headings are Word heading styles, tables are
Word tables, charts are pictures. Numbers come from the same
:func:`~fivestar_analysis.present.display.format_table` as the HTML, wording from the same
keys (:mod:`fivestar_analysis.present.text`), and every value from the data enters as a
run's text through :func:`~fivestar_analysis.present.escape.docx_text`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fivestar_analysis.model.labels import label
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.display import chart_png, format_table
from fivestar_analysis.present.docx.markdown import add_markdown
from fivestar_analysis.present.docx.style import STYLE_NAMES, DocxStyle
from fivestar_analysis.present.escape import docx_text
from fivestar_analysis.present.text import text

__all__ = ["DocxPage", "add_field"]

log = logging.getLogger(__name__)

#: a table up to this many rows is kept on one page when it fits (rows "keep with next")
KEEP_TOGETHER_ROWS = 30
#: a table with this many columns or more is set 1.5 pt smaller so its headers do not wrap
#: character by character
WIDE_COLUMNS = 8


def add_field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (``PAGE``, ``TOC …``) in ``paragraph``: begin, code, separate, the
    shown result until Word updates it, end. Only the project's own codes come here."""
    def char(kind: str) -> Any:
        run = paragraph.add_run()
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            fld.set(qn("w:dirty"), "true")  # ask Word to refresh it on opening
        run._r.append(fld)
        return run

    char("begin")
    code = paragraph.add_run()._r
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    code.append(instr)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def _bookmark(paragraph: Any, name: str, ident: int) -> None:
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(ident))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _internal_link(paragraph: Any, anchor: str, content: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = paragraph.add_run(docx_text(content))
    run.font.underline = True
    link.append(run._r)  # moves the run into the hyperlink
    paragraph._p.append(link)


def _row_flags(row: Any, *, header: bool, keep: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeated on every page the table spans
    if keep:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _shade(cell: Any, fill: str = "E7E6E6") -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _full_width(table: Any) -> None:
    """The table spans the text width (Word then shares it out by content)."""
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")


@dataclass
class DocxPage:
    """One Word report in the making: its document, language, rubric and house style."""

    document: Any
    language: str
    style: DocxStyle
    rubric: Any = None
    #: prefix of the section-title keys (``section.basic``, ``compare.section.ranking``)
    sections: str = "section."
    tables: int = 0
    figures: int = 0
    _bookmarks: list[str] = field(default_factory=list)

    # -- wording ------------------------------------------------------------------------
    def t(self, key: str, **values: Any) -> str:
        return text(key, self.language, **values)

    def label(self, key: Any) -> str:
        return label(key, self.language, self.rubric)

    def join(self, items: Iterable[str]) -> str:
        return self.t("list.sep").join(items)

    def method_n(self, method_key: str, n: Any, **values: Any) -> str:
        return self.t("note.method_n", method=self.t(method_key, **values), n=f"{int(n):,}")

    # -- blocks -------------------------------------------------------------------------
    def paragraph(self, content: str = "", style: str = "body") -> Any:
        """A paragraph of plain text (a value or a sentence); never parsed as Markdown."""
        return self.document.add_paragraph(docx_text(content), style=STYLE_NAMES[style])

    def title(self, content: str, rows: list[tuple[str, str]]) -> None:
        """The report's title (Title style) and its description lines (key：value)."""
        self.document.add_paragraph(docx_text(content), style=STYLE_NAMES["title"])
        colon = ": " if self.language == "en" else "："
        for key, value in rows:
            p = self.document.add_paragraph(style=STYLE_NAMES["meta"])
            p.add_run(docx_text(self.t(key)) + colon).bold = True
            p.add_run(docx_text(value))

    def toc(self) -> None:
        """A table-of-contents field over the section and sub-section headings."""
        head = self.document.add_paragraph(docx_text(self.style.text.toc_title),
                                           style=STYLE_NAMES["caption"])
        head.paragraph_format.keep_with_next = True
        p = self.document.add_paragraph(style=STYLE_NAMES["toc"])
        add_field(p, 'TOC \\o "1-2" \\h \\z \\u', self.style.text.toc_placeholder)
        self.document.add_page_break()

    def page_numbers(self) -> None:
        """``— 1 —`` (or the style's pattern) centred in every section's footer."""
        before, _, after = self.style.text.page_number.partition("{page}")
        for section in self.document.sections:
            footer = section.footer
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            p.style = self.document.styles[STYLE_NAMES["footer"]]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(before)
            add_field(p, "PAGE", "1")
            p.add_run(after)

    def section(self, key: str) -> Any:
        return self.document.add_heading(docx_text(self.t(self.sections + key)), level=1)

    def h(self, content: str, *, bookmark: str | None = None) -> Any:
        """A sub-section heading (Heading 2), optionally a cross-reference target."""
        p = self.document.add_heading(docx_text(content), level=2)
        if bookmark:
            self._bookmarks.append(bookmark)
            _bookmark(p, bookmark, len(self._bookmarks))
        return p

    def sub(self, content: str) -> Any:
        """A sub-section heading; the HTML page has the same method."""
        return self.h(content)

    def md(self, template: str, **context: Any) -> None:
        """A narrative template (``templates/<lang>/<template>.md.j2``) as paragraphs."""
        self.markdown(nv.render_section(template, self.language, rubric=self.rubric, **context))

    def markdown(self, content: str) -> None:
        """Markdown written by the project (data in it already escaped with md_text)."""
        add_markdown(self.document, content, body=STYLE_NAMES["body"],
                     list_style=STYLE_NAMES["list"], bullet=self.style.text.bullet)

    def say(self, key: str, **values: Any) -> None:
        self.markdown(self.t(key, **values))

    def links(self, prefix: str, refs: list[tuple[str, str]], suffix: str, style: str = "note") -> Any:
        """``prefix`` + links to bookmarks (``[(label, bookmark)]``) + ``suffix``: how a
        recommendation names the findings it answers (F1、F3) as cross-references."""
        p = self.document.add_paragraph(style=STYLE_NAMES[style])
        p.add_run(docx_text(prefix))
        for i, (shown, anchor) in enumerate(refs):
            if i:
                p.add_run(self.t("list.sep"))
            _internal_link(p, anchor, shown)
        p.add_run(docx_text(suffix))
        return p

    # -- tables -------------------------------------------------------------------------
    def table(self, df: pd.DataFrame, caption: str, note: str | None = None, *,
              max_rows: int | None = None, **fmt: Any) -> Any:
        """A report table as a Word table: numbered caption above, header row repeated on
        every page, numbers right-aligned, the method/n note below. The cells are the
        strings :func:`format_table` gives the HTML table."""
        shown = format_table(df, language=self.language, rubric=self.rubric, **fmt)
        more = ""
        if max_rows is not None and len(shown) > max_rows:
            more = self.style.text.more_rows.format(extra=f"{len(shown) - max_rows:,}")
            shown = shown.head(max_rows)
        wanted = fmt.get("columns") or list(df.columns)
        source = [c for c in wanted if c in df.columns and c != "suppressed"]
        numeric = ([pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
                    for c in source] if len(source) == len(shown.columns)
                   else [False] * len(shown.columns))
        self.tables += 1
        self.document.add_paragraph(docx_text(self.style.text.table_caption.format(
            n=self.tables, caption=caption)), style=STYLE_NAMES["caption"])
        rows, cols = len(shown) + 1, max(len(shown.columns), 1)
        table = self.document.add_table(rows=rows, cols=cols)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _full_width(table)
        keep = rows <= KEEP_TOGETHER_ROWS
        size = Pt(self.style.styles.table.size_pt - 1.5) if cols >= WIDE_COLUMNS else None
        # the style's id set directly: python-docx looks a style up by name on every set
        cell_style = self.document.styles[STYLE_NAMES["table"]].style_id
        row_cells = [row.cells for row in table.rows]  # once: table.cell() rescans the table
        for c, name in enumerate(shown.columns):
            cell = row_cells[0][c]
            p = cell.paragraphs[0]
            p._p.style = cell_style
            run = p.add_run(docx_text(name))
            run.bold, run.font.size = True, size
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _shade(cell)
        values = shown.to_numpy()
        for r in range(len(shown)):
            for c in range(len(shown.columns)):
                p = row_cells[r + 1][c].paragraphs[0]
                p._p.style = cell_style
                p.add_run(docx_text(values[r, c])).font.size = size
                if numeric[c]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for i, row in enumerate(table.rows):
            _row_flags(row, header=i == 0, keep=keep and i < rows - 1)
        if note or more:
            self.paragraph((note or "") + more, style="note")
        return table

    # -- charts -------------------------------------------------------------------------
    def chart(self, draw: Callable[..., Any], *args: Any, alt: str, note: str | None = None,
              figsize: tuple[float, float] = (7.5, 4.0), **kw: Any) -> Any:
        """A chart as a picture at the style's print resolution, centred, with a numbered
        caption below; a chart that fails leaves a notice, not a broken document."""
        self.figures += 1
        try:
            png, width_in = _chart_png(draw, *args, language=self.language, rubric=self.rubric,
                                       figsize=figsize, dpi=self.style.chart_dpi, **kw)
        except Exception as exc:  # noqa: BLE001 - one broken chart must not take the report down
            log.warning("chart %s failed: %s", getattr(draw, "__name__", draw), exc)
            return self.paragraph(self.style.text.chart_failed.format(
                caption=alt, error=type(exc).__name__), style="note")
        width = Mm(min(self.style.page.text_width_mm, width_in * 25.4))
        holder = self.document.add_paragraph(style=STYLE_NAMES["caption"])
        holder.paragraph_format.keep_with_next = True
        holder.add_run().add_picture(io.BytesIO(png), width=width)
        doc_pr = holder._p.xpath(".//wp:docPr")
        if doc_pr:
            doc_pr[0].set("descr", docx_text(alt))
        cap = self.document.add_paragraph(docx_text(self.style.text.figure_caption.format(
            n=self.figures, caption=alt)), style=STYLE_NAMES["caption"])
        cap.paragraph_format.keep_with_next = bool(note)
        if note:
            self.paragraph(note, style="note")
        return holder


def _chart_png(draw: Callable[..., Any], *args: Any, language: str, figsize: tuple[float, float],
               dpi: int, **kwargs: Any) -> tuple[bytes, float]:
    """PNG bytes of one chart at ``dpi`` (:func:`~fivestar_analysis.present.display.chart_png`)
    and its width in inches."""
    data = chart_png(draw, *args, language=language, figsize=figsize, dpi=dpi, **kwargs)
    width_px = int.from_bytes(data[16:20], "big")  # the PNG header's IHDR width
    return data, width_px / dpi
