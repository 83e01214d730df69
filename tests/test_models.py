import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from agreements.models import Agreement, Milestone, Party
from partners.models import Agency, Representative
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    DocumentLinkFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 5, 10)


def assert_rejected_by_database(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


class TestDatabaseConstraints:
    def test_expiry_before_entry_into_force_is_rejected(self):
        agreement = AgreementFactory()
        agreement.entry_into_force = datetime.date(2026, 1, 1)
        agreement.expires_on = datetime.date(2025, 12, 31)
        assert_rejected_by_database(agreement.save)

    def test_expiry_on_entry_into_force_day_is_allowed(self):
        agreement = AgreementFactory(
            entry_into_force=datetime.date(2026, 1, 1), expires_on=datetime.date(2026, 1, 1)
        )
        assert Agreement.objects.filter(pk=agreement.pk).exists()

    def test_met_without_date_met_is_rejected(self):
        milestone = MilestoneFactory()
        milestone.status = Milestone.Status.MET
        assert_rejected_by_database(milestone.save)

    @pytest.mark.parametrize("status", ["scheduled", "in_progress", "not_met", "cancelled"])
    def test_date_met_with_an_open_status_is_rejected(self, status):
        milestone = MilestoneFactory()
        milestone.status, milestone.date_met = status, TODAY
        assert_rejected_by_database(milestone.save)

    @pytest.mark.parametrize("status", ["met", "partially_met"])
    def test_date_met_with_met_statuses_is_allowed(self, status):
        milestone = MilestoneFactory(status=status, date_met=TODAY)
        assert Milestone.objects.get(pk=milestone.pk).date_met == TODAY

    def test_one_party_row_per_agency_per_agreement(self):
        party = PartyFactory()
        duplicate = Party(agreement=party.agreement, agency=party.agency)
        assert_rejected_by_database(duplicate.save)

    def test_references_and_slugs_are_unique(self):
        first = AgreementFactory(reference="AGR-2025-0042")
        assert_rejected_by_database(
            lambda: Agreement(title="Other", reference="AGR-2025-0042", slug="other").save()
        )
        assert_rejected_by_database(
            lambda: Agreement(title="Other", reference="AGR-2025-0043", slug=first.slug).save()
        )
        assert_rejected_by_database(
            lambda: Agency(name="X", slug=AgencyFactory().slug, country="ES").save()
        )


class TestCleanMessages:
    def test_expiry_before_entry_into_force(self):
        agreement = AgreementFactory.build(
            entry_into_force=datetime.date(2026, 1, 1), expires_on=datetime.date(2025, 1, 1)
        )
        with pytest.raises(ValidationError) as error:
            agreement.full_clean()
        assert error.value.message_dict["expires_on"] == [
            "The expiry date cannot be before entry into force."
        ]

    def test_met_needs_date_met(self):
        milestone = MilestoneFactory.build(agreement=AgreementFactory(), status="met")
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert error.value.message_dict == {
            "date_met": ["A met milestone needs the date it was met."]
        }

    def test_date_met_needs_met_status(self):
        milestone = MilestoneFactory.build(
            agreement=AgreementFactory(), status="in_progress", date_met=TODAY
        )
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert "status" in error.value.message_dict

    def test_responsible_agency_must_be_a_party(self):
        party = PartyFactory()
        outsider = AgencyFactory()
        milestone = MilestoneFactory.build(agreement=party.agreement, responsible_agency=outsider)
        with pytest.raises(ValidationError) as error:
            milestone.full_clean()
        assert error.value.message_dict["responsible_agency"] == [
            "The responsible agency must be one of the agreement's parties."
        ]
        milestone.responsible_agency = party.agency
        milestone.full_clean()

    def test_signatory_must_represent_the_party_agency(self):
        party = PartyFactory.build(
            agreement=AgreementFactory(), agency=AgencyFactory(), signatory=RepresentativeFactory()
        )
        with pytest.raises(ValidationError) as error:
            party.full_clean()
        assert "signatory" in error.value.message_dict

    def test_duplicate_party_is_a_readable_error(self):
        party = PartyFactory()
        duplicate = Party(agreement=party.agreement, agency=party.agency, role="funder")
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert "This agency is already a party to the agreement." in str(error.value)


class TestReferenceNumbering:
    def test_blank_reference_takes_next_number_of_signing_year(self):
        AgreementFactory(reference="AGR-2025-0007")
        AgreementFactory(reference="AGR-2024-0100")
        AgreementFactory(reference="MOU/ES/12", signed_on=datetime.date(2025, 2, 2))
        agreement = AgreementFactory(signed_on=datetime.date(2025, 11, 3))
        assert agreement.reference == "AGR-2025-0008"

    def test_first_of_a_year_is_0001(self):
        assert AgreementFactory(signed_on=datetime.date(2031, 1, 1)).reference == "AGR-2031-0001"

    def test_unsigned_agreement_is_numbered_in_the_current_year(self, settings):
        from django.utils import timezone

        agreement = AgreementFactory(signed_on=None)
        assert agreement.reference == f"AGR-{timezone.localdate().year}-0001"

    def test_reference_given_by_staff_is_kept(self):
        assert AgreementFactory(reference="ES-KZ/2025/3").reference == "ES-KZ/2025/3"

    def test_slug_is_made_unique_from_the_title(self):
        first = AgreementFactory(title="Data exchange")
        second = AgreementFactory(title="Data exchange")
        assert (first.slug, second.slug) == ("data-exchange", "data-exchange-2")

    def test_numbering_steps_over_references_typed_by_hand(self):
        AgreementFactory(signed_on=datetime.date(2025, 1, 1))  # AGR-2025-0001, counter at 1
        AgreementFactory(reference="AGR-2025-0002")
        AgreementFactory(reference="AGR-2025-0003")
        assert AgreementFactory(signed_on=datetime.date(2025, 5, 5)).reference == "AGR-2025-0004"

    def test_an_overlong_reference_saved_past_the_form_does_not_stop_numbering(self):
        # Typed as AGR-2039- and 23 nines, it once made every later save that year fail.
        AgreementFactory(reference="AGR-2039-" + "9" * 23)
        assert AgreementFactory(signed_on=datetime.date(2039, 1, 1)).reference == "AGR-2039-0001"
        assert AgreementFactory(signed_on=datetime.date(2039, 1, 2)).reference == "AGR-2039-0002"

    @pytest.mark.parametrize("counter_exists", [False, True])
    def test_a_typed_reference_moves_the_series_on_either_way(self, counter_exists):
        if counter_exists:
            AgreementFactory(signed_on=datetime.date(2027, 1, 1))  # AGR-2027-0001
        AgreementFactory(reference="AGR-2027-500000")
        assert AgreementFactory(signed_on=datetime.date(2027, 2, 2)).reference == (
            "AGR-2027-500001"
        )

    def test_the_series_never_runs_past_six_digits_from_a_typed_last_number(self):
        AgreementFactory(reference="AGR-2027-999999")
        agreement = AgreementFactory(signed_on=datetime.date(2027, 2, 2))
        assert agreement.reference == "AGR-2027-0001"
        agreement.full_clean()  # what the next edit in the admin checks

    @pytest.mark.parametrize(
        "reference", ["AGR-2039-" + "9" * 23, "AGR-25-0001", "agr-2025-1", "AGR-2025-00X1"]
    )
    def test_a_malformed_reference_in_the_automatic_series_is_refused(self, reference):
        agreement = Agreement(title="Data exchange", reference=reference)
        with pytest.raises(ValidationError) as error:
            agreement.full_clean()
        assert "must be AGR-, a four-digit year" in str(error.value.message_dict["reference"])

    @pytest.mark.parametrize("reference", ["AGR-2025-0001", "AGR-2025-123456", "MOU/ES/12"])
    def test_well_formed_and_own_references_are_accepted(self, reference):
        Agreement(title="Data exchange", reference=reference, slug="x").full_clean()


class TestDeletion:
    def test_agency_referred_to_by_an_agreement_cannot_be_deleted(self):
        party = PartyFactory()
        with pytest.raises(ProtectedError):
            party.agency.delete()
        assert Agency.objects.filter(pk=party.agency_id).exists()

    def test_representative_who_signed_cannot_be_deleted(self):
        party = PartyFactory()
        with pytest.raises(ProtectedError):
            party.signatory.delete()
        assert Representative.objects.filter(pk=party.signatory_id).exists()

    def test_agency_responsible_for_a_milestone_cannot_be_deleted(self):
        party = PartyFactory()
        MilestoneFactory(agreement=party.agreement, responsible_agency=party.agency)
        party.delete()
        with pytest.raises(ProtectedError):
            party.agency.delete()

    def test_deleting_an_agreement_removes_its_parts_but_not_agencies(self):
        party = PartyFactory()
        agreement = party.agreement
        MilestoneFactory(agreement=agreement)
        DocumentLinkFactory(agreement=agreement)
        agreement.delete()
        assert not Party.objects.exists()
        assert not Milestone.objects.exists()
        assert Agency.objects.filter(pk=party.agency_id).exists()


class TestOverdue:
    @pytest.mark.parametrize(
        ("due_date", "status", "overdue"),
        [
            (TODAY - datetime.timedelta(days=1), "scheduled", True),
            (TODAY, "scheduled", False),  # due today is not yet overdue
            (TODAY + datetime.timedelta(days=1), "in_progress", False),
            (TODAY - datetime.timedelta(days=1), "in_progress", True),
            (TODAY - datetime.timedelta(days=1), "not_met", True),
            (TODAY - datetime.timedelta(days=30), "cancelled", False),
            (None, "scheduled", False),
        ],
    )
    def test_overdue_rule(self, due_date, status, overdue):
        milestone = MilestoneFactory(due_date=due_date, status=status)
        assert Milestone.objects.overdue(today=TODAY).filter(pk=milestone.pk).exists() is overdue
        annotated = Milestone.objects.with_overdue(today=TODAY).get(pk=milestone.pk)
        assert annotated.is_overdue is overdue
        not_overdue = Milestone.objects.not_overdue(today=TODAY)
        assert not_overdue.filter(pk=milestone.pk).exists() is not overdue

    @pytest.mark.parametrize("status", ["met", "partially_met"])
    def test_met_milestones_past_due(self, status):
        milestone = MilestoneFactory(
            due_date=TODAY - datetime.timedelta(days=5), status=status, date_met=TODAY
        )
        expected = status == "partially_met"
        assert Milestone.objects.overdue(today=TODAY).filter(pk=milestone.pk).exists() is expected

    def test_days_overdue_is_negative_when_days_remain(self):
        milestone = MilestoneFactory.build(due_date=TODAY + datetime.timedelta(days=3))
        assert milestone.days_overdue(TODAY) == -3
        assert MilestoneFactory.build(due_date=None).days_overdue(TODAY) is None


class TestExpiryNote:
    def test_notes(self):
        agreement = AgreementFactory.build(expires_on=datetime.date(2026, 5, 20))
        assert agreement.expiry_note(TODAY) == "expires in 10 days"
        assert agreement.expiry_note(datetime.date(2026, 5, 20)) == "expires today"
        assert agreement.expiry_note(datetime.date(2026, 5, 21)) == "expired"
        assert AgreementFactory.build(expires_on=None).expiry_note(TODAY) == ""


def test_a_title_in_another_script_still_gets_a_working_slug():
    first = AgreementFactory(title="Меморандум о сотрудничестве")
    second = AgreementFactory(title="Ынтымақтастық туралы меморандум")
    assert (first.slug, second.slug) == ("agreement", "agreement-2")
