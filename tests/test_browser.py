"""Real-browser tests: Debian's Chromium driven by Playwright against the live test server."""

import pytest

from tests.chromium import require_chromium

require_chromium("BROWSER TESTS")

from django.contrib.auth.models import Permission  # noqa: E402
from django.utils import translation  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests.factories import AgreementFactory, PartyFactory, UserFactory  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback keeps the rows that migrations create (areas, groups) between tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_visitor_finds_the_madrid_agreement_by_search_and_area(page, live_server, demo):
    AgreementFactory(title="Unrelated memorandum on postal services")
    page.goto(live_server.url + "/agreements/")
    page.get_by_label("Search", exact=True).fill("Madrid")
    page.get_by_label("Cooperation area").select_option(label="GovTech")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", name="1 agreement")).to_be_visible()
    assert page.url.endswith("/en/agreements/?q=Madrid&area=govtech")  # no empty filters
    expect(page.get_by_text("Unrelated memorandum")).to_have_count(0)
    page.get_by_role("link", name=demo.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    parties = page.locator("section", has=page.get_by_role("heading", name="Parties"))
    expect(parties).to_contain_text("Daulet Bekmanov")
    expect(parties).to_contain_text("Miguel López-Valverde Argüeso")
    expect(page.locator(".timeline-item")).to_have_count(4)
    expect(page.get_by_text("Explore a joint GovTech testing platform in Madrid")).to_be_visible()


def test_removing_one_active_filter_keeps_the_others(page, live_server, demo):
    page.goto(live_server.url + "/agreements/?q=Madrid&area=govtech")
    page.get_by_role("link", name="Remove filter Search").click()
    assert "q=" not in page.url
    assert "area=govtech" in page.url
    expect(page.get_by_label("Cooperation area", exact=True)).to_have_value("govtech")


def test_the_remove_filter_targets_are_big_enough_to_hit(page, live_server, demo):
    """WCAG 2.2 (2.5.8): a target of at least 24 × 24 CSS pixels; the × was 28 × 21."""
    page.goto(live_server.url + "/agreements/?q=Madrid&area=govtech")
    for target in page.locator(".chip a").all():
        box = target.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/agreements/",
        "/agreements/?page=abc&sort=bogus&signed_from=2026-01-01&signed_to=2025-01-01",
        "/agreements/nitec-madrid-digital-cooperation-2025/",
        "/milestones/",
        "/areas/",
        "/areas/govtech/",
        "/agencies/",
        "/agencies/madrid-ministry-of-digitalization/",
        "/accounts/login/",
    ],
)
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_nothing_overflows_at_phone_width(browser, live_server, demo, path, language):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + f"/{language}" + path)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 0, f"{path} is {overflow}px wider than a 375px phone"


def test_staff_logs_in_sees_internal_agreement_and_edits_it(page, live_server, demo):
    internal = AgreementFactory(title="Internal roadmap for data exchange", visibility="internal")
    PartyFactory(agreement=internal)
    # Direct permissions, not the Editors group: a transactional test's flush
    # recreates permissions, so a group restored from the serialized state may point at old ids.
    marta = UserFactory(username="marta")
    marta.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="agreements",
            codename__in=["view_agreement", "change_agreement"],
        )
    )

    page.goto(live_server.url + "/agreements/")
    expect(page.get_by_text(internal.title)).to_have_count(0)

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("marta")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(live_server.url + "/agreements/")
    row = page.get_by_role("row", name=internal.title)
    expect(row.get_by_text("Internal", exact=True)).to_be_visible()
    row.get_by_role("link", name=internal.title).click()
    page.get_by_role("link", name="Edit in admin").click()
    expect(page).to_have_title(f"{internal} | Change agreement | Accords admin")
    expect(page.locator("#id_title")).to_have_value(internal.title)


def test_a_visitor_switches_language_and_keeps_the_search(page, live_server, demo):
    page.goto(live_server.url + "/agreements/?q=Madrid&area=govtech")
    page.get_by_role("button", name="Қазақша").click()

    assert page.url.endswith("/kk/agreements/?q=Madrid&area=govtech")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Келісімдер")
    expect(page.get_by_role("link", name=demo.title_kk)).to_be_visible()

    page.get_by_role("button", name="Español").click()
    assert page.url.endswith("/es/agreements/?q=Madrid&area=govtech")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acuerdos")
    page.goto(live_server.url + "/milestones/")  # no language in the address: the one chosen
    assert "/es/milestones/" in page.url


def test_a_visitor_reads_the_madrid_agreement_in_kazakh_and_in_spanish(page, live_server, demo):
    with translation.override("en"):
        address = demo.get_absolute_url()
    page.goto(live_server.url + address)
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)

    page.get_by_role("button", name="Қазақша").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(
        "«Ұлттық ақпараттық технологиялар» АҚ және Мадрид қауымдастығының Цифрландыру "
        "министрлігі арасындағы ынтымақтастық туралы келісім"
    )
    expect(page.get_by_text("Мадрид қауымдастығының Цифрландыру министрлігі").first).to_be_visible()
    expect(page.locator(".language-note")).to_have_count(0)  # nothing left in English

    page.get_by_role("button", name="Español").click()
    expect(heading).to_have_text(
        "Convenio de colaboración entre NITEC y la Consejería de Digitalización de la "
        "Comunidad de Madrid"
    )
    expect(page.get_by_text("3 de octubre de 2025")).to_be_visible()
    assert page.url.endswith("/es" + address.removeprefix("/en"))


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
        top: box.top + window.scrollY, left: box.left, width: box.width, height: box.height,
        tag: el.tagName, text: (el.innerText || el.name || el.id || "").trim().slice(0, 40),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
    };
}"""


@pytest.mark.parametrize("width", [375, 1280])
def test_the_keyboard_follows_the_page_in_the_order_it_is_seen(browser, live_server, demo, width):
    """Tab goes down the page as it is seen (on a phone the filters come below the
    results, and so they do in the tab order), and where the focus is always shows."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/en/agreements/?q=madrid")
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    context.close()
    names = [stop["text"] for stop in stops]
    assert "Apply" in names, names  # the whole page was walked
    results = next(i for i, stop in enumerate(stops) if stop["text"] == demo.title[:40])
    filters = names.index("Apply")
    if width == 375:  # one column: the results first, then the filters
        assert results < filters
        tops = [stop["top"] for stop in stops]
        for before, after, stop in zip(tops, tops[1:], stops[1:], strict=False):
            assert after >= before - 12, f"focus jumped up the page to {stop['text']!r}"
    for stop in stops:
        assert stop["outline"] or stop["shadow"], f"no visible focus on {stop['text']!r}"
        assert stop["width"] > 0 and stop["height"] > 0, stop


def test_on_a_phone_the_header_is_one_row_and_a_menu_without_javascript(
    browser, live_server, demo
):
    """At 375 px the header took about 150 px (the navigation wrapped to three rows):
    now the name and a Menu button, then the search; the menu opens with no script."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url + "/en/agreements/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 110, header
    menu = page.locator(".phone-menu")
    expect(menu.get_by_role("link", name="Milestones")).to_be_hidden()
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Milestones")).to_be_visible()
    expect(menu.get_by_role("link", name="Log in")).to_be_visible()
    menu.get_by_role("link", name="Milestones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Milestones")
    context.close()
