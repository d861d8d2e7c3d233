"""Chinese glyphs render on a fresh machine: a CJK font is always found."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt

from fivestar_analysis.present.fonts import find_cjk_font


def test_a_cjk_font_is_found_and_has_the_glyphs():
    font = find_cjk_font()
    assert font.source in {"configured", "system", "bundled"}
    from matplotlib.ft2font import FT2Font

    charmap = FT2Font(font.path).get_charmap()
    assert all(ord(c) in charmap for c in "产业兴旺星生态宜居平安法治文明幸福支部过硬")


def test_drawing_chinese_raises_no_missing_glyph_warning(tmp_path):
    font = find_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": [font.family, "DejaVu Sans"],
                             "axes.unicode_minus": False}):
            fig, ax = plt.subplots()
            ax.set_title("“五星”支部创建：产业兴旺星")
            ax.bar(["生态宜居星", "文明幸福星"], [3, -1])
            ax.set_ylabel("支部数（个）")
            fig.savefig(tmp_path / "zh.png")
    assert (tmp_path / "zh.png").stat().st_size > 1000


def test_configured_font_that_lacks_chinese_is_not_used(monkeypatch):
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    find_cjk_font.cache_clear()
    try:
        font = find_cjk_font(dejavu)
        assert font.source != "configured"
    finally:
        find_cjk_font.cache_clear()
