"""The executed notebook as one self-contained HTML page: nbconvert's ``basic`` template
without code, headings numbered for a table of contents, the project's page template and CSS
inline, and a Content-Security-Policy that lets the page load nothing."""

from __future__ import annotations

import copy
import html
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import nbformat

__all__ = ["export_html"]

_HEADING = re.compile(r"<h([23])(?P<attrs>[^>]*)>(?P<body>.*?)</h\1>", re.S)
_ID = re.compile(r'id="([^"]+)"')
_TAGS = re.compile(r"<[^>]+>")


def _table_of_contents(body: str) -> tuple[str, list[dict[str, Any]]]:
    """Give every h2/h3 an id and list them for the table of contents."""
    entries: list[dict[str, Any]] = []
    counter = 0

    def visit(m: re.Match) -> str:
        nonlocal counter
        level, attrs, inner = int(m.group(1)), m.group("attrs"), m.group("body")
        text = html.unescape(_TAGS.sub("", inner)).replace("¶", "").strip()
        found = _ID.search(attrs)
        if found:  # an attribute value: decode it, the page template escapes it again
            anchor = html.unescape(found.group(1))
        else:
            counter += 1
            anchor = f"sec-{counter}"
            attrs = f'{attrs} id="{anchor}"'
        entries.append({"level": level, "text": text, "anchor": anchor})
        return f"<h{level}{attrs}>{inner}</h{level}>"

    return _HEADING.sub(visit, body), entries


def _strip_for_export(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what a reader should not see: warnings on stderr, parameter cells."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"parameters", "injected-parameters", "remove_cell"}:
            continue
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        cells.append(cell)
    nb.cells = cells
    return nb


def export_html(nb: nbformat.NotebookNode, title: str, language: str = "zh") -> str:
    """Code-free, self-contained HTML of an executed notebook, with a Content-Security-Policy
    that lets the page run no script and load nothing from the network."""
    from nbconvert import HTMLExporter

    from fivestar_analysis.present.escape import CSP_META, html_env

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    body, _ = exporter.from_notebook_node(_strip_for_export(nb))
    body, toc = _table_of_contents(body)
    folder = resources.files("fivestar_analysis") / "resources" / "report"
    # the body is HTML the project built (every data value escaped where it went in);
    # the title and the table of contents are text, escaped by the template
    env = html_env(trim_blocks=True, lstrip_blocks=True)
    page = env.from_string((folder / "page.html.j2").read_text(encoding="utf-8"))
    css = (folder / "report.css").read_text(encoding="utf-8")
    return page.render(title=title, body=body, toc=toc, css=css, csp_meta=CSP_META,
                       language="en" if language == "en" else "zh-CN",
                       toc_title="Contents" if language == "en" else "目录")
