"""axe-core on every portal page and the admin pages we configure, in Chromium.

Each page is checked at desktop (1280 px) and phone (375 px) width, in every
language, for an anonymous visitor and for staff; any critical or serious
violation fails. The Content Security Policy stays on: axe is injected through the
browser's debugging protocol, which the policy does not govern.
"""

import pytest

from tests.chromium import require_chromium

require_chromium("ACCESSIBILITY TESTS")

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from tests.factories import AgreementFactory, PartyFactory, UserFactory  # noqa: E402
from tests.pages import PORTAL_PAGES, STAFF_PAGES  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FAILING_IMPACTS = {"critical", "serious"}
WIDTHS = (1280, 375)
AXE = Axe()


def signed_in(context, live_server, user):
    """The browser context carries `user`'s session (logged in as by the login form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def violations(page, url: str) -> list[str]:
    """The critical and serious violations on `url`, at every width, one line each."""
    found = []
    page.goto(url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        results = AXE.run(page).response
        for violation in results["violations"]:
            if violation["impact"] in FAILING_IMPACTS:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                found.append(
                    f"{url} at {width}px: {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} on {', '.join(targets[:5])}"
                )
    return found


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_portal_pages_have_no_serious_accessibility_problems(
    browser, live_server, demo, language, who
):
    internal = AgreementFactory(title="Internal roadmap", visibility="internal")
    PartyFactory(agreement=internal)
    context = browser.new_context()
    if who == "staff":
        signed_in(context, live_server, UserFactory(username="staff", groups=["Editors"]))
    page = context.new_page()
    found = []
    for path in PORTAL_PAGES + (STAFF_PAGES if who == "staff" else []):
        found += violations(page, f"{live_server.url}/{language}{path}")
    context.close()
    assert not found, "\n".join(found)


def admin_pages(demo):
    from django.urls import reverse

    from agreements.models import CooperationArea, DocumentLink, Milestone, Party
    from partners.models import Agency, Representative

    def admin(model, view, *args):
        opts = model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)

    records = [
        (type(demo), demo.pk),
        (Milestone, demo.milestones.first().pk),
        (Party, demo.parties.first().pk),
        (Agency, demo.parties.first().agency_id),
        (Representative, Representative.objects.first().pk),
        (CooperationArea, CooperationArea.objects.first().pk),
        (DocumentLink, DocumentLink.objects.first().pk),
    ]
    pages = [reverse("admin:index")]
    for model, pk in records:
        pages += [admin(model, "changelist"), admin(model, "change", pk), admin(model, "add")]
    return pages


@pytest.mark.parametrize("language", ["en", "kk"])
def test_admin_pages_have_no_serious_accessibility_problems(browser, live_server, demo, language):
    from django.utils import translation

    context = browser.new_context()
    signed_in(context, live_server, UserFactory(username="root", is_superuser=True))
    page = context.new_page()
    with translation.override(language):
        paths = admin_pages(demo)
    found = []
    for path in paths:
        found += violations(page, live_server.url + path)
    context.close()
    assert not found, "\n".join(found)
