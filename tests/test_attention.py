"""What staff must put right, counted on the home page and listed by the filters;
each is one queryset method, shared with the reminders to come."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Milestone
from tests.factories import AgreementFactory, MilestoneFactory, PartyFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAYS = datetime.timedelta


@pytest.fixture
def records(db):
    expired = AgreementFactory(status="in_force", expires_on=TODAY - DAYS(1))
    AgreementFactory(status="expired", expires_on=TODAY - DAYS(1))  # already says so
    AgreementFactory(status="signed", expires_on=TODAY)  # expires today: not yet past
    hidden = AgreementFactory(status="signed", expires_on=TODAY - DAYS(5), visibility="internal")
    unsigned = PartyFactory(role="signatory", signatory=None).agreement
    PartyFactory(role="signatory", signatory=RepresentativeFactory())
    PartyFactory(role="funder", signatory=None)  # a funder signs nothing
    stale = MilestoneFactory(status="in_progress")
    done = MilestoneFactory(status="met", date_met=TODAY)
    MilestoneFactory(status="scheduled")  # reviewed just now
    long_ago = timezone.now() - DAYS(91)
    Milestone.objects.filter(pk__in=[stale.pk, done.pk]).update(last_reviewed=long_ago)
    return {"expired": expired, "hidden": hidden, "unsigned": unsigned, "stale": stale}


def test_each_question_is_one_queryset_method(records):
    assert set(Agreement.objects.expired_but_active()) == {records["expired"], records["hidden"]}
    assert list(Agreement.objects.missing_signatory()) == [records["unsigned"]]
    assert list(Milestone.objects.stale()) == [records["stale"]]  # not the met one


def test_staff_see_what_needs_attention_first_with_links_to_the_lists(client, editor, records):
    client.force_login(editor)
    page = client.get(reverse("home")).content.decode()
    assert page.index("Needs attention") < page.index("Overdue")
    assert '?stale=on"><span class="count count-alert">1</span>' in page
    assert '?attention=expired_active"><span class="count count-alert">2</span>' in page
    assert '?attention=missing_signatory"><span class="count count-alert">1</span>' in page
    listed = client.get(reverse("agreements:agreement_list"), {"attention": "expired_active"})
    assert set(listed.context["object_list"]) == {records["expired"], records["hidden"]}
    stale = client.get(reverse("agreements:milestone_list"), {"stale": "on"})
    assert list(stale.context["object_list"]) == [records["stale"]]


def test_visitors_get_no_attention_panel_and_the_filters_keep_visibility(client, records):
    assert "Needs attention" not in client.get(reverse("home")).content.decode()
    listed = client.get(reverse("agreements:agreement_list"), {"attention": "expired_active"})
    assert list(listed.context["object_list"]) == [records["expired"]]  # not the internal one
