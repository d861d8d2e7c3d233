"""The demo report as a person sees it: opened in headless Chromium, screenshot taken.

Chromium and a CJK font are installed by `make test` (scripts/system-deps.sh --test); where
that was impossible the test is skipped and says why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT_DIR = ROOT / "reports" / "screenshots"


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def page_of(rendered):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    browser_path = _browser()
    if browser_path is None:
        pytest.skip("no Chromium on this machine: run scripts/system-deps.sh --test as root to install it")
    result, _ = rendered
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests, failed, console_errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        response = page.goto(result.html.as_uri(), wait_until="load")
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        top = SCREENSHOT_DIR / "report-top.png"
        page.screenshot(path=str(top))
        page.evaluate("document.querySelector('#finding-1') && document.querySelector('#finding-1').scrollIntoView()")
        problems = SCREENSHOT_DIR / "report-problems.png"
        page.screenshot(path=str(problems))
        full = SCREENSHOT_DIR / "report-full.png"
        page.screenshot(path=str(full), full_page=True)
        info = {
            "ok": response is not None and response.ok,
            "requests": requests, "failed": failed, "console_errors": console_errors,
            "title": page.title(),
            "images": page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth])"),
            "headings": page.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)"),
            "screenshots": [top, problems, full],
        }
        browser.close()
    return info


def test_page_loads_with_no_failed_or_outside_requests(page_of):
    assert page_of["ok"]
    assert page_of["failed"] == []
    outside = [u for u in page_of["requests"] if not u.startswith(("file:", "data:"))]
    assert outside == []
    assert page_of["console_errors"] == []


def test_every_image_decodes_and_sections_show(page_of):
    assert page_of["images"] and all(done and width > 100 for done, width in page_of["images"])
    assert page_of["headings"][:5] == ["一、基本情况", "二、创建成效", "三、存在问题", "四、原因分析", "五、对策建议"]
    assert "调研报告" in page_of["title"]


def test_screenshots_are_written(page_of):
    for shot in page_of["screenshots"]:
        assert shot.exists() and shot.stat().st_size > 20_000
