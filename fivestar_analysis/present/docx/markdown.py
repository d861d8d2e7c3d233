"""Narrative Markdown to Word paragraphs and runs (bold, italic, lists), never to raw markup.

The narrative templates write Markdown in which every value from the data is already
escaped (:func:`~fivestar_analysis.present.escape.md_text`); mistune parses it to tokens
and each text token becomes a run's text through
:func:`~fivestar_analysis.present.escape.docx_text`. Raw HTML in the Markdown stays text,
as in the HTML report.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fivestar_analysis.present.escape import docx_text

__all__ = ["add_markdown", "markdown_tokens"]


@lru_cache(maxsize=1)
def _parser():
    import mistune

    return mistune.create_markdown(renderer=None, plugins=["strikethrough", "table"])


def markdown_tokens(text: str) -> list[dict[str, Any]]:
    """mistune's token tree of ``text`` (block tokens with inline children)."""
    return _parser()(text)


def _runs(paragraph: Any, children: list[dict[str, Any]], *, bold: bool = False,
          italic: bool = False, strike: bool = False) -> None:
    for tok in children:
        kind = tok["type"]
        if kind in ("text", "codespan", "inline_html", "block_html"):
            run = paragraph.add_run(docx_text(tok.get("raw", "")))
            run.bold, run.italic = bold or None, italic or None
            if strike:
                run.font.strike = True
        elif kind == "strong":
            _runs(paragraph, tok["children"], bold=True, italic=italic, strike=strike)
        elif kind == "emphasis":
            _runs(paragraph, tok["children"], bold=bold, italic=True, strike=strike)
        elif kind == "strikethrough":
            _runs(paragraph, tok["children"], bold=bold, italic=italic, strike=True)
        elif kind == "softbreak":
            # Chinese text wraps without spaces; an English line break is a space
            prev = paragraph.runs[-1].text if paragraph.runs else ""
            if prev and prev[-1].isascii():
                paragraph.add_run(" ")
        elif kind == "linebreak":
            paragraph.add_run().add_break()
        elif "children" in tok:  # link, image: their text only
            _runs(paragraph, tok["children"], bold=bold, italic=italic, strike=strike)
        elif "raw" in tok:
            paragraph.add_run(docx_text(tok["raw"]))


def _inline_text(children: list[dict[str, Any]]) -> str:
    out = []
    for tok in children:
        if "children" in tok:
            out.append(_inline_text(tok["children"]))
        elif "raw" in tok:
            out.append(tok["raw"])
    return docx_text("".join(out))


def _blocks(doc: Any, tokens: list[dict[str, Any]], *, body: str, list_style: str,
            bullet: str, depth: int = 0) -> None:
    for tok in tokens:
        kind = tok["type"]
        if kind in ("paragraph", "block_text", "heading"):
            p = doc.add_paragraph(style=body)
            _runs(p, tok.get("children", []), bold=kind == "heading")
        elif kind == "list":
            ordered = tok.get("attrs", {}).get("ordered", False)
            start = tok.get("attrs", {}).get("start", 1) or 1
            for i, item in enumerate(tok.get("children", []), start):
                _list_item(doc, item, f"{i}." if ordered else bullet, list_style=list_style,
                           bullet=bullet, depth=depth)
        elif kind == "block_quote":
            _blocks(doc, tok.get("children", []), body=body, list_style=list_style,
                    bullet=bullet, depth=depth)
        elif kind == "block_code":
            doc.add_paragraph(docx_text(tok.get("raw", "")), style=body)
        elif kind == "table":  # a Markdown table in a template: its cells as a Word table
            rows = [c for part in tok.get("children", []) for c in
                    ([part] if part["type"] == "table_head" else part.get("children", []))]
            cells = [[_inline_text(cell.get("children", [])) for cell in row.get("children", [])]
                     for row in rows]
            if cells:
                table = doc.add_table(rows=len(cells), cols=max(len(r) for r in cells))
                for r, row in enumerate(cells):
                    for c, value in enumerate(row):
                        table.cell(r, c).text = value


def _list_item(doc: Any, item: dict[str, Any], marker: str, *, list_style: str, bullet: str,
               depth: int) -> None:
    first = True
    for tok in item.get("children", []):
        if tok["type"] in ("block_text", "paragraph") and first:
            p = doc.add_paragraph(style=list_style)
            if depth:
                p.paragraph_format.left_indent = (p.style.paragraph_format.left_indent or 0) * (1 + depth)
            p.add_run(f"{marker}\t" if marker else "")
            _runs(p, tok.get("children", []))
            first = False
        elif tok["type"] == "list":
            _blocks(doc, [tok], body=list_style, list_style=list_style, bullet=bullet,
                    depth=depth + 1)
        else:
            _blocks(doc, [tok], body=list_style, list_style=list_style, bullet=bullet,
                    depth=depth)


def add_markdown(doc: Any, text: str, *, body: str = "Normal", list_style: str = "FS List",
                 bullet: str = "•") -> None:
    """Append the Markdown ``text`` to ``doc`` (a Document or a cell) as paragraphs."""
    _blocks(doc, markdown_tokens(text), body=body, list_style=list_style, bullet=bullet)
