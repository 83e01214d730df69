from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords


class Agency(models.Model):
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
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    country = CountryField(_("country"))
    jurisdiction = models.CharField(
        _("sub-national jurisdiction"),
        max_length=255,
        blank=True,
        help_text=_("Region or city the agency belongs to, e.g. “Community of Madrid”."),
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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "kind"])]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("partners:agency_detail", kwargs={"slug": self.slug})

    @property
    def short_name(self) -> str:
        return self.acronym or self.name


class Representative(models.Model):
    """A person who signs or coordinates for an agency.

    Email and phone are personal data: only staff with permission to view
    representatives ever see them.
    """

    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="representatives",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["full_name"]

    def __str__(self):
        if self.position:
            return f"{self.full_name}, {self.position}"
        return self.full_name
