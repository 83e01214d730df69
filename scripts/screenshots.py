"""Save PNGs of every portal page at desktop and phone width into screenshots/.

Usage: python scripts/screenshots.py BASE_URL  (the Makefile starts a server for it)
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

# Headless Chromium as root on a closed network (also used by tests/test_browser.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "home": "/",
    "agreements": "/agreements/",
    "agreements-filtered": "/agreements/?q=Madrid&area=govtech",
    "agreements-bad-input": (
        "/agreements/?page=abc&sort=bogus&signed_from=2026-01-01&signed_to=2025-01-01"
    ),
    "agreement-detail": "/agreements/nitec-madrid-digital-cooperation-2025/",
    "milestones": "/milestones/",
    "areas": "/areas/",
    "area-detail": "/areas/govtech/",
    "agencies": "/agencies/",
    "agency-detail": "/agencies/nitec/",
    "login": "/accounts/login/",
}
# The same pages in the other languages: longer Russian and Kazakh words are what
# breaks a layout first.
for language in ["es", "ru", "kk"]:
    for name in ["home", "agreements-filtered", "agreement-detail", "milestones"]:
        PAGES[f"{name}-{language}"] = f"/{language}{PAGES[name]}"
WIDTHS = {"desktop": (1366, 900), "phone": (375, 812)}


def main(base_url: str, out: Path = Path("screenshots")) -> None:
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, path in PAGES.items():
                page.goto(base_url.rstrip("/") + path)
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
