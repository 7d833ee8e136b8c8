"""A real browser (Debian's Chromium, driven by Playwright) uses the web UI.

It submits checks of lab zones through the form, follows the progress page until
the report arrives, finds the graph and the fix, and saves screenshots in
tests/artifacts/web/ (not committed). Hostile labels must show as text: no dialog
opens, no image element appears, and the Content-Security-Policy is never violated
(a violation would mean the page tried to run or load something not its own).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from dnssec_doctor.lab.background import BackgroundLab
from web_scenarios import web_lab
from webserve import serving

ARTIFACTS = Path(__file__).parent / "artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""No network of its own (no updates, sync or QUIC): the browser talks to the test
server only."""
RESULT_TIMEOUT_MS = 90_000

pytestmark = pytest.mark.requires_tools("chromium")


@pytest.fixture(scope="module")
def lab() -> Iterator[BackgroundLab]:
    with web_lab(["expired-signatures", "hostile-labels"]) as running:
        yield running


@pytest.fixture(scope="module")
def anchor(lab: BackgroundLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lab.anchor_file(tmp_path_factory.mktemp("anchor"))


@pytest.fixture(scope="module")
def base(lab: BackgroundLab, anchor: Path) -> Iterator[str]:
    with serving(lab, anchor, 9163, "--allow-private-targets") as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


def launch(playwright: Playwright, profile: str, *, javascript: bool = True) -> BrowserContext:
    """Debian's Chromium with the fresh profile ``profile`` (never a downloaded browser)."""
    return playwright.chromium.launch_persistent_context(
        profile,
        executable_path="/usr/bin/chromium",
        args=CHROMIUM_ARGS,
        headless=True,
        java_script_enabled=javascript,
    )


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile (a persistent context in a new directory)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        context = launch(playwright, profile)
        try:
            yield context
        finally:
            context.close()


class Watched:
    """A page with its dialogs and Content-Security-Policy complaints recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)


def submit_and_wait(context: BrowserContext, base: str, name: str, shot: str) -> Watched:
    page = context.new_page()
    watched = Watched(page)
    page.goto(f"{base}/")
    page.fill("#name", name)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/checks/*")
    page.wait_for_selector("#graph svg", timeout=RESULT_TIMEOUT_MS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    return watched


def test_a_check_from_the_form_ends_in_the_report_with_graph_and_fix(
    base: str, browser: BrowserContext
) -> None:
    watched = submit_and_wait(browser, base, "expired-signatures.test", "expired-signatures.png")
    page = watched.page
    assert page.inner_text("header h1").upper() == "EXPIRED-SIGNATURES.TEST. IS BOGUS"
    root = page.locator("#root-causes")
    assert "RRSIG_EXPIRED" in root.inner_text()
    assert root.locator(".fix").count() >= 1
    assert page.locator("#graph svg g.node").count() > 3
    # The graph's link from the finding leads to an element of the SVG.
    links = root.locator("dd a[href^='#']")
    assert links.count() >= 1
    target = links.first.get_attribute("href")
    assert target is not None and page.locator(f"#graph svg [id='{target[1:]}']").count() == 1
    # The downloads are there.
    assert page.locator("a[href$='capture.json.gz']").count() == 1
    assert page.locator("a[href$='diagnosis.json']").count() == 1
    assert watched.dialogs == [] and watched.csp == []
    page.close()


def test_hostile_labels_are_shown_as_text(base: str, browser: BrowserContext) -> None:
    watched = submit_and_wait(browser, base, "<script>.hostile-labels.test", "hostile-labels.png")
    page = watched.page
    assert "<script>.hostile-labels.test." in page.inner_text("header h1")
    body = page.inner_text("body")
    assert "<script>.ns.invalid." in body
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1  # htmx, nothing else
    assert page.evaluate("document.querySelectorAll('[onerror],[onload]').length") == 0
    assert page.locator("#graph svg text", has_text="<script>").count() >= 1
    assert watched.dialogs == [] and watched.csp == []
    page.close()


def test_the_progress_line_updates_until_the_report(base: str, browser: BrowserContext) -> None:
    page = browser.new_page()
    watched = Watched(page)
    page.goto(f"{base}/")
    page.fill("#name", "www.expired-signatures.test")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/checks/*")
    # Either still running (the progress line) or already over (the report): both are
    # states of the same page, and htmx takes the first to the second.
    first = page.locator("#progress, #graph").first
    first.wait_for(timeout=RESULT_TIMEOUT_MS)
    page.wait_for_selector("#graph svg", timeout=RESULT_TIMEOUT_MS)
    assert page.locator("#progress").count() == 0
    assert watched.dialogs == [] and watched.csp == []
    page.close()


def test_htmx_shows_the_progress_then_reloads_into_the_report(
    lab: BackgroundLab, anchor: Path, browser: BrowserContext
) -> None:
    # Queries paced to 2 a second per server: the check takes seconds, long enough to
    # see the progress line change (htmx polling) and the page reload when it ends.
    with serving(lab, anchor, 9165, "--allow-private-targets", "--destination-rate", "2") as url:
        page = browser.new_page()
        watched = Watched(page)
        page.goto(f"{url}/")
        page.fill("#name", "expired-signatures.test")
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/checks/*")
        line = page.locator("#progress .progress")
        counts = re.compile(r"asking (\d+) servers?… (\d+) quer(y|ies)…")
        # (Playwright's expect, not wait_for_function: the page's CSP forbids eval.)
        expect(line).to_contain_text("asking", timeout=RESULT_TIMEOUT_MS)
        first = counts.search(line.inner_text())
        assert first is not None, line.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "progress.png"))
        # The line moves on without a reload (htmx swaps it), then the page reloads into
        # the report when the check is over.
        expect(page.locator("#progress .progress, #graph").first).not_to_have_text(
            first.group(0), timeout=RESULT_TIMEOUT_MS
        )
        page.wait_for_selector("#graph svg", timeout=RESULT_TIMEOUT_MS)
        assert "RRSIG_EXPIRED" in page.inner_text("#root-causes")
        assert watched.dialogs == [] and watched.csp == []
        page.close()


def test_without_javascript_the_page_refreshes_itself_into_the_report(
    lab: BackgroundLab, anchor: Path, playwright: Playwright
) -> None:
    with (
        serving(lab, anchor, 9166, "--allow-private-targets", "--destination-rate", "2") as url,
        tempfile.TemporaryDirectory(prefix="chromium-") as profile,
    ):
        context = launch(playwright, profile, javascript=False)
        try:
            page = context.new_page()
            page.goto(f"{url}/")
            page.fill("#name", "www.hostile-labels.test")
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/checks/*")
            assert "asking" in page.inner_text("#progress")  # paced: still running
            # <noscript><meta http-equiv="refresh"> reloads the page until the report.
            page.wait_for_selector("#graph svg", timeout=RESULT_TIMEOUT_MS)
            assert "www.hostile-labels.test." in page.inner_text("header h1")
        finally:
            context.close()
