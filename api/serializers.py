"""What the API says about each record. Field names are stable (the open-data files
use the same ones, see README "Read API"); texts kept in several languages are
language maps, {"en": …, "es": …}, holding the languages a text exists in."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from agreements.translated import LANGUAGE_CODES, translated_name
from documents.models import Document
from partners.models import Agency, Representative

LANGUAGE_MAP = {
    "type": "object",
    "description": "The text in each language it exists in, keyed by language code "
    "(en, es, ru, kk); the record's original_language is always there.",
    "additionalProperties": {"type": "string"},
    "example": {"en": "GovTech", "es": "GovTech"},
}


@extend_schema_field(LANGUAGE_MAP)
class LanguageMap(serializers.Field):
    """A translated text as {language: text}, the original language included."""

    def __init__(self, **kwargs):
        kwargs["source"] = kwargs.get("source", "*")
        kwargs["read_only"] = True
        self.text_field = kwargs.pop("field")
        super().__init__(**kwargs)

    def to_representation(self, record):
        texts = {}
        for code in LANGUAGE_CODES:
            if code == record.original_language:
                value = getattr(record, self.text_field)
            else:
                value = getattr(record, translated_name(self.text_field, code))
            if value:
                texts[code] = value
        return texts


class AreaSerializer(serializers.ModelSerializer):
    name = LanguageMap(field="name")
    description = LanguageMap(field="description")

    class Meta:
        model = CooperationArea
        fields = ["slug", "name", "description", "original_language"]


class AgencySerializer(serializers.ModelSerializer):
    name = LanguageMap(field="name")
    acronym = LanguageMap(field="acronym")
    jurisdiction = LanguageMap(field="jurisdiction")
    description = LanguageMap(field="description")
    country = serializers.CharField(source="country.code", help_text="ISO 3166-1 alpha-2")
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = [
            "slug", "url", "page_url", "name", "acronym", "kind", "country", "jurisdiction",
            "parent", "website", "description", "original_language",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, agency):
        return reverse("api:agency-detail", args=[agency.slug], request=self.context.get("request"))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, agency):
        return absolute(self.context, agency.get_absolute_url())


def absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


class SignatorySerializer(serializers.ModelSerializer):
    position = LanguageMap(field="position")

    class Meta:
        model = Representative
        fields = ["full_name", "position", "email", "phone"]

    def to_representation(self, person):
        data = super().to_representation(person)
        if not self.context.get("staff"):  # contact details are for staff only
            data.pop("email")
            data.pop("phone")
        return data


class PartySerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    agency_name = LanguageMap(field="name", source="agency")
    signatory = SignatorySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Party
        fields = ["agency", "agency_name", "role", "signatory", "signed_on"]


class MilestoneSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    title = LanguageMap(field="title")
    description = LanguageMap(field="description")
    area = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    responsible_agency = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id", "agreement", "title", "description", "area", "responsible_agency",
            "due_date", "status", "date_met", "overdue", "last_reviewed",
        ]  # fmt: skip


class AgreementMilestoneSerializer(MilestoneSerializer):
    class Meta(MilestoneSerializer.Meta):
        fields = [f for f in MilestoneSerializer.Meta.fields if f != "agreement"]


class DocumentLinkSerializer(serializers.ModelSerializer):
    title = LanguageMap(field="title")

    class Meta:
        model = DocumentLink
        fields = ["title", "url", "kind", "language", "published_on"]


class FileSerializer(serializers.ModelSerializer):
    title = LanguageMap(field="title")
    download_url = serializers.SerializerMethodField()
    file_name = serializers.CharField(source="current_version.download_name")
    content_type = serializers.CharField(source="current_version.content_type")
    size = serializers.IntegerField(source="current_version.size")
    sha256 = serializers.CharField(source="current_version.sha256")

    class Meta:
        model = Document
        fields = [
            "title", "kind", "language", "dated_on", "file_name", "content_type", "size",
            "sha256", "download_url",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document):
        return absolute(self.context, document.download_url)


class AgreementListSerializer(serializers.ModelSerializer):
    title = LanguageMap(field="title")
    summary = LanguageMap(field="summary")
    place_of_signing = LanguageMap(field="place_of_signing")
    event = LanguageMap(field="event")
    areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "reference", "url", "page_url", "title", "kind", "status", "visibility", "summary",
            "original_language", "signed_on", "place_of_signing", "event", "entry_into_force",
            "expires_on", "legally_binding", "areas", "parties", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, agreement):
        return reverse(
            "api:agreement-detail", args=[agreement.reference], request=self.context.get("request")
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, agreement):
        return absolute(self.context, agreement.get_absolute_url())


class AgreementSerializer(AgreementListSerializer):
    """One agreement, whole: its milestones, document links and downloadable files."""

    milestones = AgreementMilestoneSerializer(many=True, read_only=True)
    links = DocumentLinkSerializer(source="documents", many=True, read_only=True)
    files = FileSerializer(many=True, read_only=True)

    class Meta(AgreementListSerializer.Meta):
        fields = [*AgreementListSerializer.Meta.fields, "milestones", "links", "files"]
