"""Audit history: who changed what, when, before and after."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, Milestone
from tests.factories import AgreementFactory, MilestoneFactory, PartyFactory
from tests.test_admin import agreement_form

pytestmark = pytest.mark.django_db


def change_form(agreement, **fields):
    data = agreement_form(
        reference=agreement.reference, title=agreement.title, slug=agreement.slug,
        kind=agreement.kind, status=agreement.status, visibility=agreement.visibility,
        signed_on=agreement.signed_on.isoformat(), place_of_signing=agreement.place_of_signing,
    )  # fmt: skip
    data.update(fields)
    return data


def test_an_admin_edit_records_the_user_and_the_changed_fields(client, editor):
    agreement = AgreementFactory(title="Draft title", status="negotiation")
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    response = client.post(url, change_form(agreement, title="Final title", status="signed"))
    assert response.status_code == 302

    latest = Agreement.history.filter(id=agreement.pk).latest("history_date")
    assert latest.history_user == editor
    assert latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record, included_fields=["title", "status"])
    assert {(c.field, c.old, c.new) for c in delta.changes} == {
        ("title", "Draft title", "Final title"),
        ("status", "negotiation", "signed"),
    }


def test_admin_history_page_shows_the_edit(client, editor, viewer):
    agreement = AgreementFactory(title="Draft title")
    client.force_login(editor)
    client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        change_form(agreement, title="Final title"),
    )
    client.force_login(viewer)
    response = client.get(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
    assert response.status_code == 200
    assert "editor" in response.content.decode()


def save_as(obj, user, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = user
    obj.save()


def test_agreement_page_shows_staff_the_changes_and_status_trail(client, editor, viewer):
    party = PartyFactory()
    milestone = MilestoneFactory(agreement=party.agreement, title="Pilot launch")
    save_as(milestone, editor, status="in_progress")
    save_as(milestone, editor, status="met", date_met=datetime.date(2026, 5, 1))
    save_as(party.agreement, editor, summary="Updated summary")

    client.force_login(viewer)
    response = client.get(party.agreement.get_absolute_url())
    changes = response.context["changes"]
    assert changes[0].subject == "Agreement"
    assert changes[0].who == "editor"
    assert ("summary", "The parties will share experience of building digital public services.",
            "Updated summary") in changes[0].fields  # fmt: skip
    status_change = next(c for c in changes if ("status", "In progress", "Met") in c.fields)
    assert ("date met", "—", "2026-05-01") in status_change.fields
    content = response.content.decode()
    assert "Changes" in content
    trail = [step.status for step in response.context["timeline"][0][1][0].status_trail]
    assert trail == ["Scheduled", "In progress", "Met"]


def test_anonymous_visitors_see_no_audit_trail(client, editor):
    agreement = AgreementFactory()
    save_as(agreement, editor, summary="Changed")
    response = client.get(agreement.get_absolute_url())
    assert response.context["changes"] == []
    assert "editor" not in response.content.decode()


def test_deleted_milestones_stay_in_the_trail(client, viewer):
    milestone = MilestoneFactory(title="Dropped step")
    agreement = milestone.agreement
    Milestone.objects.filter(pk=milestone.pk).get().delete()
    client.force_login(viewer)
    changes = client.get(agreement.get_absolute_url()).context["changes"]
    assert any(c.subject == "Milestone: Dropped step" and c.action == "deleted" for c in changes)


def test_staff_detail_query_count_does_not_grow_with_history(client, viewer, editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    party = PartyFactory()
    agreement = party.agreement
    milestone = MilestoneFactory(agreement=agreement, responsible_agency=party.agency)
    save_as(milestone, editor, title="Step 0")
    client.force_login(viewer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(agreement.get_absolute_url())
        return len(ctx.captured_queries)

    few = count()
    for n in range(20):
        save_as(milestone, editor, title=f"Step {n}")
        PartyFactory(agreement=agreement)
    assert count() == few


def test_resaving_from_a_browser_form_is_not_shown_as_a_change(client, editor, viewer):
    agreement = AgreementFactory(summary="First paragraph.\n\nSecond paragraph.")
    client.force_login(editor)
    client.post(
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        change_form(
            agreement, summary="First paragraph.\r\n\r\nSecond paragraph.", legally_binding="false"
        ),
    )
    client.force_login(viewer)
    changes = client.get(agreement.get_absolute_url()).context["changes"]
    assert [c.action for c in changes] == ["created"]


def test_changes_to_cooperation_areas_are_in_the_trail(client, editor, viewer):
    from agreements.models import CooperationArea

    agreement = AgreementFactory()
    agreement._history_user = editor
    agreement.areas.set(CooperationArea.objects.filter(slug__in=["ict", "govtech"]))
    client.force_login(viewer)
    changes = client.get(agreement.get_absolute_url()).context["changes"]
    assert ("cooperation areas", "—", "GovTech, ICT") in changes[0].fields


def test_the_changes_read_one_line_each_a_page_at_a_time(client, editor, viewer):
    """Each change in one line (when, who, what, which fields), before and after on
    demand; a creation is one line; long trails come ten at a time, newest first."""
    agreement = AgreementFactory(title="Draft title", summary="First")
    for number in range(12):
        save_as(agreement, editor, summary=f"Summary {number}")
    client.force_login(viewer)
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert page.count('<li><p class="card-meta">') == 10
    assert "<strong>changed</strong>: Summary</p>" in page
    summary = '<details><summary>Before and after<span class="visually-hidden">: Agreement, '
    assert page.count(summary) == 10
    assert "Summary 11" in page and "Summary 0<" not in page  # newest first
    older = client.get(agreement.get_absolute_url(), {"changes": "2"}).content.decode()
    assert older.count('<li><p class="card-meta">') == 3  # two more edits, then the creation
    assert "<strong>created</strong></p>" in older  # one line, no table
    assert older.count("<details>") == 2
    assert "Newer changes" in older and "Older changes" not in older
    assert client.get(agreement.get_absolute_url(), {"changes": "x"}).status_code == 200
