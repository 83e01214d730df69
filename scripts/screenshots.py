"""Save PNGs of every portal page at desktop and phone width into screenshots/.

Usage: python scripts/screenshots.py BASE_URL  (the Makefile starts a server for it)
With SHOT_USER and SHOT_PASSWORD (a staff account), also the staff's view of the
portal and the admin pages.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

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
    "agreements-bad-date": "/agreements/?signed_from=notadate&q=madrid",
    "milestones": "/milestones/",
    "milestones-bad-input": "/milestones/?due_within=abc&status=done",
    "search": "/search/?q=madrid",
    "areas": "/areas/",
    "area-detail": "/areas/govtech/",
    "agencies": "/agencies/",
    "agency-detail": "/agencies/nitec/",
    "login": "/accounts/login/",
    "open-data": "/open-data/",
}
# The same pages in the other languages: longer Russian and Kazakh words are what
# breaks a layout first.
for language in ["es", "ru", "kk"]:
    for name in ["home", "agreements-filtered", "agreement-detail", "milestones"]:
        PAGES[f"{name}-{language}"] = f"/{language}{PAGES[name]}"
# Seen by staff: internal records, the Changes section, and the admin.
STAFF_PAGES = {
    "staff-agreement-detail": "/en/agreements/nitec-madrid-digital-cooperation-2025/",
    "staff-agreements": "/en/agreements/",
    "staff-home": "/en/",
    "my-agreements": "/en/my/agreements/",
    "my-reminders": "/en/my/reminders/",
    "my-reminders-kk": "/kk/my/reminders/",
    "my-api-keys": "/en/my/api-keys/",
    "admin-documents": "/en/admin/documents/document/",
    "admin-agreement-import": "/en/admin/agreements/agreement/import/",
    "admin-reminders": "/en/admin/notifications/reminder/",
    "admin-index": "/en/admin/",
    "admin-agreements": "/en/admin/agreements/agreement/",
    "admin-agreement-change": "/en/admin/agreements/agreement/{demo}/change/",
    "admin-milestones": "/en/admin/agreements/milestone/",
    "admin-milestone-add": "/en/admin/agreements/milestone/add/",
    "admin-agency-change-kk": "/kk/admin/partners/agency/{agency}/change/",
}
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


def log_in(page, base_url: str) -> bool:
    user, password = os.environ.get("SHOT_USER"), os.environ.get("SHOT_PASSWORD")
    if not (user and password):
        return False
    page.goto(base_url + "/en/admin/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    return True


def record_ids(page, base_url: str) -> dict:
    """The demo agreement's and an agency's admin ids, read from the admin's own lists."""
    ids = {}
    for key, url in [("demo", "/en/admin/agreements/agreement/?q=NITEC"),
                     ("agency", "/en/admin/partners/agency/?q=NITEC")]:  # fmt: skip
        page.goto(base_url + url)
        href = page.locator("#result_list tbody tr th a").first.get_attribute("href")
        ids[key] = urlsplit(href).path.rstrip("/").split("/")[-2]  # …/<id>/change/?filters
    return ids


def main(base_url: str, out: Path = Path("screenshots")) -> None:
    out.mkdir(exist_ok=True)
    base_url = base_url.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            pages = dict(PAGES)
            for name, path in pages.items():
                page.goto(base_url + path)
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            if log_in(page, base_url):
                ids = record_ids(page, base_url)
                for name, path in STAFF_PAGES.items():
                    page.goto(base_url + path.format(**ids))
                    target = out / f"{name}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
