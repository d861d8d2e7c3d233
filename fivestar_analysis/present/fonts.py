"""Finding a font that has Chinese glyphs, on any machine, and telling matplotlib about it.

Order of preference: a font the user configured (``FIVESTAR_FONT``: a file path or a family
name), then a CJK font installed on the system, then the Noto Sans CJK SC file that the
``mplfonts`` dependency ships, so a fresh machine renders Chinese without any set-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from matplotlib import font_manager

from fivestar_analysis.errors import FivestarError

__all__ = ["CJKFont", "find_cjk_font", "FontNotFound"]

#: family names of common fonts with Simplified Chinese glyphs, best first
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "SimHei",
    "Sarasa Gothic SC",
)
BUNDLED_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")
_PROBE = "五星支部创建产业兴旺"


class FontNotFound(FivestarError, RuntimeError):
    """No font with Chinese glyphs could be found or loaded."""


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: str
    source: str  # "configured", "system" or "bundled"


def _covers_chinese(path: str) -> bool:
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        charmap = font.get_charmap()
        return all(ord(c) in charmap for c in _PROBE)
    except Exception:
        return False


def _register(path: str) -> str:
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _bundled_dir() -> Path | None:
    spec = find_spec("mplfonts")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "fonts"


@lru_cache(maxsize=4)
def find_cjk_font(configured: str | None = None) -> CJKFont:
    """The font to draw Chinese with, registered with matplotlib.

    ``configured`` (or the ``FIVESTAR_FONT`` environment variable) may be a font file or a
    family name; it is used only if it really has Chinese glyphs.
    """
    configured = configured or os.environ.get("FIVESTAR_FONT") or None
    if configured:
        if Path(configured).is_file() and _covers_chinese(configured):
            return CJKFont(_register(configured), configured, "configured")
        for entry in font_manager.fontManager.ttflist:
            if entry.name == configured and _covers_chinese(entry.fname):
                return CJKFont(entry.name, entry.fname, "configured")
    by_family: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        by_family.setdefault(entry.name, entry.fname)
    for family in SYSTEM_FAMILIES:
        path = by_family.get(family)
        if path and _covers_chinese(path):
            return CJKFont(family, path, "system")
    folder = _bundled_dir()
    if folder is not None:
        for name in BUNDLED_FILES:
            path = folder / name
            if path.is_file() and _covers_chinese(str(path)):
                return CJKFont(_register(str(path)), str(path), "bundled")
    raise FontNotFound(
        "没有找到含中文字形的字体。请安装 mplfonts（pip install mplfonts）或系统中文字体，"
        "或用环境变量 FIVESTAR_FONT 指定字体文件。 / No font with Chinese glyphs was found: "
        "install mplfonts or a system CJK font, or set FIVESTAR_FONT to a font file."
    )
