"""Record the first real case: the NITEC – Community of Madrid agreement of 3 October 2025.

Every fact comes from The Astana Times report kept in shared/seeds; what the
report does not say (due dates, who leads each follow-up, whether the text is
legally binding) is left empty rather than guessed. The records are written in
English, the report's language, with Spanish, Russian and Kazakh versions
(demo_translations.py). Idempotent: it only creates what is missing, fills in
only empty translations, and never overwrites what staff have edited since.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from agreements.management import demo_translations
from agreements.management.demo_file import fact_sheet_pdf
from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from agreements.translated import translated_name
from documents import content
from documents.models import Document
from partners.models import Agency, Representative

SIGNED_ON = datetime.date(2025, 10, 3)
ARTICLE_URL = "https://astanatimes.com/?p=107187"
FACT_SHEET_TITLE = "Fact sheet: the NITEC – Community of Madrid agreement (made by Accords)"
AREAS = {
    "ict": "ICT",
    "cybersecurity": "Cybersecurity",
    "ai-regulation": "AI regulation",
    "data-management": "Data management",
    "govtech": "GovTech",
}


class Command(BaseCommand):
    help = "Load the NITEC – Community of Madrid demo agreement (safe to run repeatedly)."

    @transaction.atomic
    def handle(self, *args, **options):
        # The migration creates these; get_or_create puts back any deleted since.
        areas = {
            slug: CooperationArea.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in AREAS.items()
        }

        nitec, _ = Agency.objects.get_or_create(
            slug="nitec",
            defaults={
                "name": "National Information Technologies",
                "acronym": "NITEC",
                "kind": Agency.Kind.STATE_AGENCY,
                "country": "KZ",
                "description": (
                    "Kazakhstan's state operator of e-government: it builds and runs the "
                    "country's e-government infrastructure and its digital public services."
                ),
            },
        )
        madrid, _ = Agency.objects.get_or_create(
            slug="community-of-madrid",
            defaults={
                "name": "Autonomous Community of Madrid",
                "kind": Agency.Kind.REGIONAL_GOVERNMENT,
                "country": "ES",
                "jurisdiction": "Community of Madrid",
                "description": (
                    "One of Spain's largest regions. More than 1,450 of its public services "
                    "are automated, and by official figures 288,500 people work in its "
                    "high-tech industries and services (31.8% of Spain's total), the second "
                    "largest technology workforce of any region in the European Union."
                ),
            },
        )
        ministry, _ = Agency.objects.get_or_create(
            slug="madrid-ministry-of-digitalization",
            defaults={
                "name": "Ministry of Digitalization of the Community of Madrid",
                "kind": Agency.Kind.MINISTRY,
                "country": "ES",
                "jurisdiction": "Community of Madrid",
                "parent": madrid,
                "description": (
                    "The regional government's ministry responsible for digital "
                    "transformation of the Community of Madrid's administration."
                ),
            },
        )
        bekmanov, _ = Representative.objects.get_or_create(
            full_name="Daulet Bekmanov", agency=nitec, defaults={"position": "Chairman"}
        )
        lopez_valverde, _ = Representative.objects.get_or_create(
            full_name="Miguel López-Valverde Argüeso",
            agency=ministry,
            defaults={"position": "Minister of Digitalization"},
        )

        agreement, created = Agreement.objects.get_or_create(
            slug="nitec-madrid-digital-cooperation-2025",
            defaults={
                "title": (
                    "Cooperation agreement between NITEC and the Ministry of Digitalization "
                    "of the Community of Madrid"
                ),
                "kind": Agreement.Kind.COOPERATION,
                "status": Agreement.Status.SIGNED,
                "visibility": Agreement.Visibility.PUBLIC,
                "signed_on": SIGNED_ON,
                "place_of_signing": "Astana, Kazakhstan",
                "event": "Digital Bridge 2025 forum",
                "summary": (
                    "Kazakhstan's e-government operator NITEC and Madrid's regional Ministry of "
                    "Digitalization agree to work together on information and communications "
                    "technology, the development of cybersecurity, the regulation of artificial "
                    "intelligence, data management and the promotion of GovTech.\n\n"
                    "The follow-up work named at signing: exploring a joint GovTech testing "
                    "platform in Madrid where start-ups, fast-growing companies and public bodies "
                    "can try digital solutions under flexible regulatory conditions; joint "
                    "research in artificial intelligence and big data; exchanging expertise in "
                    "digital transformation; and building human capital in the ICT sector.\n\n"
                    "According to Madrid's minister, the agreement took seven months to prepare. "
                    "He stresses sharing experience on AI, data and methodology, helping "
                    "small companies scale up with technology, and training public employees, "
                    "who carry the change."
                ),
            },
        )
        if created:
            agreement.areas.set(areas.values())

        for agency, signatory in ((nitec, bekmanov), (ministry, lopez_valverde)):
            Party.objects.get_or_create(
                agreement=agreement,
                agency=agency,
                defaults={
                    "role": Party.Role.SIGNATORY,
                    "signatory": signatory,
                    "signed_on": SIGNED_ON,
                },
            )

        follow_up = [
            (
                "Explore a joint GovTech testing platform in Madrid",
                "govtech",
                "Study how to set up a shared platform in Madrid where start-ups, fast-growing "
                "companies and government bodies can test digital solutions under flexible "
                "regulatory conditions.",
            ),
            (
                "Joint research in artificial intelligence and big data",
                "data-management",
                "Carry out research together on artificial intelligence and on big data.",
            ),
            (
                "Exchange expertise in digital transformation",
                "ict",
                "Share experience and methods of digital transformation between the two "
                "administrations.",
            ),
            (
                "Build human capital in the ICT sector",
                "ict",
                "Develop the skills of people working in ICT, public employees included.",
            ),
        ]
        for title, area_slug, description in follow_up:
            Milestone.objects.get_or_create(
                agreement=agreement,
                title=title,
                defaults={"area": areas[area_slug], "description": description},
            )

        DocumentLink.objects.get_or_create(
            agreement=agreement,
            url=ARTICLE_URL,
            defaults={
                "title": "Kazakhstan's NITEC and Madrid's Ministry of Digitalization sign "
                "cooperation agreement (The Astana Times)",
                "kind": DocumentLink.Kind.NEWS_ARTICLE,
                "language": "en",
            },
        )
        fact_sheet = self.fact_sheet(agreement)
        for slug, area in areas.items():
            fill_in_translations(area, demo_translations.AREAS.get(slug, {}))
        for agency in (nitec, madrid, ministry):
            fill_in_translations(agency, demo_translations.AGENCIES[agency.slug])
        for person in (bekmanov, lopez_valverde):
            fill_in_translations(person, demo_translations.REPRESENTATIVES[person.full_name])
        fill_in_translations(agreement, demo_translations.AGREEMENT)
        for milestone in agreement.milestones.filter(title__in=demo_translations.MILESTONES):
            fill_in_translations(milestone, demo_translations.MILESTONES[milestone.title])
        for document in agreement.documents.filter(url__in=demo_translations.DOCUMENTS):
            fill_in_translations(document, demo_translations.DOCUMENTS[document.url])

        if fact_sheet:
            fill_in_translations(fact_sheet, demo_translations.FACT_SHEET)

        verb = "Created" if created else "Already present:"
        self.stdout.write(f"{verb} {agreement.reference} {agreement.title}")


    def fact_sheet(self, agreement):
        """An uploaded document to show: a fact sheet made from the record itself."""
        document, new = Document.objects.get_or_create(
            agreement=agreement,
            title=FACT_SHEET_TITLE,
            defaults={
                "kind": Document.Kind.OTHER,
                "language": "en",
                "dated_on": SIGNED_ON,
                "visibility": Document.Visibility.PUBLIC,
                "note": "Made by Accords from this record for the demonstration.",
            },
        )
        if new or document.current_version is None:
            pdf = fact_sheet_pdf(
                FACT_SHEET_TITLE,
                [
                    f"{agreement.reference}: {agreement.title}.",
                    f"Signed on {SIGNED_ON.day} {SIGNED_ON:%B %Y} in {agreement.place_of_signing}, "
                    f"at the {agreement.event}.",
                    *agreement.summary.split("\n\n"),
                    "Follow-up work: "
                    + "; ".join(m.title for m in agreement.milestones.order_by("pk"))
                    + ".",
                ],
            )
            upload = SimpleUploadedFile("nitec-madrid-fact-sheet.pdf", pdf)
            document.add_version(upload, reading=content.read(upload), user=None)
        return document


def fill_in_translations(record, versions: dict[str, dict[str, str]]) -> None:
    """Set each translation still empty; one a colleague has written is kept, and
    none is written for the record's own language."""
    changed = []
    for code, texts in versions.items():
        if code == record.original_language:
            continue
        for field, value in texts.items():
            column = translated_name(field, code)
            if value and not getattr(record, column):
                setattr(record, column, value)
                changed.append(column)
    if changed:
        record.save(update_fields=changed)
