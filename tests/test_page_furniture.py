"""What every page carries besides its content: where it sits, what just happened,
and, on paper, where it came from."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_record_pages_say_where_they_sit(client, demo):
    for record, parent in [
        (demo, ("Agreements", reverse("agreements:agreement_list"))),
        (demo.areas.first(), ("Cooperation areas", reverse("agreements:area_list"))),
        (demo.parties.first().agency, ("Agencies", reverse("partners:agency_list"))),
    ]:
        content = client.get(record.get_absolute_url()).content.decode()
        trail = re.search(r'<nav class="breadcrumbs[^"]*" aria-label="Breadcrumb">(.*?)</nav>',
                          content, re.S).group(1)  # fmt: skip
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)
        assert links == [(reverse("home"), "Home"), (parent[1], parent[0])]


def test_logging_out_says_so(client, editor):
    client.force_login(editor)
    response = client.post(reverse("logout"), follow=True)
    assert "You have logged out." in response.content.decode()
    assert not response.context["user"].is_authenticated
    # Nobody was logged in: nothing to confirm.
    again = client.post(reverse("logout"), follow=True)
    assert "You have logged out." not in again.content.decode()


def test_a_printout_says_where_and_when_it_was_printed(client, demo):
    content = client.get(demo.get_absolute_url()).content.decode()
    source = re.search(r'<p class="print-only print-source">(.*?)</p>', content).group(1)
    assert f"Printed from http://testserver{demo.get_absolute_url()} on 20" in source


def test_login_errors_are_read_out_with_their_fields(client, db):
    content = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert content.count("<title>Error: ") == 1
    described = re.findall(r'<input[^>]*aria-describedby="([^"]+)"', content)
    assert described  # each field points at its error, and the error is there
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in content, target
