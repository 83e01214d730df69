"""Accords in English, Spanish, Russian and Kazakh: complete catalogues, addresses that
carry the language, a menu that keeps the page, and no English left on any page."""

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import CharField, TextField
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from tests.factories import AgreementFactory, MilestoneFactory, PartyFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["es", "ru", "kk"]
CATALOGUES = [
    ROOT / "locale" / folder / language / "LC_MESSAGES" / "django.po"
    for folder in ["", "libraries"]
    for language in LANGUAGES
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT / "locale")))
def test_catalogue_has_every_message_translated(path):
    catalogue = polib.pofile(str(path))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries() if e.msgid] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT / "locale")))
def test_translations_keep_every_placeholder(path):
    wrong = []
    for entry in polib.pofile(str(path)).translated_entries():
        wanted = {m.group(0) for m in PLACEHOLDER.finditer(entry.msgid_plural or entry.msgid)}
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            found = {m.group(0) for m in PLACEHOLDER.finditer(form)}
            # A singular form may leave the number out ("одно соглашение").
            if found - wanted or (wanted - found) - {"%(count)d", "%(total)s", "%(days)s"}:
                wrong.append((entry.msgid, form))
    assert wrong == []


class VisibleText(HTMLParser):
    """The text a person reads or hears: content and the attributes screen readers speak."""

    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)
            if name == "value" and ("type", "submit") in attrs and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    # Text marked as English (the menu's "English", a record shown in its English
    # original) is English on purpose: it says so to browsers and screen readers.
    html = re.sub(
        r'<(span|button|div|option)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", html, flags=re.S
    )
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    # An address (a printout's source: /es/milestones/) is no sentence to translate.
    return re.sub(r"\s+", " ", re.sub(r"https?://\S+", " ", text))


def without_records(text: str) -> str:
    """The page's text less what the records say (titles, names, summaries): data in the
    language it was recorded in, not interface."""
    values = set()
    for model in [
        *apps.get_app_config("agreements").get_models(),
        *apps.get_app_config("partners").get_models(),
    ]:
        fields = [f.name for f in model._meta.fields if isinstance(f, (CharField, TextField))]
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if isinstance(value, str) and len(value.strip()) > 2:
                    # The Changes section shows long values cut at 200 characters.
                    values.update({value.strip(), value.strip()[:199]})
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(re.sub(r"\s+", " ", value), " ")
    return text


def english_left(text: str, language: str) -> list[str]:
    """The project's English messages that appear untranslated in `text`."""
    text = without_records(text)
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    left = []
    for entry in catalogue:  # untranslated entries too: those are the ones that show
        for english in filter(None, [entry.msgid, entry.msgid_plural]):
            if english in (entry.msgstr, *entry.msgstr_plural.values()):
                continue  # the same in both languages (a name, an abbreviation)
            # Between placeholders, the longer literal pieces of the sentence.
            pieces = [p.strip() for p in PLACEHOLDER.split(english) if p and len(p.strip()) >= 4]
            for piece in pieces if PLACEHOLDER.search(english) else [english]:
                if len(piece) >= 3 and re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text):
                    left.append(piece)
    return sorted(set(left))


def pages(demo):
    return [
        reverse("home"),
        reverse("agreements:agreement_list"),
        reverse("agreements:agreement_list") + "?signed_from=2030-01-01&signed_to=2020-01-01",
        demo.get_absolute_url(),
        reverse("agreements:milestone_list"),
        reverse("agreements:milestone_list") + "?overdue=on",
        reverse("agreements:area_list"),
        reverse("agreements:area_detail", kwargs={"slug": "govtech"}),
        reverse("partners:agency_list"),
        reverse("partners:agency_detail", kwargs={"slug": "nitec"}),
        reverse("login"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "staff"])
def test_every_page_is_in_the_language_with_no_english_left(
    client, demo, viewer, language, signed_in
):
    if signed_in:
        client.force_login(viewer)
    with translation.override(language):
        urls = pages(demo)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url
        assert english_left(visible_text(html), language) == [], url


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_not_found_page_is_in_the_language_too(client, db, language):
    response = client.get(f"/{language}/agreements/no-such-agreement/")
    assert response.status_code == 404
    assert english_left(visible_text(response.content.decode()), language) == []


class TestAddresses:
    def test_every_address_carries_its_language(self):
        for language in ["en", *LANGUAGES]:
            with translation.override(language):
                assert reverse("agreements:agreement_list") == f"/{language}/agreements/"

    def test_an_address_without_a_language_follows_the_browser(self, client, db):
        response = client.get("/agreements/?q=Madrid", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")
        assert response.status_code == 302
        assert response["Location"] == "/ru/agreements/?q=Madrid"

    def test_the_language_chosen_before_wins_over_the_browser(self, client, db):
        client.cookies["django_language"] = "kk"
        response = client.get("/milestones/", HTTP_ACCEPT_LANGUAGE="es")
        assert response["Location"] == "/kk/milestones/"

    @pytest.mark.parametrize("prefix", ["xx", "de", "es-xx", "%F0%9F%92%A5"])
    def test_a_language_we_do_not_have_is_our_not_found_page(self, client, db, prefix):
        response = client.get(f"/{prefix}/agreements/")
        assert response.status_code == 404
        assert "404.html" in [template.name for template in response.templates]

    def test_each_page_names_its_versions_in_the_other_languages(self, client, demo):
        html = client.get("/es/agreements/?q=Madrid&area=govtech").content.decode()
        for language in ["en", "es", "ru", "kk"]:
            assert (
                f'hreflang="{language}" href="http://testserver/{language}/agreements/'
                f'?q=Madrid&amp;area=govtech"'
            ) in html


class TestLanguageMenu:
    def test_switching_keeps_the_page_its_filters_and_the_session(self, client, demo, viewer):
        client.force_login(viewer)
        here = "/en/agreements/?q=Madrid&area=govtech"
        html = client.get(here).content.decode()
        assert 'name="next" value="/en/agreements/?q=Madrid&amp;area=govtech"' in html
        assert 'name="language" value="kk" lang="kk">Қазақша</button>' in html

        response = client.post(reverse("set_language"), {"language": "kk", "next": here})

        assert response.status_code == 302
        assert response["Location"] == "/kk/agreements/?q=Madrid&area=govtech"
        assert response.cookies["django_language"].value == "kk"
        page = client.get(response["Location"]).content.decode()
        assert '<html lang="kk">' in page
        assert viewer.username in page  # still signed in

    def test_the_menu_is_in_the_admin_too(self, client, superuser):
        client.force_login(superuser)
        html = client.get("/ru/admin/agreements/agreement/").content.decode()
        assert 'name="language" value="es" lang="es">Español</button>' in html
        assert '<span class="current" lang="ru" aria-current="true">Русский</span>' in html


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 соглашение"), (2, "2 соглашения"), (5, "5 соглашений"), (21, "21 соглашение")],
)
def test_russian_counts_take_their_plural_forms(client, db, count, expected):
    AgreementFactory.create_batch(count)
    html = client.get("/ru/agreements/").content.decode()
    assert expected in visible_text(html)


def test_kazakh_counts_keep_the_noun_singular(client, db):
    AgreementFactory.create_batch(5)
    assert "5 келісім" in visible_text(client.get("/kk/agreements/").content.decode())


@pytest.mark.parametrize(
    ("language", "header", "status"),
    [("es", "Fecha límite", None), ("ru", "Срок", None), ("kk", "Мерзімі", None)],
)
def test_csv_headers_and_labels_are_in_the_language_of_the_page(
    client, db, language, header, status
):
    party = PartyFactory()
    MilestoneFactory(agreement=party.agreement, responsible_agency=party.agency)
    with translation.override(language):
        url = reverse("agreements:milestone_export")
        scheduled = str(Agreement._meta.get_field("status").model.Status.SIGNED.label)
    response = client.get(url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    with translation.override(language):
        from agreements.exports import milestone_columns

        assert rows[0] == milestone_columns()
        from agreements.models import Milestone

        assert rows[1][6] == str(Milestone.Status.SCHEDULED.label)
    assert rows[0][0] != "Agreement reference"
    assert rows[1][11].startswith(f"http://testserver/{language}/agreements/")
    assert scheduled  # the labels come from the same catalogue as the pages


def test_the_command_writes_the_report_in_the_language_asked_for(db):
    MilestoneFactory()
    out = io.StringIO()
    call_command("export_milestones", "--language", "ru", stdout=out)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    with translation.override("ru"):
        from agreements.exports import milestone_columns

        assert header == milestone_columns()
    assert header[0] != "Agreement reference"


def test_the_admin_is_entirely_in_kazakh(client, superuser, demo):
    """Django's own Kazakh admin lacks a third of its strings: ours complete it."""
    admin_catalogue = (
        Path(translation.__file__).resolve().parent.parent.parent
        / "contrib" / "admin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    )  # fmt: skip
    english = [
        e.msgid for e in polib.pofile(str(admin_catalogue))
        if len(e.msgid) >= 4 and "%" not in e.msgid and "{" not in e.msgid
    ]  # fmt: skip
    client.force_login(superuser)
    with translation.override("kk"):
        urls = [
            reverse("admin:index"),
            reverse("admin:agreements_agreement_changelist"),
            reverse("admin:agreements_agreement_change", args=[demo.pk]),
            reverse("admin:agreements_milestone_add"),
            reverse("admin:agreements_agreement_history", args=[demo.pk]),
        ]
    for url in urls:
        text = visible_text(client.get(url).content.decode())
        left = [m for m in english if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text)]
        assert left == [], url


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_internal_records_stay_hidden_in_every_language(client, db, language):
    internal = AgreementFactory(title="Internal memorandum", visibility="internal")
    MilestoneFactory(agreement=internal, title="Internal step")
    with translation.override(language):
        detail = internal.get_absolute_url()
        lists = [
            reverse("agreements:agreement_list"),
            reverse("agreements:milestone_list"),
            reverse("agreements:milestone_export"),
        ]
    assert client.get(detail).status_code == 404
    for url in lists:
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        assert "Internal memorandum" not in body and "Internal step" not in body
