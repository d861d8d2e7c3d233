"""`fivestar report/compare --format html,docx,pdf`: the Word document and the PDF come out of
the same run as the HTML, with the same headline figures, written with the other outputs
or not at all."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata

import pytest
from conftest import make_package

from fivestar_analysis.errors import FivestarError
from fivestar_analysis.present.text import text
from fivestar_analysis.render.pdf import BrowserMissing, find_browser
from fivestar_analysis.render.report import render_report

docx = pytest.importorskip("docx")  # a dependency; the import is only for the checks


def _has_chromium() -> bool:
    try:
        find_browser()
        return True
    except BrowserMissing:
        return False


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    pkg = make_package(tmp_path_factory.mktemp("fmt") / "pkg")
    out = tmp_path_factory.mktemp("fmt-out")
    fmts = ("html", "docx") + (("pdf",) if _has_chromium() else ())
    return render_report(pkg, out, formats=fmts, generated="2026-12-03")


def test_word_document_is_written_beside_the_html(rendered):
    assert set(rendered.outputs) >= {"html", "docx"}
    document = docx.Document(rendered.outputs["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for key in ("basic", "achievements", "problems", "causes", "measures", "appendix"):
        assert text(f"section.{key}", "zh") in headings


def test_headline_figures_of_word_and_html_agree(rendered):
    html = rendered.outputs["html"].read_text(encoding="utf-8")
    words = "\n".join(p.text for p in docx.Document(rendered.outputs["docx"]).paragraphs)
    # the first sentence of 一、基本情况 states the county's size; both outputs carry it
    m = re.search(r"共有(\d+)个乡镇（街道）、(\d+)个参加创建的党支部", html)
    assert m is not None
    assert m.group(0) in words
    share = re.search(r"三星以上支部(\d+)个，占([\d.]+%)", words)
    assert share is not None and share.group(0) in html


@pytest.mark.skipif(not _has_chromium(), reason="no Chromium: scripts/system-deps.sh --test")
def test_pdf_is_printed_from_the_same_page(rendered):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(rendered.outputs["pdf"])
    first = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
    assert len(reader.pages) >= 3
    assert "2024" in first


def test_unknown_format_and_missing_browser_are_refused_before_any_work(tmp_path,
                                                                        monkeypatch):
    pkg = make_package(tmp_path / "pkg")
    out = tmp_path / "out"
    with pytest.raises(FivestarError, match="unknown format"):
        render_report(pkg, out, formats=("html", "odt"))
    monkeypatch.setenv("FIVESTAR_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(BrowserMissing) as caught:
        render_report(pkg, out, formats=("html", "pdf"))
    assert "Chromium" in caught.value.localized("en") or "chromium" in caught.value.localized("en")
    # nothing was written: not the HTML either
    assert not out.exists() or not any(out.glob("*.html"))


def test_cli_lists_the_word_document(tmp_path):
    pkg = make_package(tmp_path / "pkg")
    res = subprocess.run([sys.executable, "-m", "fivestar_analysis.cli", "report", str(pkg),
                          "--out", str(tmp_path / "out"), "--format", "docx", "--json"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    outputs = json.loads(res.stdout)["outputs"]
    assert list(outputs) == ["docx"] and outputs["docx"].endswith(".docx")
    assert docx.Document(outputs["docx"]).paragraphs
