"""The Word house style: a packaged YAML per language, validated, applied to a document.

``resources/report/docx/zh.yaml`` follows the layout of official documents (GB/T 9704: A4,
margins 37/35/28/26 mm, 小标宋 title, 黑体/楷体 headings, 仿宋 body on a 28-point line,
宋体 tables); ``en.yaml`` is an English style set. A user's overrides merge into the
packaged file at any depth and the result is checked by :class:`DocxStyle`, so a misspelt
key is refused with its name instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fivestar_analysis.errors import InvalidArgument
from fivestar_analysis.model.settings import deep_merge

__all__ = ["STYLE_NAMES", "DocxStyle", "apply_style", "docx_style", "set_fonts"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageSpec(_Strict):
    width_mm: float = Field(gt=0)
    height_mm: float = Field(gt=0)
    top_mm: float = Field(ge=0)
    bottom_mm: float = Field(ge=0)
    left_mm: float = Field(ge=0)
    right_mm: float = Field(ge=0)
    header_mm: float = Field(ge=0)
    footer_mm: float = Field(ge=0)

    @property
    def text_width_mm(self) -> float:
        return self.width_mm - self.left_mm - self.right_mm


class ParagraphSpec(_Strict):
    """Font and paragraph format of one style."""

    latin: str
    east_asia: str
    size_pt: float = Field(gt=0)
    bold: bool = False
    italic: bool = False
    align: Literal["left", "center", "right", "justify"] = "left"
    #: a fixed line height in points (official documents: 28), or
    line_spacing_pt: float | None = Field(default=None, gt=0)
    #: a multiple of single spacing
    line_spacing: float | None = Field(default=None, gt=0)
    space_before_pt: float = 0
    space_after_pt: float = 0
    #: indents in characters of this style's size (2 = the usual Chinese paragraph indent)
    first_line_indent_chars: float = 0
    left_indent_chars: float = 0
    hanging_chars: float = 0
    keep_with_next: bool = False


class Styles(_Strict):
    title: ParagraphSpec
    heading1: ParagraphSpec
    heading2: ParagraphSpec
    body: ParagraphSpec
    list: ParagraphSpec
    meta: ParagraphSpec
    table: ParagraphSpec
    caption: ParagraphSpec
    note: ParagraphSpec
    toc: ParagraphSpec
    footer: ParagraphSpec


class Wording(_Strict):
    """The few words the Word layout adds (the report's own wording is in text.yaml)."""

    toc_title: str
    toc_placeholder: str
    table_caption: str
    figure_caption: str
    page_number: str
    more_rows: str
    chart_failed: str
    bullet: str


class DocxStyle(_Strict):
    page: PageSpec
    chart_dpi: int = Field(ge=72, le=600)
    styles: Styles
    text: Wording


#: our style key → the Word style it sets (built-in names, so the navigation pane, the TOC
#: field and a user's own template recognise them; the rest are the project's own)
STYLE_NAMES = {
    "title": "Title", "heading1": "Heading 1", "heading2": "Heading 2", "body": "Normal",
    "list": "FS List", "meta": "FS Meta", "table": "FS Table", "caption": "Caption",
    "note": "FS Note", "toc": "TOC 1", "footer": "Footer",
}
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


@lru_cache(maxsize=4)
def _packaged(language: str) -> dict[str, Any]:
    name = "en.yaml" if language == "en" else "zh.yaml"
    path = resources.files("fivestar_analysis") / "resources" / "report" / "docx" / name
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def docx_style(language: str = "zh", overrides: Mapping[str, Any] | None = None) -> DocxStyle:
    """The house style for ``language``, with ``overrides`` merged in and validated."""
    try:
        return DocxStyle.model_validate(deep_merge(_packaged(language), overrides))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise InvalidArgument(f"Word style setting {where}: {first['msg']}") from None


def set_fonts(rpr_owner: Any, latin: str, east_asia: str) -> None:
    """Name the Latin and East Asian fonts on a style or run (``w:rFonts``), dropping the
    theme-font attributes that would otherwise win over the names."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(document: Any, name: str) -> Any:
    from docx.enum.style import WD_STYLE_TYPE

    try:
        return document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.quick_style = True
        return style


def _apply_one(style: Any, spec: ParagraphSpec) -> None:
    font = style.font
    font.size = Pt(spec.size_pt)
    font.bold = spec.bold
    font.italic = spec.italic
    font.color.rgb = None
    set_fonts(style.element, spec.latin, spec.east_asia)
    # built-in headings carry a theme colour; official documents are black
    rpr = style.element.get_or_add_rPr()
    for color in rpr.findall(qn("w:color")):
        rpr.remove(color)
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # the built-in Title is underlined by a rule
        ppr.remove(border)
    pf = style.paragraph_format
    pf.alignment = _ALIGN[spec.align]
    if spec.line_spacing_pt is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(spec.line_spacing_pt)
    elif spec.line_spacing is not None:
        pf.line_spacing = spec.line_spacing
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before = Pt(spec.space_before_pt)
    pf.space_after = Pt(spec.space_after_pt)
    char = spec.size_pt
    pf.first_line_indent = Pt((spec.first_line_indent_chars - spec.hanging_chars) * char)
    pf.left_indent = Pt(spec.left_indent_chars * char)
    pf.keep_with_next = spec.keep_with_next
    pf.widow_control = True


def apply_style(document: Any, style: DocxStyle) -> None:
    """Page size and margins, every style's fonts (East Asian names included) and formats,
    and the document defaults, so text outside a named style uses the same fonts too."""
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        p = style.page
        section.page_width, section.page_height = Mm(p.width_mm), Mm(p.height_mm)
        section.top_margin, section.bottom_margin = Mm(p.top_mm), Mm(p.bottom_mm)
        section.left_margin, section.right_margin = Mm(p.left_mm), Mm(p.right_mm)
        section.header_distance, section.footer_distance = Mm(p.header_mm), Mm(p.footer_mm)
    body = style.styles.body
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = rpr.makeelement(qn("w:rFonts"), {})
                rpr.insert(0, fonts)
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(attr), None)
            for attr, value in (("w:ascii", body.latin), ("w:hAnsi", body.latin),
                                ("w:cs", body.latin), ("w:eastAsia", body.east_asia)):
                fonts.set(qn(attr), value)
    for key, name in STYLE_NAMES.items():
        _apply_one(_style(document, name), getattr(style.styles, key))
    # the styles a few elements fall back on: keep them in the same fonts
    for name, spec in (("Heading 3", style.styles.heading2), ("TOC 2", style.styles.toc),
                       ("List Paragraph", style.styles.list), ("Header", style.styles.footer),
                       ("Table Grid", style.styles.table)):
        if name == "TOC 2":  # the contents' second level: sub-sections, indented
            _apply_one(_style(document, name), spec.model_copy(update={"left_indent_chars": 2}))
            continue
        try:
            target = document.styles[name]
        except KeyError:
            continue
        if hasattr(target, "font"):
            set_fonts(target.element, spec.latin, spec.east_asia)
