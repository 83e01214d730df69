"""Records kept in several languages: each page shows the translation into its
language, or the original marked with its own language; the admin edits them side
by side; exports, search and the demo follow."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, Milestone
from partners.models import Agency
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    CooperationAreaFactory,
    MilestoneFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db


def path(record) -> str:
    """The record's address without its language prefix."""
    with translation.override("en"):
        return record.get_absolute_url().removeprefix("/en")


def get(client, url, language):
    response = client.get(f"/{language}{url}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_translated_title_is_shown_in_the_pages_language(client):
    agreement = AgreementFactory(
        title="Agreement on digital signatures", title_es="Convenio sobre firma electrónica"
    )
    page = get(client, path(agreement), "es")
    assert "<h1>Convenio sobre firma electrónica</h1>" in page
    assert "<title>" in page and "Convenio sobre firma electrónica" in page.split("</title>")[0]
    assert "Agreement on digital signatures" not in page


@pytest.mark.parametrize(
    "language, note",
    [("es", "(en inglés)"), ("ru", "(на английском)"), ("kk", "(ағылшын тілінде)")],
)
def test_an_untranslated_title_shows_the_original_marked_with_its_language(client, language, note):
    agreement = AgreementFactory(title="Agreement on digital signatures", summary="Two lines.")
    page = get(client, path(agreement), language)
    assert f'<html lang="{language}"' in page
    assert (
        '<h1><span lang="en">Agreement on digital signatures</span>'
        f' <small class="language-note">{note}</small></h1>' in page
    )
    # The summary too, as a block in its own language, never an empty field.
    assert '<div class="prose" lang="en"><p>Two lines.</p></div>' in page


def test_the_original_language_needs_no_marker(client):
    agreement = AgreementFactory(title="Convenio de colaboración", original_language="es")
    page = get(client, path(agreement), "es")
    assert "<h1>Convenio de colaboración</h1>" in page
    english = get(client, path(agreement), "en")
    assert '<span lang="es">Convenio de colaboración</span>' in english
    assert '<small class="language-note">(in Spanish)</small>' in english


def test_translated_text_is_escaped_like_any_other(client):
    agreement = AgreementFactory(
        title="<b>Plain</b>", title_ru="<script>alert(1)</script>Соглашение", summary="<i>x</i>"
    )
    for language in ["ru", "es"]:  # the translation, and the original as a fallback
        page = get(client, path(agreement), language)
        assert "<script>alert(1)" not in page and "<b>Plain" not in page and "<i>x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Соглашение" in get(client, path(agreement), "ru")


def test_agencies_areas_and_milestones_follow_the_language(client):
    agency = AgencyFactory(name="National Information Technologies", name_ru="АО «НИТ»")
    area = CooperationAreaFactory(name="Cyber resilience", name_kk="Киберорнықтылық")
    agreement = AgreementFactory()
    agreement.areas.add(area)
    PartyFactory(agreement=agreement, agency=agency)
    MilestoneFactory(
        agreement=agreement, title="Joint research", title_ru="Совместные исследования"
    )
    address = path(agreement)
    russian = get(client, address, "ru")
    assert "АО «НИТ»" in russian and "Совместные исследования" in russian
    assert '<span lang="en">Cyber resilience</span>' in russian  # no Russian name: marked
    assert "Киберорнықтылық" in get(client, address, "kk")
    assert "АО «НИТ»" in get(client, path(agency), "ru")


def test_filter_choices_name_agencies_in_the_pages_language(client):
    AgencyFactory(name="Ministry of Digitalization", name_es="Consejería de Digitalización")
    assert "Consejería de Digitalización" in get(client, "/agreements/", "es")


def test_a_translation_into_the_original_language_is_refused_and_a_copy_dropped():
    agreement = AgreementFactory.build(title="Convenio", original_language="es", title_es="Otro")
    with pytest.raises(ValidationError) as error:
        agreement.full_clean(exclude=["reference", "slug"])
    assert "original_language" in error.value.message_dict
    agreement.title_es = "Convenio"
    agreement.full_clean(exclude=["reference", "slug"])
    assert agreement.title_es == ""


def test_search_finds_an_agreement_by_its_translations_for_those_who_may_see_it(client, editor):
    public = AgreementFactory(title="Cooperation agreement", title_ru="Соглашение с Мадридом")
    AgreementFactory(title="Internal note", title_ru="Служебное соглашение с Мадридом",
                     visibility=Agreement.Visibility.INTERNAL)  # fmt: skip
    for language in ["ru", "en", "kk"]:
        page = get(client, "/agreements/?q=Мадрид", language)
        assert public.reference in page
        assert "Служебное" not in page and "Internal note" not in page
    client.force_login(editor)
    assert "Служебное соглашение" in get(client, "/agreements/?q=Мадрид", "ru")


def test_milestone_csv_gives_titles_in_the_downloads_language_with_the_original_as_fallback(
    client,
):
    agreement = AgreementFactory(title="Cooperation agreement", title_es="Convenio de colaboración")
    MilestoneFactory(agreement=agreement, title="Joint research", title_es="Investigación conjunta")
    MilestoneFactory(agreement=agreement, title="Exchange of experts")
    with translation.override("es"):
        response = client.get(reverse("agreements:milestone_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Referencia del acuerdo", "Título del acuerdo", "Hito"]
    body = {row[2]: row for row in rows[1:]}
    assert set(body) == {"Investigación conjunta", "Exchange of experts"}
    assert body["Exchange of experts"][1] == "Convenio de colaboración"


def test_missing_translation_filter_lists_what_still_needs_translating(client, editor):
    done = AgreementFactory(title="Done", title_kk="Дайын", summary="", place_of_signing="")
    untranslated = AgreementFactory(title="Needs work", summary="", place_of_signing="")
    milestone_missing = AgreementFactory(
        title="Milestone to do", title_kk="Кезең", summary="", place_of_signing=""
    )
    MilestoneFactory(agreement=milestone_missing, title="Workshop", description="")
    written_in_kazakh = AgreementFactory(title="Қазақша", original_language="kk")
    client.force_login(editor)
    with translation.override("en"):
        url = reverse("admin:agreements_agreement_changelist")
    listed = {
        a.pk for a in client.get(url, {"missing_translation": "kk"}).context["cl"].result_list
    }
    assert listed == {untranslated.pk, milestone_missing.pk}
    assert done.pk not in listed and written_in_kazakh.pk not in listed
    # The list's column says the same, milestones included.
    rows = client.get(url, {"missing_translation": "kk"}).context["cl"].result_list
    assert all("kk" in row.missing_translations() for row in rows)
    # An unknown language is not a filter (and not an error).
    assert client.get(url, {"missing_translation": "xx"}).status_code in (200, 302)
    assert set(Agreement.objects.missing_translation("kk")) == {untranslated, milestone_missing}


def test_admin_edits_translations_side_by_side_and_says_which_are_missing(client, editor):
    agreement = AgreementFactory(title="Cooperation", title_es="Colaboración", summary="Text")
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    with translation.override("kk"):
        page = client.get(url.replace("/en/", "/kk/")).content.decode()
    # One group per other language, with the inputs marked in that language.
    assert 'name="title_es"' in page and 'lang="es"' in page
    assert 'name="title_ru"' in page and 'name="summary_kk"' in page
    assert 'name="title_en"' not in page  # English is the original: it is "title"
    assert page.count("Бұл тілге әлі аударылмаған.") == 3  # es lacks the summary; ru, kk all
    list_page = client.get(reverse("admin:agreements_agreement_changelist")).content.decode()
    assert "Spanish, Russian, Kazakh" in list_page


def test_admin_saves_a_translation(client, editor):
    from tests.admin_forms import form_data

    agreement = AgreementFactory(title="Cooperation", summary="", place_of_signing="")
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = form_data(client.get(url).content.decode())
    data.update(title_kk=["Ынтымақтастық"], _save=["Save"])
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.title_kk == "Ынтымақтастық"
    assert "kk" not in agreement.missing_translations()


def test_load_demo_fills_in_translations_on_an_existing_database_and_keeps_edits(db):
    call_command("load_demo", stdout=io.StringIO())
    agreement = Agreement.objects.get(slug="nitec-madrid-digital-cooperation-2025")
    nitec = Agency.objects.get(slug="nitec")
    # A database from before the translations: none recorded, one edited by staff.
    Agreement.objects.update(title_es="", title_ru="Наш перевод", title_kk="", summary_kk="")
    Agency.objects.update(name_kk="", name_ru="")
    Milestone.objects.update(title_kk="")
    call_command("load_demo", stdout=io.StringIO())
    agreement.refresh_from_db()
    nitec.refresh_from_db()
    assert agreement.title_ru == "Наш перевод"
    assert agreement.title_es.startswith("Convenio de colaboración")
    assert "ынтымақтастық туралы келісім" in agreement.title_kk and agreement.summary_kk
    assert nitec.name_kk == "«Ұлттық ақпараттық технологиялар» АҚ"
    assert nitec.name_ru == "АО «Национальные информационные технологии»"
    assert not Milestone.objects.filter(title_kk="").exists()
    assert agreement.missing_translations() == []


def test_demo_is_recorded_in_all_four_languages(client, demo):
    assert demo.missing_translations() == []
    assert not Agreement.objects.missing_translation("es").exists()
    for model in [Agency, Milestone]:
        for language in ["es", "ru", "kk"]:
            assert not model.objects.missing_translation(language).exists(), (model, language)
    madrid = Agency.objects.get(slug="madrid-ministry-of-digitalization")
    assert madrid.name_es == "Consejería de Digitalización de la Comunidad de Madrid"
    address = path(demo)
    for language in ["es", "ru", "kk"]:
        assert 'class="language-note"' not in get(client, address, language)


def test_admin_change_page_queries_do_not_grow_with_inline_rows(client, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DocumentLinkFactory

    agreement = AgreementFactory(original_language="es", title="Convenio")
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])

    def queries():
        with translation.override("kk"), CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    MilestoneFactory(agreement=agreement)
    DocumentLinkFactory(agreement=agreement, language="")
    queries()  # the first request fills caches (permissions, counts)
    few = queries()
    for _ in range(15):
        MilestoneFactory(agreement=agreement)
        DocumentLinkFactory(agreement=agreement, language="")
    assert queries() == few


def test_the_admin_list_reads_only_milestones_that_miss_a_translation(demo):
    """The "missing translations" column prefetches the milestones still lacking one;
    a milestone is never missing the language it is written in, so a fully
    translated agreement loads none of its milestones."""
    agreement = Agreement.objects.with_untranslated_milestones().get(pk=demo.pk)
    assert demo.milestones.exists() and agreement.untranslated_milestones == []
    assert agreement.missing_translations() == []
    milestone = demo.milestones.first()
    milestone.title_ru = ""
    milestone.save()
    agreement = Agreement.objects.with_untranslated_milestones().get(pk=demo.pk)
    assert [m.pk for m in agreement.untranslated_milestones] == [milestone.pk]
    assert agreement.missing_translations() == ["ru"]
