import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import CooperationArea
from tests.factories import AgreementFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def milestones(db):
    ict = CooperationArea.objects.get(slug="ict")
    public, internal = AgreementFactory(), AgreementFactory(visibility="internal")
    for agreement in (public, internal):
        MilestoneFactory(agreement=agreement, due_date=TODAY - DAY, area=ict)  # overdue
        MilestoneFactory(agreement=agreement, due_date=TODAY + 30 * DAY)  # due soon
        MilestoneFactory(agreement=agreement, due_date=TODAY + 91 * DAY)  # beyond 90 days
        MilestoneFactory(agreement=agreement, due_date=TODAY - DAY, status="cancelled")
    return public


def figures(client):
    context = client.get(reverse("home")).context
    ict = next(area for area in context["areas"] if area.slug == "ict")
    return (
        context["total_agreements"], context["overdue_count"], context["due_soon_count"],
        ict.agreement_count, ict.milestone_count,
    )  # fmt: skip


def test_home_figures_count_what_the_visitor_may_see(client, viewer, milestones):
    milestones.areas.add(CooperationArea.objects.get(slug="ict"))
    assert figures(client) == (1, 1, 1, 1, 1)
    client.force_login(viewer)
    assert figures(client) == (2, 2, 2, 1, 2)


def test_home_figures_follow_edits_at_once(client, milestones):
    assert figures(client)[1] == 1
    MilestoneFactory(agreement=milestones, due_date=TODAY - 5 * DAY)
    assert figures(client)[1] == 2
    milestones.milestones.filter(due_date=TODAY - 5 * DAY).update(status="met", date_met=TODAY)
    # A queryset update sends no signal; the next save of anything refreshes the figures.
    MilestoneFactory(agreement=milestones, due_date=None)
    assert figures(client)[1] == 1


def test_a_zero_on_the_home_page_is_not_a_link_to_an_empty_list(client, demo):
    html = client.get(reverse("home")).content.decode()
    list_url = reverse("agreements:agreement_list")
    milestones_url = reverse("agreements:milestone_list")
    assert f'href="{list_url}?status=signed"' in html  # the demo agreement is signed
    assert f'href="{list_url}?status=draft"' not in html  # none is a draft
    assert f'href="{milestones_url}?area=ict"' in html  # the demo has ICT milestones
    assert f'href="{milestones_url}?area=cybersecurity"' not in html  # and none in this area
