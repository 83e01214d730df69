"""Bad query strings give a 200 page with a message next to the wrong filter, or a clean 404."""

import re

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
AGREEMENTS = reverse("agreements:agreement_list")
MILESTONES = reverse("agreements:milestone_list")
AGENCIES = reverse("partners:agency_list")
CHOOSE = "Choose one of the options in the list."


@pytest.fixture
def some_rows(db):
    for agreement in AgreementFactory.create_batch(3):
        MilestoneFactory(agreement=agreement)


@pytest.mark.parametrize(
    ("url", "params", "field", "message"),
    [
        (AGREEMENTS, {"sort": "password"}, "sort", CHOOSE),
        (AGREEMENTS, {"signed_from": "2025-13-45"}, "signed_from", "Enter a date as year-month"),
        (
            AGREEMENTS,
            {"signed_from": "2026-01-01", "signed_to": "2025-01-01"},
            "signed_to",
            "This date is before the “from” date.",
        ),
        (AGREEMENTS, {"area": "no-such-area"}, "area", CHOOSE),
        (AGREEMENTS, {"agency": "999999"}, "agency", CHOOSE),
        (AGREEMENTS, {"country": "XX"}, "country", CHOOSE),
        (AGREEMENTS, {"q": "x" * 5000}, "q", "Shorten this to 200 characters or fewer"),
        (MILESTONES, {"due_within": "abc"}, "due_within", "Enter a whole number, for example 30."),
        (MILESTONES, {"due_within": "9" * 40}, "due_within", "Enter 3650 or less."),
        (MILESTONES, {"due_within": "-1"}, "due_within", "Enter 0 or more."),
        (
            MILESTONES,
            {"due_from": "2026-02-01", "due_to": "2026-01-01"},
            "due_to",
            "This date is before the “from” date.",
        ),
        (MILESTONES, {"status": "done"}, "status", CHOOSE),
        (MILESTONES, {"sort": "-title"}, "sort", CHOOSE),
        (AGENCIES, {"kind": "bank"}, "kind", CHOOSE),
    ],
)
def test_invalid_filter_shows_message_next_to_field_and_lists_nothing(
    client, some_rows, url, params, field, message
):
    response = client.get(url, params)
    assert response.status_code == 200
    assert message in " ".join(response.context["filter"].form.errors[field])
    assert list(response.context["object_list"]) == []
    content = response.content.decode()
    assert f'id="id_{field}_error"' in content
    # GOV.UK's pattern: "Error:" in the title, a summary linking to each wrong field,
    # and no count of results that were never searched for.
    assert re.search(r"<title>Error: ", content)
    assert "There is a problem with the filters" in content
    assert f'href="#id_{field}"' in content
    assert "results-count" not in content
    # Every id the fields point screen readers to is on the page (the error read out).
    described = re.findall(r'aria-describedby="([^"]+)"', content)
    assert f"id_{field}_error" in " ".join(described)
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in content, target


def test_a_date_that_is_not_one_stays_in_its_field_to_correct(client, db):
    content = client.get(AGREEMENTS, {"signed_from": "3rd of October"}).content.decode()
    field = re.search(r'<input[^>]*id="id_signed_from"[^>]*>', content).group()
    assert 'value="3rd of October"' in field and 'type="text"' in field


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1.5", "9" * 60])
def test_impossible_page_numbers_show_a_real_page_and_say_so(client, some_rows, page):
    response = client.get(AGREEMENTS, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "There is no page" in response.content.decode()
    assert len(response.context["object_list"]) == 3


def test_too_high_pages_show_the_last_and_too_low_the_first(client, db):
    AgreementFactory.create_batch(30)
    assert client.get(AGREEMENTS, {"page": "7"}).context["page_obj"].number == 2
    assert client.get(AGREEMENTS, {"page": "0"}).context["page_obj"].number == 1
    assert client.get(AGREEMENTS, {"page": "-3"}).context["page_obj"].number == 1


def test_unknown_parameters_are_ignored(client, some_rows):
    response = client.get(AGREEMENTS, {"colour": "blue", "utm_source": "mail"})
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 3


@pytest.mark.parametrize(
    "url",
    [
        "/en/agreements/no-such-agreement/",
        "/en/agencies/no-such-agency/",
        "/en/areas/no-such-area/",
        "/en/agreements/%F0%9F%92%A5/",
    ],
)
def test_missing_records_are_a_clean_404(client, db, url):
    assert client.get(url).status_code == 404


def test_null_bytes_and_unicode_in_search(client, some_rows):
    for value in ["\x00", "Алматы", "Argüeso", "'; DROP TABLE agreements_agreement; --", "%_%"]:
        response = client.get(AGREEMENTS, {"q": value})
        assert response.status_code == 200
