import io

import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement, Milestone, Party
from partners.models import Agency, Representative

pytestmark = pytest.mark.django_db


def seed(seed=7):
    call_command(
        "seed_sample", agencies=6, agreements=40, milestones=300, seed=seed,
        batch_size=16, stdout=io.StringIO(),
    )  # fmt: skip


def snapshot():
    return (
        list(Agreement.objects.order_by("reference").values_list(
            "reference", "title", "status", "signed_on", "visibility", "legally_binding")),
        list(Milestone.objects.order_by("title").values_list(
            "title", "agreement__reference", "responsible_agency__slug", "due_date", "status")),
        sorted(Party.objects.values_list("agreement__reference", "agency__slug")),
    )  # fmt: skip


def wipe():
    Milestone.objects.all().delete()
    Agreement.objects.all().delete()
    Representative.objects.all().delete()
    Agency.objects.all().delete()


def test_creates_the_requested_volume_with_obviously_synthetic_names():
    seed()
    assert (Agency.objects.count(), Agreement.objects.count(), Milestone.objects.count()) == (
        6, 40, 300,
    )  # fmt: skip
    assert Party.objects.count() == 80
    assert all(name.startswith("Synthetic Agency ") for name in Agency.objects.values_list(
        "name", flat=True))  # fmt: skip
    assert not Agreement.objects.exclude(title__startswith="Synthetic agreement").exists()


def test_rows_are_valid_for_every_rule():
    seed()
    for milestone in Milestone.objects.select_related("agreement")[:100]:
        milestone.full_clean()  # responsible agency is a party, met has a date, …
    for party in Party.objects.select_related("signatory")[:50]:
        party.full_clean()


def test_same_seed_same_data_other_seed_other_data():
    seed(7)
    first = snapshot()
    wipe()
    seed(7)
    assert snapshot() == first
    wipe()
    seed(8)
    assert snapshot() != first


def test_refuses_to_seed_twice():
    seed()
    with pytest.raises(CommandError, match="already loaded"):
        seed()
