from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from agreements import search
from agreements.search import SearchColumns
from agreements.translated import (
    LANGUAGE_CODES,
    Translatable,
    TranslatableQuerySet,
    original_language_field,
    translations_of,
)


class AgencyQuerySet(TranslatableQuerySet):
    def search(self, text: str) -> "AgencyQuerySet":
        """Agencies with every word of `text` in their names, acronyms, jurisdiction,
        country or description, in any language."""
        return search.matching(self, text)

    def with_relevance(self, text: str) -> "AgencyQuerySet":
        return search.with_relevance(self, text)


class Agency(Translatable, models.Model):
    """A government body, operator or organisation that can be party to an agreement."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        STATE_AGENCY = "state_agency", _("State agency or operator")
        REGULATOR = "regulator", _("Regulator")
        REGIONAL_GOVERNMENT = "regional_government", _("Regional government")
        MUNICIPALITY = "municipality", _("Municipality")
        INTERNATIONAL = "international", _("International organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    name_en, name_es, name_ru, name_kk = translations_of(name)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    acronym_en, acronym_es, acronym_ru, acronym_kk = translations_of(acronym)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    country = CountryField(_("country"))
    jurisdiction = models.CharField(
        _("sub-national jurisdiction"),
        max_length=255,
        blank=True,
        help_text=_("Region or city the agency belongs to, e.g. “Community of Madrid”."),
    )
    jurisdiction_en, jurisdiction_es, jurisdiction_ru, jurisdiction_kk = translations_of(
        jurisdiction
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en, description_es, description_ru, description_kk = translations_of(description)
    original_language = original_language_field()
    search_title, search_document = SearchColumns()

    objects = AgencyQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_title", "search_document"])

    translated_fields = ("name", "acronym", "jurisdiction", "description")
    optional_translations = ("acronym",)
    # What a choice list needs to name an agency in any language (its __str__).
    label_fields = ("slug", "original_language", "name", "acronym") + tuple(
        f"{field}_{code}" for field in ("name", "acronym") for code in LANGUAGE_CODES
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "kind"])]

    def __str__(self):
        name, acronym = self.text("name"), self.text("acronym")
        return f"{name} ({acronym})" if acronym else name

    def get_absolute_url(self):
        return reverse("partners:agency_detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if errors := self.clean_translations():
            raise ValidationError(errors)

    @property
    def short_name(self) -> str:
        return self.text("acronym") or self.text("name")


class Representative(Translatable, models.Model):
    """A person who signs or coordinates for an agency.

    Email and phone are personal data: only staff with permission to view
    representatives ever see them.
    """

    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    position_en, position_es, position_ru, position_kk = translations_of(position)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="representatives",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)

    history = HistoricalRecords()

    translated_fields = ("position",)
    language_from = "agency"

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["full_name"]

    def __str__(self):
        if position := self.text("position"):
            return f"{self.full_name}, {position}"
        return self.full_name

    @property
    def original_language(self) -> str:
        """A position is written in its agency's language."""
        return self.agency.original_language if self.agency_id else "en"
