"""What the real-browser tests share: Debian's Chromium, or a loud skip without it."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def require_chromium(what: str) -> None:
    """Skip the calling test module, saying so, where Chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{what} SKIPPED: /usr/bin/chromium is missing (apt-get install chromium)",
            allow_module_level=True,
        )


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from scripts.screenshots import CHROMIUM_ARGS

    # Playwright's sync API runs an event loop in this thread; the ORM calls in
    # the test itself are still synchronous, so Django's async guard is relaxed here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
