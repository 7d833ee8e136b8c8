"""A real browser (Debian's Chromium, driven by Playwright) follows a check to its name's
history page on a ``serve --db`` server: the validity plot is drawn, hostile labels stay
text, and the Content-Security-Policy is never violated (the plot is SVG, no script)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from test_web_browser import ARTIFACTS, Watched, launch, submit_and_wait
from web_scenarios import web_lab
from webserve import serving

pytestmark = pytest.mark.requires_tools("chromium")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("history") / "history.sqlite3"
    with web_lab(["hostile-labels"]) as lab:
        anchor = lab.anchor_file(tmp_path_factory.mktemp("anchor"))
        with serving(
            lab, anchor, 9172, "--allow-private-targets", "--db", f"sqlite:///{db}"
        ) as url:
            yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    with (
        sync_playwright() as playwright,
        tempfile.TemporaryDirectory(prefix="chromium-") as profile,
    ):
        context = launch(playwright, profile)
        try:
            yield context
        finally:
            context.close()


def test_the_history_page_draws_the_plot_and_keeps_labels_as_text(
    base: str, browser: BrowserContext
) -> None:
    report = submit_and_wait(browser, base, "<script>.hostile-labels.test", "history-check.png")
    page = report.page
    page.click("text=History of this name")
    page.wait_for_url(f"{base}/names/*")
    watched = Watched(page)
    page.reload()  # watched from the start of the page's life
    assert "<script>.hostile-labels.test." in page.inner_text("main h1")
    plot = page.locator(".plot svg")
    box = plot.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 40
    assert plot.locator("g.observation").count() == 1
    assert plot.locator("rect.window").count() >= 1
    assert plot.locator("title", has_text="<script>.hostile-labels.test.").count() >= 1
    assert page.locator("table.timeline tbody tr").count() == 1
    assert page.locator("img").count() == 0 and page.locator("script").count() == 1
    assert report.dialogs == watched.dialogs == [] and watched.csp == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "history.png"), full_page=True)
    page.close()
