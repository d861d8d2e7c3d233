"""The HTML report printed to PDF with headless Chromium (an optional output).

The page's own print rules (``@page`` A4, ``@media print`` in ``resources/report/report.css``)
lay it out; Chromium embeds the fonts it used, so Chinese glyphs travel with the file. The
PDF is written through a temporary file beside the target and renamed, like every output.
Nothing is loaded from the network: the page allows no request (its Content-Security-Policy)
and the browser starts with networking features off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fivestar_analysis.atomic import atomic_write_with
from fivestar_analysis.errors import FivestarError, message

__all__ = ["BROWSER_NAMES", "BrowserMissing", "PdfFailed", "find_browser", "print_pdf"]

#: programs tried in this order (``FIVESTAR_CHROMIUM`` names one explicitly)
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "chrome", "msedge")
#: how long one page may take to print before we give up
TIMEOUT_SECONDS = 180


class BrowserMissing(FivestarError):
    """No Chromium-family browser is installed, so no PDF can be printed."""

    def __init__(self, names: tuple[str, ...] = BROWSER_NAMES):
        self.names = names
        super().__init__(self.localized("en"))

    def localized(self, language: str = "zh") -> str:
        return message("pdf_no_browser", language, names=", ".join(self.names))


class PdfFailed(FivestarError):
    """The browser ran but gave no PDF (it crashed, timed out or wrote nothing)."""

    def __init__(self, browser: str, reason: str):
        self.browser, self.reason = browser, reason
        super().__init__(self.localized("en"))

    def localized(self, language: str = "zh") -> str:
        return message("pdf_failed", language, browser=self.browser, reason=self.reason)


def find_browser() -> str:
    """The path of a headless-capable Chromium, or :class:`BrowserMissing`."""
    configured = os.environ.get("FIVESTAR_CHROMIUM")
    if configured:
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if found:
            return found
        raise BrowserMissing((configured,))
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing()


def _command(browser: str, html: Path, out: str, profile: str) -> list[str]:
    cmd = [browser, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
           "--disable-extensions", "--disable-background-networking", "--disable-sync",
           "--disable-dev-shm-usage", "--mute-audio", f"--user-data-dir={profile}",
           # no browser-made header (date, file path) or footer: the page numbers its pages
           "--no-pdf-header-footer", "--print-to-pdf-no-header",
           "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
           f"--print-to-pdf={out}", html.resolve().as_uri()]
    if sys.platform != "win32" and hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return cmd


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, browser: str | None = None,
              timeout: float = TIMEOUT_SECONDS) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, the page's print styles) and return it.

    Raises :class:`BrowserMissing` naming what to install when no Chromium is found, and
    :class:`PdfFailed` when the browser gives no PDF; ``pdf_path`` is then left as it was.
    """
    html, target = Path(html_path), Path(pdf_path)
    browser = browser or find_browser()

    def write(tmp: str) -> None:
        with tempfile.TemporaryDirectory(prefix="fivestar-chromium-") as profile:
            try:
                done = subprocess.run(_command(browser, html, tmp, profile), check=False,
                                      capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise PdfFailed(browser, f"no PDF after {timeout:.0f} s") from None
            except OSError as exc:
                raise PdfFailed(browser, str(exc)) from None
        data = Path(tmp).read_bytes()[:5] if Path(tmp).exists() else b""
        if done.returncode != 0 or data != b"%PDF-":
            tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
            raise PdfFailed(browser, tail[0][:300])

    return atomic_write_with(target, write)
