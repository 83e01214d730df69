import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from partners.models import Agency, Representative


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@ministry.example")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Digital Services Agency {n}")
    acronym = factory.Sequence(lambda n: f"DSA{n}")
    slug = factory.Sequence(lambda n: f"digital-services-agency-{n}")
    kind = Agency.Kind.STATE_AGENCY
    country = "KZ"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    full_name = factory.Sequence(lambda n: f"Aigerim Sadykova {n}")
    position = "Head of International Cooperation"
    agency = factory.SubFactory(AgencyFactory)
    email = factory.Sequence(lambda n: f"contact{n}@agency.example")
    phone = "+7 7172 000 000"


class CooperationAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Open data {n}")
    slug = factory.Sequence(lambda n: f"open-data-{n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Memorandum on e-government services exchange {n}")
    kind = Agreement.Kind.MOU
    status = Agreement.Status.SIGNED
    summary = "The parties will share experience of building digital public services."
    signed_on = datetime.date(2025, 6, 1)
    place_of_signing = "Astana"
    visibility = Agreement.Visibility.PUBLIC
    legally_binding = False


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    agreement = factory.SubFactory(AgreementFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Party.Role.SIGNATORY
    signatory = factory.SubFactory(RepresentativeFactory, agency=factory.SelfAttribute("..agency"))
    signed_on = factory.LazyAttribute(lambda p: p.agreement.signed_on)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Joint workshop on digital identity {n}")
    description = "A two-day workshop for both teams."
    due_date = datetime.date(2026, 3, 1)
    status = Milestone.Status.SCHEDULED


class DocumentLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentLink

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Signed text {n}")
    url = factory.Sequence(lambda n: f"https://gov.example/agreements/{n}.pdf")
    kind = DocumentLink.Kind.FULL_TEXT
    language = "en"


def add_file(document, data: bytes, name: str = "agreement.pdf", user=None):
    """Store `data` as `document`'s next version, as an upload through the admin does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import content

    upload = SimpleUploadedFile(name, data)
    return document.add_version(upload, reading=content.read(upload), user=user)


class DocumentFactory(factory.django.DjangoModelFactory):
    """An uploaded document; `file=` bytes (a small PDF by default) become version 1."""

    class Meta:
        model = "documents.Document"
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    title = factory.Sequence(lambda n: f"Signed text, copy {n}")
    kind = "signed_text"
    language = "en"
    visibility = "public"

    @factory.post_generation
    def file(self, create, extracted, **kwargs):
        if create and extracted is not False:
            data = extracted or b"%PDF-1.7\n% Accords test\n" + str(self.pk).encode() * 40
            add_file(self, data, name=kwargs.get("name", "signed-text.pdf"))
