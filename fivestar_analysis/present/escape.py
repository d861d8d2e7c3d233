"""One rule for every value that comes from a user's files: escape it once, where it enters
an output.

Branch, township and county names, open answers, file names, codebook texts and messages
that quote cells are data, never markup. Each output format has one function here, and the
code that writes that format calls it at the point where a value is put in:

- :func:`html_text` for a value placed in HTML (text or a quoted attribute value);
- :func:`md_text` for a value placed in the Markdown of a narrative template (the narrative
  environment applies it to every ``{{ … }}`` by itself, see :func:`markdown_env`);
- :func:`cell_value` and :func:`harden_sheet` for a workbook cell, which is never a formula;
- :func:`docx_text` for a value placed in a Word document (a run's text, never a field);
- :func:`terminal_text` for a value printed on the terminal.

Every page the project writes also carries :data:`CSP_META`, which allows no script, no
frame, no form and no network request, so a value that slipped through could still not act.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["CSP", "CSP_META", "clean_text", "html_text", "md_text", "markdown_env", "html_env",
           "cell_value", "harden_sheet", "docx_text", "terminal_text", "EXCEL_MAX_CHARS"]

#: What a page may load: images only from data: URLs, styles only inline; no script, frame,
#: font, connection, form target or <base>.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

# C0 and C1 control characters other than tab, line feed and carriage return, and the
# bidirectional embedding, override and isolate controls: a right-to-left override in a
# village name would otherwise reverse the figures printed after it.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029\x85]+")
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def clean_text(value: Any) -> str:
    """``str(value)`` without control characters and bidirectional controls."""
    return _CONTROLS.sub("", value if isinstance(value, str) else str(value))


def html_text(value: Any) -> str:
    """A value as HTML text, also safe inside a double- or single-quoted attribute.

    >>> html_text('<script>alert("1")</script>村')
    '&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;村'
    """
    return html.escape(clean_text(value), quote=True)


def md_text(value: Any) -> str:
    """A value as Markdown that renders to exactly its own text, on one line.

    Every ASCII punctuation character is backslash-escaped (CommonMark renders ``\\*`` as
    ``*``), so ``**``, ``_``, ``[…](…)``, backticks, ``<tag>``, ``&entity;``, ``# `` or
    ``1.`` at a line start and ``{{ … }}`` all show as typed; line breaks become spaces so a
    value cannot start a heading, list, quote or code block of its own.

    >>> md_text("**粗**_[x](http://a)")
    '\\\\*\\\\*粗\\\\*\\\\*\\\\_\\\\[x\\\\]\\\\(http\\\\:\\\\/\\\\/a\\\\)'
    """
    text = _LINE_BREAKS.sub(" ", clean_text(value)).strip()
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_finalize(value: Any) -> Any:
    return md_text(value) if isinstance(value, str) else value


def markdown_env(**options: Any):
    """A Jinja2 environment for Markdown templates: every ``{{ expression }}`` that yields a
    string is passed through :func:`md_text` (numbers formatted by filters included, which
    is harmless: they render unchanged)."""
    from jinja2 import Environment

    return Environment(finalize=_md_finalize, autoescape=False, **options)


def _html_finalize(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return clean_text(value)


def html_env(**options: Any):
    """A Jinja2 environment for HTML templates: autoescape on, control characters removed
    from every value; only what the template marks ``| safe`` (HTML the project built
    itself, already escaped) goes in as it is."""
    from jinja2 import Environment

    return Environment(autoescape=True, finalize=_html_finalize, **options)


# -- workbooks ----------------------------------------------------------------------------

#: Excel's limit on the characters of one cell
EXCEL_MAX_CHARS = 32767
# what openpyxl refuses to write (IllegalCharacterError): C0 controls other than tab, LF, CR
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_value(value: Any) -> Any:
    """A value ready for a workbook cell: strings lose the characters openpyxl cannot store
    and are cut to Excel's 32,767 characters; anything else is returned unchanged."""
    if not isinstance(value, str):
        return value
    text = _EXCEL_ILLEGAL.sub("", value)
    if len(text) > EXCEL_MAX_CHARS:
        text = text[: EXCEL_MAX_CHARS - 1] + "…"
    return text


def harden_sheet(ws) -> int:
    """Type every string cell of an openpyxl worksheet as a string.

    openpyxl turns a string starting with ``=`` into a formula and one such as ``#N/A`` into
    an error value; here every cell holding a ``str`` is stored as a plain string, shown
    exactly as typed (no apostrophe is added). Strings starting with ``+``, ``-``, ``@``, a
    tab or a carriage return are strings as well, so Excel never evaluates them. Numbers,
    dates and booleans are left as they are. Returns how many cells were retyped.
    """
    changed = 0
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if isinstance(v, str):
                clean = cell_value(v)
                if clean != v:
                    cell.value = clean
                if cell.data_type != "s":
                    cell.data_type = "s"
                    changed += 1
    return changed


# -- Word documents ------------------------------------------------------------------------

# what XML 1.0 cannot hold at all (lxml refuses it): C0 controls other than tab, LF and CR,
# lone surrogates and the two non-characters U+FFFE and U+FFFF
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def docx_text(value: Any) -> str:
    """A value as the text of a Word run: shown exactly as typed, on one line.

    The Word presenter only ever sets a run's *text* (``w:t``), which the XML writer
    escapes, so ``<script>``, ``&amp;``, ``{ HYPERLINK … }`` or ``=HYPERLINK(…)`` stay
    literal characters; no value becomes a field, a style or markup. This removes what
    XML cannot hold and the controls :func:`clean_text` removes (bidirectional overrides
    included), and turns line breaks and tabs into spaces so a value cannot start a
    paragraph or column of its own.

    >>> docx_text("=HYPERLINK(\\"http://x\\")\\x07<b>村</b>\\n二")
    '=HYPERLINK("http://x")<b>村</b> 二'
    """
    text = _XML_ILLEGAL.sub("", clean_text(value))
    return _LINE_BREAKS.sub(" ", text)


# -- terminal -----------------------------------------------------------------------------

_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(value: Any) -> str:
    """A value for printing: control characters (ANSI escape sequences start with one)
    are shown as ``\\x..`` / ``\\u....`` instead of acting on the terminal."""
    text = value if isinstance(value, str) else str(value)
    return _TERMINAL.sub(lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                    else f"\\u{ord(m.group()):04x}"), text)
