"""Responsible officers, watching, My agreements and the reminder settings page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from notifications.models import NotificationSettings, Watch
from tests.factories import AgreementFactory, MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def officer(db):
    return UserFactory(username="aigerim", groups=["Viewers"])


def watch(client, agreement, value="1"):
    return client.post(reverse("notifications:watch", args=[agreement.slug]), {"watch": value})


def test_staff_watch_and_unwatch_from_the_agreement_page(client, officer):
    agreement = AgreementFactory(visibility="internal")
    client.force_login(officer)
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert ">Watch</button>" in page
    response = watch(client, agreement)
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    watch(client, agreement)  # a double click
    assert Watch.objects.filter(user=officer, agreement=agreement).count() == 1
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "Stop watching" in page and "You watch this agreement." in page
    watch(client, agreement, "0")
    assert not Watch.objects.exists()


def test_watching_needs_a_staff_login_and_an_agreement_one_may_see(client, officer):
    public = AgreementFactory(visibility="public")
    internal = AgreementFactory(visibility="internal")
    anonymous = watch(client, public)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(UserFactory(username="citizen", is_staff=False))
    assert watch(client, public).status_code == 403
    client.force_login(UserFactory(username="nogroup"))  # staff without view permission
    assert watch(client, internal).status_code == 404
    assert client.get(reverse("notifications:watch", args=[public.slug])).status_code == 405
    assert not Watch.objects.exists()


def test_watch_returns_only_to_a_page_of_this_site(client, officer):
    agreement = AgreementFactory()
    client.force_login(officer)
    response = client.post(
        reverse("notifications:watch", args=[agreement.slug]),
        {"watch": "1", "next": "https://evil.example/"},
    )
    assert response["Location"] == agreement.get_absolute_url()


def test_the_public_sees_no_watch_button_and_no_officer(client, officer):
    agreement = AgreementFactory(responsible_officer=officer)
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "Watch" not in page and "aigerim" not in page


def test_my_agreements_lists_what_i_own_and_watch_with_counts(client, officer):
    owned = AgreementFactory(responsible_officer=officer, title="Owned agreement")
    MilestoneFactory(agreement=owned, due_date=TODAY - timezone.timedelta(days=2))
    MilestoneFactory(agreement=owned, due_date=TODAY + timezone.timedelta(days=9))
    watched = AgreementFactory(title="Watched agreement")
    Watch.objects.create(user=officer, agreement=watched)
    AgreementFactory(title="Somebody else's")
    other = AgreementFactory(title="Holder of my milestone")
    MilestoneFactory(agreement=other, title="My own step", responsible_officer=officer)
    client.force_login(officer)
    response = client.get(reverse("notifications:mine"))
    page = response.content.decode()
    assert "Owned agreement" in page and "Watched agreement" in page
    assert "Somebody else" not in page
    assert "My own step" in page
    rows = {a.title: a for a in response.context["agreements"]}
    assert (rows["Owned agreement"].open_count, rows["Owned agreement"].overdue_count) == (2, 1)
    assert rows["Owned agreement"].next_due == TODAY + timezone.timedelta(days=9)
    assert rows["Watched agreement"].watching


def test_my_agreements_is_for_staff(client):
    assert client.get(reverse("notifications:mine")).status_code == 302
    client.force_login(UserFactory(username="citizen", is_staff=False))
    assert client.get(reverse("notifications:mine")).status_code == 403


def test_my_agreements_query_count_does_not_grow_with_rows(client, officer):
    def queries(n):
        for _ in range(n):
            agreement = AgreementFactory(responsible_officer=officer)
            MilestoneFactory(agreement=agreement, responsible_officer=officer)
            Watch.objects.create(user=officer, agreement=AgreementFactory())
        client.force_login(officer)
        client.get(reverse("notifications:mine"))  # the session's first page notes the language
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("notifications:mine")).status_code == 200
        return len(captured)

    assert queries(3) == queries(27)


def test_settings_page_saves_and_shows_errors_beside_the_field(client, officer):
    client.force_login(officer)
    url = reverse("notifications:settings")
    page = client.get(url).content.decode()
    assert re.search(r'value="daily"[^>]*checked', page)  # the default, shown as chosen
    bad = client.post(url, {"frequency": "hourly", "scope": "mine", "language": "fr"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Error:" in text and "Choose how often you want reminder e-mails." in text
    assert "Choose one of the four languages." in text
    assert NotificationSettings.objects.get(user=officer).frequency == "daily"  # unchanged
    good = client.post(url, {"frequency": "weekly", "scope": "all", "language": "ru"})
    assert good.status_code == 302
    saved = NotificationSettings.objects.get(user=officer)
    assert (saved.frequency, saved.scope, saved.language) == ("weekly", "all", "ru")


def test_settings_are_for_staff_only(client):
    url = reverse("notifications:settings")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(username="citizen", is_staff=False))
    assert client.get(url).status_code == 403
    assert (
        client.post(reverse("notifications:calendar_key"), {"action": "issue"}).status_code == 403
    )


def test_needs_attention_counts_agreements_with_no_responsible_officer(client, officer, superuser):
    AgreementFactory(status="in_force")
    AgreementFactory(status="negotiation")
    AgreementFactory(status="terminated")  # finished: nobody needs to follow it
    AgreementFactory(status="signed", responsible_officer=officer)
    assert Agreement.objects.without_responsible_officer().count() == 2
    client.force_login(superuser)
    page = client.get("/en/").content.decode()
    assert "?attention=no_officer" in page
    listed = client.get("/en/agreements/?attention=no_officer")
    assert listed.context["paginator"].count == 2


def test_an_officer_who_left_stays_named_until_an_editor_chooses_another(client, superuser):
    from tests.admin_forms import form_data

    leaver = UserFactory(username="leaver", first_name="Marta", last_name="Ruiz")
    agreement = AgreementFactory(responsible_officer=leaver)
    milestone = MilestoneFactory(agreement=agreement, responsible_officer=leaver)
    leaver.is_staff = False
    leaver.save()
    client.force_login(superuser)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    page = client.get(url).content.decode()
    assert "Marta Ruiz (leaver), no longer active staff" in page
    data = form_data(page)
    data["summary"] = ["Edited without touching the officer."]
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    milestone.refresh_from_db()
    assert agreement.responsible_officer == leaver and milestone.responsible_officer == leaver
    # ...and counts as nobody following the agreement up.
    assert Agreement.objects.without_responsible_officer().filter(pk=agreement.pk).exists()
    # Naming someone who is not active staff, though, is refused beside the field.
    other = AgreementFactory()
    other_url = reverse("admin:agreements_agreement_change", args=[other.pk])
    data = form_data(client.get(other_url).content.decode())
    data["responsible_officer"] = [str(leaver.pk)]
    response = client.post(other_url, data)
    assert response.status_code == 200
    assert "Choose a staff member whose account is active." in response.content.decode()
    other.refresh_from_db()
    assert other.responsible_officer is None


def test_the_settings_row_of_one_person_cannot_be_moved_to_another(client, superuser, officer):
    from tests.admin_forms import form_data

    settings = NotificationSettings.objects.create(user=officer, frequency="weekly")
    client.force_login(superuser)
    url = reverse("admin:notifications_notificationsettings_change", args=[officer.pk])
    data = form_data(client.get(url).content.decode())
    data["user"] = [str(superuser.pk)]
    client.post(url, data)
    assert list(NotificationSettings.objects.values_list("user", flat=True)) == [officer.pk]
    settings.refresh_from_db()
    assert settings.frequency == "weekly"


def test_stop_watching_from_my_agreements(client, officer):
    agreement = AgreementFactory(title="Watched agreement")
    Watch.objects.create(user=officer, agreement=agreement)
    client.force_login(officer)
    page = client.get(reverse("notifications:mine")).content.decode()
    assert "Stop watching" in page
    response = client.post(
        reverse("notifications:watch", args=[agreement.slug]),
        {"watch": "0", "next": reverse("notifications:mine")},
    )
    assert response["Location"] == reverse("notifications:mine")
    assert not Watch.objects.exists()
