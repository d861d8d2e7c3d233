"""The building blocks of a report page, shared by the county and the comparison reports.

A :class:`Page` knows the language and the rubric; its methods give a heading, a section
title, a narrative paragraph, a formatted table with its method note, an embedded chart or a
title block. Wording comes from ``resources/report/text.yaml`` by key; every value is
escaped on its way into the HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from fivestar_analysis.model.formats import format_int
from fivestar_analysis.model.labels import label
from fivestar_analysis.present import narrative as nv
from fivestar_analysis.present.display import chart_html, markdown_html, table_html
from fivestar_analysis.present.escape import html_text
from fivestar_analysis.present.text import text

__all__ = ["Page"]


@dataclass(frozen=True)
class Page:
    """One report's language and rubric, and the pieces of its HTML."""

    language: str
    rubric: Any = None
    #: prefix of the section-title keys (``section.basic``, ``compare.section.ranking``)
    sections: str = "section."

    def t(self, key: str, **values: Any) -> str:
        """The wording of ``key`` in this page's language."""
        return text(key, self.language, **values)

    def label(self, key: Any) -> str:
        return label(key, self.language, self.rubric)

    def join(self, items: Iterable[str]) -> str:
        """Items of a list in running text: 、 in Chinese, commas in English."""
        return self.t("list.sep").join(items)

    def h(self, level: int, content: str) -> str:
        return f"<h{level}>{html_text(content)}</h{level}>\n"

    def sub(self, content: str) -> str:
        """A sub-section heading (h3); the Word page has the same method."""
        return self.h(3, content)

    def section(self, key: str) -> str:
        return self.h(2, self.t(self.sections + key))

    def md(self, template: str, **context: Any) -> str:
        """A narrative template (``templates/<lang>/<template>.md.j2``) as HTML."""
        return markdown_html(nv.render_section(template, self.language, rubric=self.rubric,
                                               **context))

    def say(self, key: str, **values: Any) -> str:
        """One sentence of the wording file as a paragraph; values are escaped for Markdown
        by the caller when they come from the data."""
        return markdown_html(self.t(key, **values))

    def method_n(self, method_key: str, n: Any, **values: Any) -> str:
        """``方法：…；n=1,234`` under a table."""
        return self.t("note.method_n", method=self.t(method_key, **values), n=format_int(n))

    def table(self, df: pd.DataFrame, caption: str, note: str, **kw: Any) -> str:
        return table_html(df, caption=caption, note=note, language=self.language,
                          rubric=self.rubric, **kw)

    def chart(self, draw: Callable[..., Any], *args: Any, alt: str, note: str | None = None,
              **kw: Any) -> str:
        return chart_html(draw, *args, alt=alt, note=note, language=self.language,
                          rubric=self.rubric, **kw)

    def title_block(self, title: str, rows: list[tuple[str, str]]) -> str:
        """The report's title and its description list (what, when, from which data)."""
        items = "".join(f"<dt>{html_text(self.t(k))}</dt><dd>{html_text(v)}</dd>"
                        for k, v in rows)
        return (f"<h1>{html_text(title)}</h1>\n"
                f'<div class="title-block"><dl>{items}</dl></div>\n')
