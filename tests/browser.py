"""What every browser test shares: Debian's Chromium, driven by Playwright (its own browser
download does not work here), and the skip where Chromium is not installed."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def browser(live_server, monkeypatch):
    """A headless Chromium for the test, against the live server."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the database work of the test
    # happens before and after each browser step, never concurrently.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()
