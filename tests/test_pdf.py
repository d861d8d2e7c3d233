"""The HTML report printed to PDF with headless Chromium (issue 14), and the print styles.

The PDF test renders a small demo county to HTML with the real pipeline, prints it, and
reads the PDF back (pypdf): A4 pages, the county's name in Chinese, fonts embedded, page
numbers, no sidebar. Without Chromium those tests are skipped; the error a user then
gets is tested with a PATH that holds no browser.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from importlib import resources
from pathlib import Path

import pytest

from fivestar_analysis.render import pdf as pdfmod
from fivestar_analysis.render.pdf import BrowserMissing, PdfFailed, find_browser, print_pdf

SMALL = {"n_townships": 5, "n_villages": 40, "n_communities": 5, "n_respondents": 300}


def _browser() -> str | None:
    try:
        return find_browser()
    except BrowserMissing:
        return None


needs_browser = pytest.mark.skipif(_browser() is None, reason="Chromium is not installed "
                                   "(scripts/system-deps.sh installs it)")


def _text(page) -> str:
    # Chromium maps some CJK glyphs to the Kangxi radicals (⽰ for 示); NFKC undoes it
    return unicodedata.normalize("NFKC", page.extract_text() or "")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    pypdf = pytest.importorskip("pypdf")
    from fivestar_analysis.render.report import render_report
    from fivestar_analysis.tools.demo import write_demo_package

    root = tmp_path_factory.mktemp("pdf")
    pkg = write_demo_package(root / "county", seed=5, **SMALL)
    result = render_report(pkg, root / "out", formats=("html",))
    path = print_pdf(result.html, root / "out" / "报告.pdf")
    return result, path, pypdf.PdfReader(path)


@needs_browser
def test_pdf_has_a4_pages_with_the_county_name_and_page_numbers(printed):
    result, _path, reader = printed
    n = len(reader.pages)
    assert n >= 5
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595.3) < 2
        assert abs(float(page.mediabox.height) - 841.9) < 2
    first = _text(reader.pages[0])
    name = result.headline["name"]
    assert name == "示范县" and name in first
    # the page counter of the @page margin box: "1 / n" on the first page, "n / n" on the last
    assert f"1 / {n}" in first
    assert f"{n} / {n}" in _text(reader.pages[-1])


@needs_browser
def test_pdf_starts_with_the_title_not_the_sidebar(printed):
    _result, _, reader = printed
    first = _text(reader.pages[0]).strip().splitlines()
    # on screen the contents sidebar comes first in the page; in print it is hidden
    title = next(line for line in first if "调研报告" in line)
    assert first.index(title) <= 1


@needs_browser
def test_pdf_embeds_every_font_it_uses(printed):
    _, _, reader = printed
    seen = 0
    for page in reader.pages[:4]:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            seen += 1
            if font["/Subtype"] == "/Type3":  # glyphs drawn in the file itself
                assert "/CharProcs" in font
                continue
            desc = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                    if font["/Subtype"] == "/Type0" else font["/FontDescriptor"]).get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert seen > 0


@needs_browser
def test_pdf_is_written_atomically_and_replaces_an_older_file(printed, tmp_path):
    result, _, _ = printed
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    print_pdf(result.html, target)
    assert target.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_no_browser_names_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("FIVESTAR_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no browser anywhere
    with pytest.raises(BrowserMissing) as info:
        print_pdf(tmp_path / "a.html", tmp_path / "a.pdf")
    assert "chromium" in str(info.value).lower() and "apt-get install chromium" in str(info.value)
    assert "安装 Chromium" in info.value.localized("zh")
    assert not (tmp_path / "a.pdf").exists()


def test_configured_browser_that_does_not_exist_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("FIVESTAR_CHROMIUM", str(tmp_path / "no-such-chrome"))
    with pytest.raises(BrowserMissing, match="no-such-chrome"):
        find_browser()


def _fake_browser(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chrome"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.mark.skipif(os.name != "posix", reason="a shell-script browser needs a POSIX shell")
def test_a_browser_that_writes_no_pdf_fails_cleanly_and_keeps_the_old_file(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    fake = _fake_browser(tmp_path, 'echo "crashed: no display" >&2; exit 3')
    with pytest.raises(PdfFailed, match="crashed: no display"):
        print_pdf(html, target, browser=fake)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chrome", "r.html", "r.pdf"]


@pytest.mark.skipif(os.name != "posix", reason="a shell-script browser needs a POSIX shell")
def test_the_browser_is_asked_for_a_local_file_without_header_or_footer(tmp_path):
    html = tmp_path / "r.html"
    html.write_text("<p>x</p>", encoding="utf-8")
    log = tmp_path / "args.txt"
    # writes its arguments and a minimal "PDF" where --print-to-pdf points
    fake = _fake_browser(tmp_path, f'printf "%s\\n" "$@" > "{log}"\n'
                                   'for a in "$@"; do case "$a" in --print-to-pdf=*) '
                                   'printf "%%PDF-1.4 fake" > "${a#--print-to-pdf=}";; esac; done')
    out = print_pdf(html, tmp_path / "r.pdf", browser=fake)
    args = log.read_text(encoding="utf-8").splitlines()
    assert out.read_bytes().startswith(b"%PDF-")
    assert "--headless" in args and "--no-pdf-header-footer" in args
    assert args[-1] == html.resolve().as_uri()
    target = next(a for a in args if a.startswith("--print-to-pdf="))
    assert Path(target.split("=", 1)[1]).parent == tmp_path  # a temporary file beside it


def test_print_styles_are_in_the_pages_css():
    css = (resources.files("fivestar_analysis") / "resources" / "report" / "report.css").read_text(
        encoding="utf-8")
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    assert "counter(page)" in css
    printed = css[css.index("@media print"):]
    assert re.search(r"nav\.toc\s*\{\s*display:\s*none", printed)
    assert re.search(r"h2[^{]*\{[^}]*break-after:\s*avoid", printed)
    assert re.search(r"table, img[^{]*\{[^}]*break-inside:\s*avoid", printed)
    assert "table-header-group" in printed


def test_module_stays_small():
    assert len(Path(pdfmod.__file__).read_text(encoding="utf-8").splitlines()) < 400
