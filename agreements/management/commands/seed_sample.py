"""Fill the database with obviously synthetic agreements for scale work and benchmarks.

Names are "Synthetic Agency 0042" and the like, never real agencies. The same
--seed gives the same data. Rows go in with bulk inserts, batch by batch, so
memory stays flat and a million milestones take minutes on PostgreSQL.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from agreements.models import Agreement, CooperationArea, Milestone, Party
from agreements.search import refresh_all
from partners.models import Agency, Representative

COUNTRIES = ["KZ", "ES", "UZ", "KG", "EE", "FR", "DE", "PT", "IT", "TR", "AZ", "GE", "KR", "SG"]
SLUG_PREFIX = "synthetic-"
ANCHOR = datetime.date(2026, 1, 1)  # due dates spread around it; a fixed date keeps --seed exact


class Command(BaseCommand):
    help = "Create synthetic agencies, agreements and milestones (bulk, deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=500)
        parser.add_argument("--agreements", type=int, default=100_000)
        parser.add_argument("--milestones", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        if options["agencies"] < 2 or options["agreements"] < 1 or options["milestones"] < 0:
            raise CommandError("Need at least 2 agencies and 1 agreement.")
        if Agency.objects.filter(slug__startswith=SLUG_PREFIX).exists():
            raise CommandError("Synthetic data is already loaded in this database.")
        self.rng = random.Random(options["seed"])
        self.batch = options["batch_size"]
        self.areas = list(CooperationArea.objects.order_by("pk"))
        if not self.areas:
            raise CommandError("No cooperation areas: run migrate first.")
        with transaction.atomic():
            agencies = self.create_agencies(options["agencies"])
            party_agencies = self.create_agreements(options["agreements"], agencies)
            self.create_milestones(options["milestones"], party_agencies)
        # bulk_create sends no signals: the search documents are made here, in batches,
        # once the planner knows the new rows (else it plans each batch for empty tables).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        started = time.perf_counter()
        refresh_all()
        self.stdout.write(f"Search documents built in {time.perf_counter() - started:.0f} s.")
        self.stdout.write(
            f"Created {options['agencies']} agencies, {options['agreements']} agreements, "
            f"{options['milestones']} milestones (seed {options['seed']})."
        )

    def create_agencies(self, count):
        rng = self.rng
        kinds = [value for value, _ in Agency.Kind.choices]
        agencies = Agency.objects.bulk_create(
            [
                Agency(
                    name=f"Synthetic Agency {i:04d}",
                    acronym=f"SYN{i:04d}",
                    slug=f"{SLUG_PREFIX}agency-{i:04d}",
                    kind=rng.choice(kinds),
                    country=rng.choice(COUNTRIES),
                    description="Synthetic record for scale testing.",
                )
                for i in range(1, count + 1)
            ],
            batch_size=self.batch,
        )
        Representative.objects.bulk_create(
            [
                Representative(
                    full_name=f"Synthetic Person {agency.acronym}",
                    position="Synthetic signatory",
                    agency=agency,
                    email=f"{agency.acronym.lower()}@synthetic.invalid",
                )
                for agency in agencies
            ],
            batch_size=self.batch,
        )
        return [agency.pk for agency in agencies]

    def create_agreements(self, count, agency_ids):
        """Agreements with two parties and one to three areas each; returns their party pairs."""
        rng = self.rng
        kinds = [value for value, _ in Agreement.Kind.choices]
        statuses = [value for value, _ in Agreement.Status.choices]
        Through = Agreement.areas.through
        party_agencies = []
        for start in range(1, count + 1, self.batch):
            batch = []
            for i in range(start, min(start + self.batch, count + 1)):
                signed = datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(4300))
                expires = signed + datetime.timedelta(days=365 * rng.randint(1, 10))
                area = self.areas[i % len(self.areas)]
                batch.append(
                    Agreement(
                        reference=f"SYN-{i:07d}",
                        slug=f"{SLUG_PREFIX}agreement-{i:07d}",
                        title=f"Synthetic agreement {i:07d} on {area.name}",
                        summary="Synthetic record for scale testing.",
                        kind=rng.choice(kinds),
                        status=rng.choice(statuses),
                        signed_on=signed,
                        entry_into_force=signed,
                        expires_on=expires if rng.random() < 0.7 else None,
                        legally_binding=rng.choice([True, False, None]),
                        visibility="public" if rng.random() < 0.85 else "internal",
                    )
                )
            agreements = Agreement.objects.bulk_create(batch)
            parties, links = [], []
            for agreement in agreements:
                pair = rng.sample(agency_ids, 2)
                party_agencies.append((agreement.pk, pair))
                parties += [
                    Party(agreement=agreement, agency_id=agency_id, signed_on=agreement.signed_on)
                    for agency_id in pair
                ]
                for area in rng.sample(self.areas, rng.randint(1, min(3, len(self.areas)))):
                    links.append(Through(agreement_id=agreement.pk, cooperationarea_id=area.pk))
            Party.objects.bulk_create(parties)
            Through.objects.bulk_create(links)
        return party_agencies

    def create_milestones(self, count, party_agencies):
        rng = self.rng
        open_statuses = ["scheduled", "in_progress", "not_met", "cancelled"]
        for start in range(0, count, self.batch):
            batch = []
            for i in range(start, min(start + self.batch, count)):
                agreement_id, pair = party_agencies[rng.randrange(len(party_agencies))]
                due = ANCHOR + datetime.timedelta(days=rng.randint(-1500, 1500))
                met = rng.random() < 0.35
                batch.append(
                    Milestone(
                        agreement_id=agreement_id,
                        title=f"Synthetic milestone {i + 1:07d}",
                        area=rng.choice(self.areas),
                        responsible_agency_id=rng.choice(pair),
                        due_date=due if rng.random() < 0.95 else None,
                        status="met" if met else rng.choice(open_statuses),
                        date_met=due if met else None,
                    )
                )
            Milestone.objects.bulk_create(batch)
