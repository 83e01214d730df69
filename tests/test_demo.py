import datetime
import io

import pytest
from django.core.management import call_command

from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from partners.models import Agency, Representative

pytestmark = pytest.mark.django_db
MODELS = [Agency, Representative, CooperationArea, Agreement, Party, Milestone, DocumentLink]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_demo_twice_changes_nothing(demo):
    first = counts()
    updated = Agreement.objects.get(pk=demo.pk).updated_at
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == first
    assert Agreement.objects.get(pk=demo.pk).updated_at == updated


def test_demo_tells_the_nitec_madrid_story(demo):
    assert demo.signed_on == datetime.date(2025, 10, 3)
    assert demo.place_of_signing == "Astana, Kazakhstan"
    assert demo.event == "Digital Bridge 2025 forum"
    assert demo.visibility == Agreement.Visibility.PUBLIC
    assert demo.legally_binding is None  # the source does not say
    assert demo.reference.startswith("AGR-2025-")
    assert set(demo.areas.values_list("name", flat=True)) == {
        "ICT",
        "Cybersecurity",
        "AI regulation",
        "Data management",
        "GovTech",
    }
    signatories = {
        (p.agency.acronym or p.agency.name, p.signatory.full_name, p.signatory.position)
        for p in demo.parties.select_related("agency", "signatory")
    }
    assert signatories == {
        ("NITEC", "Daulet Bekmanov", "Chairman"),
        (
            "Ministry of Digitalization of the Community of Madrid",
            "Miguel López-Valverde Argüeso",
            "Minister of Digitalization",
        ),
    }
    titles = set(demo.milestones.values_list("title", flat=True))
    assert "Explore a joint GovTech testing platform in Madrid" in titles
    assert len(titles) == 4
    # No dates were announced for the follow-up work: none are invented.
    assert not demo.milestones.filter(due_date__isnull=False).exists()
    assert demo.documents.get().url == "https://astanatimes.com/?p=107187"


def test_local_admin_is_made_once_and_then_how_to_reset_it_is_said(db):
    from django.contrib.auth import get_user_model

    first, second = io.StringIO(), io.StringIO()
    call_command("ensure_local_admin", stdout=first)
    call_command("ensure_local_admin", stdout=second)
    assert "password:" in first.getvalue()
    assert "manage.py changepassword admin" in second.getvalue()
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
