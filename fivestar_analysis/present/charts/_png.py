"""Saving a chart as PNG cropped to its tight bounding box, laid out once.

``fig.savefig(..., bbox_inches="tight")`` first draws the whole figure with drawing switched
off, only to lay it out, then asks for the tight box and draws it again for real. The tight
box needs no such draw: :meth:`Figure.get_tightbbox` lays out what it measures (ticks,
titles, legends, colour bars) by itself. :func:`save_png` asks for the box on the canvas's
own renderer (the one the charts already measured their labels with, so the text sizes are
cached) and hands it to ``savefig`` padded as ``"tight"`` pads it: the same crop, the same
PNG bytes, one layout pass fewer.
"""

from __future__ import annotations

from typing import IO

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["save_png"]


def save_png(fig: Figure, buf: IO[bytes], dpi: float | None = None) -> None:
    """``fig.savefig(buf, format="png", bbox_inches="tight", dpi=dpi)``, without the layout-only
    draw. Figures it cannot measure the same way (a layout engine, another canvas, a
    different saving resolution, a pad set to ``"layout"``) are saved the usual way."""
    save_dpi = mpl.rcParams["savefig.dpi"] if dpi is None else dpi
    if save_dpi == "figure":
        save_dpi = fig.dpi
    pad = mpl.rcParams["savefig.pad_inches"]
    if (fig.get_layout_engine() is not None or not isinstance(fig.canvas, FigureCanvasAgg)
            or fig.canvas.device_pixel_ratio != 1 or save_dpi != fig.dpi
            or not isinstance(pad, (int, float))):
        fig.savefig(buf, format="png", bbox_inches="tight", dpi=dpi)
        return
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    fig.savefig(buf, format="png", bbox_inches=box.padded(pad), dpi=dpi)
