"""Two editors, one record: a save based on a stale form is refused, nothing typed is lost."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, Milestone, Party
from partners.models import Agency, Representative
from tests.admin_forms import form_data
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def marta(db):
    return UserFactory(username="marta", first_name="Marta", last_name="Ruiz", groups=["Editors"])


@pytest.fixture
def aigerim(db):
    return UserFactory(username="aigerim", groups=["Editors"])


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def open_form(client, user, obj):
    client.force_login(user)
    return form_data(client.get(change_url(obj)).content.decode())


def save(client, user, obj, data):
    client.force_login(user)
    return client.post(change_url(obj), data)


def test_a_stale_save_is_refused_naming_who_changed_what_and_keeping_the_input(
    client, marta, aigerim
):
    agreement = AgreementFactory(title="Memorandum", summary="Original summary.")
    first = open_form(client, marta, agreement)
    second = open_form(client, aigerim, agreement)

    first.update(title=["Memorandum on GovTech"], summary=["Marta's new summary."])
    assert save(client, marta, agreement, first).status_code == 302
    second.update(title=["Memorandum on data exchange"])
    response = save(client, aigerim, agreement, second)

    assert response.status_code == 200
    page = response.content.decode()
    # Named as it now stands, so the editor recognises the colleague's version.
    assert "saved this agreement (“AGR-2025-0001 Memorandum on GovTech”) after you" in page
    assert "Title, Summary changed by Marta Ruiz on" in page
    assert "UTC" in page
    assert 'value="Memorandum on data exchange"' in page  # the editor's input is kept
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary) == ("Memorandum on GovTech", "Marta's new summary.")

    # Saving the kept form again is a decision made knowing the newer version.
    again = form_data(page)
    again["summary"] = ["Marta's new summary."]
    assert save(client, aigerim, agreement, again).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary) == (
        "Memorandum on data exchange",
        "Marta's new summary.",
    )


def test_a_resave_without_changes_does_not_make_a_form_stale(client, marta, aigerim):
    agreement = AgreementFactory(title="Memorandum")
    first = open_form(client, marta, agreement)
    second = open_form(client, aigerim, agreement)
    assert save(client, marta, agreement, first).status_code == 302  # nothing changed
    second["title"] = ["Memorandum on GovTech"]
    assert save(client, aigerim, agreement, second).status_code == 302


def make(model):
    if model is Milestone:
        return MilestoneFactory()
    if model is Party:
        return PartyFactory(signatory=None)
    return {Agency: AgencyFactory, Representative: RepresentativeFactory}[model]()


@pytest.mark.parametrize(
    ("model", "field", "theirs", "mine"),
    [
        (Milestone, "title", "Pilot of the testing platform", "Testing platform pilot"),
        (Party, "role", "implementing", "observer"),
        (Agency, "name", "NITEC", "National Information Technologies"),
        (Representative, "position", "Chairman", "Chairman of the Board"),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_every_record_type_refuses_a_stale_save(client, marta, aigerim, model, field, theirs, mine):
    obj = make(model)
    first = open_form(client, marta, obj)
    second = open_form(client, aigerim, obj)
    first[field] = [theirs]
    assert save(client, marta, obj, first).status_code == 302
    second[field] = [mine]

    response = save(client, aigerim, obj, second)

    assert response.status_code == 200
    assert "Someone else saved this" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == theirs


def test_a_stale_inline_row_is_refused(client, marta, aigerim):
    milestone = MilestoneFactory(title="Joint research on AI")
    agreement = milestone.agreement
    first = open_form(client, marta, agreement)
    second = open_form(client, aigerim, agreement)
    first["milestones-0-title"] = ["Joint research on AI and big data"]
    assert save(client, marta, agreement, first).status_code == 302
    second["milestones-0-title"] = ["AI research"]

    response = save(client, aigerim, agreement, second)

    assert response.status_code == 200
    assert "Someone else saved this milestone (“Joint research on AI and big data”)" in (
        response.content.decode()
    )
    milestone.refresh_from_db()
    assert milestone.title == "Joint research on AI and big data"


def test_a_stale_agreement_form_does_not_undo_a_colleagues_milestone_edit(
    client, marta, aigerim
):
    milestone = MilestoneFactory(title="Joint research on AI")
    first = open_form(client, marta, milestone)
    second = open_form(client, aigerim, milestone.agreement)
    first["title"] = ["Joint research on AI and big data"]
    assert save(client, marta, milestone, first).status_code == 302
    second["summary"] = ["Follow-up agreed in Astana."]  # the milestone row left as it was

    response = save(client, aigerim, milestone.agreement, second)

    # Saving would write the row's old title back: refused, the summary typed is kept.
    assert response.status_code == 200
    assert "Title changed by Marta Ruiz" in response.content.decode()
    assert "Follow-up agreed in Astana." in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "Joint research on AI and big data"


def test_a_row_deleted_by_a_colleague_is_explained_and_the_rest_can_be_saved(
    client, marta, aigerim
):
    agreement = AgreementFactory()
    for title in ["Testing platform", "Exchange of expertise", "ICT skills"]:
        MilestoneFactory(agreement=agreement, title=title)
    mine = open_form(client, aigerim, agreement)
    client.force_login(marta)
    gone = Milestone.objects.get(title="Exchange of expertise")
    delete_url = reverse("admin:agreements_milestone_delete", args=[gone.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    mine["summary"] = ["Follow-up agreed in Astana."]
    mine["milestones-2-title"] = ["Building ICT skills"]

    response = save(client, aigerim, agreement, mine)

    assert response.status_code == 200
    page = response.content.decode()
    assert "“Exchange of expertise” was deleted by Marta Ruiz on" in page
    assert "save again to keep your other changes" in page
    again = form_data(page)
    assert again["milestones-TOTAL_FORMS"] == ["2"]
    assert [again["milestones-0-title"], again["milestones-1-title"]] == [
        ["Testing platform"],
        ["Building ICT skills"],  # what was typed stays with its own row
    ]
    assert save(client, aigerim, agreement, again).status_code == 302
    agreement.refresh_from_db()
    assert agreement.summary == "Follow-up agreed in Astana."
    assert sorted(agreement.milestones.values_list("title", flat=True)) == [
        "Building ICT skills",
        "Testing platform",
    ]


def test_a_stale_revert_is_refused_too(client, marta, aigerim):
    agreement = AgreementFactory(title="Memorandum", summary="First.")
    agreement.summary = "Second."
    agreement.save()
    oldest = agreement.history.order_by("history_id").first()
    revert_url = reverse(
        "admin:agreements_agreement_simple_history", args=[agreement.pk, oldest.pk]
    )
    client.force_login(aigerim)
    revert = form_data(client.get(revert_url).content.decode())
    edit = open_form(client, marta, agreement)
    edit["summary"] = ["Third."]
    assert save(client, marta, agreement, edit).status_code == 302

    client.force_login(aigerim)
    response = client.post(revert_url, revert)

    assert response.status_code == 200
    assert "Someone else saved this agreement" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).summary == "Third."


@pytest.mark.parametrize("side", ["the same agreement", "the other agreement"])
def test_related_agreements_linked_meanwhile_are_not_lost(client, marta, aigerim, side):
    x, y = AgreementFactory(title="Memorandum X"), AgreementFactory(title="Memorandum Y")
    opened = x if side == "the same agreement" else y
    mine = open_form(client, aigerim, opened)
    theirs = open_form(client, marta, x)
    theirs["related"] = [str(y.pk)]
    assert save(client, marta, x, theirs).status_code == 302
    mine["title"] = [opened.title + " (revised)"]

    response = save(client, aigerim, opened, mine)

    assert response.status_code == 200
    assert "Related agreements changed" in response.content.decode()
    assert list(x.related.all()) == [y]
    # Told, the editor may save again: a decision made knowing the link exists.
    again = form_data(response.content.decode())
    assert save(client, aigerim, opened, again).status_code == 302
