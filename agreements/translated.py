"""Records kept in several languages: one column per language beside the original.

A record's text (`title`, `summary`, an agency's `name`…) stays in the column it
always had, in the record's *original language*; `title_es`, `title_ru`… hold
its translations. A page in another language shows the translation where there
is one and otherwise the original, marked with its language. Plain columns
rather than a translation table keep the CSV export, search and the audit
history (which copies every column) working with no joins.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.text import format_lazy
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

# "in Spanish" after a text shown in its original language: one message per
# language, because Russian and Kazakh decline the language's name.
IN_LANGUAGE = {
    "en": _("in English"),
    "es": _("in Spanish"),
    "ru": _("in Russian"),
    "kk": _("in Kazakh"),
}
LANGUAGE_NAMES = {
    "en": _("English"),
    "es": _("Spanish"),
    "ru": _("Russian"),
    "kk": _("Kazakh"),
}
LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES]


def original_language_field():
    return models.CharField(
        _("original language"),
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default="en",
        db_default="en",  # a plain ADD COLUMN on every database, however many rows
        help_text=_(
            "The language the texts above are written in. Translations into the other "
            "languages go in their own fields."
        ),
    )


def translations_of(field: models.Field) -> list[models.Field]:
    """Optional copies of `field`, one per language, for its translations (same kind
    and length, never required, never unique)."""
    copies = []
    for code in LANGUAGE_CODES:
        name, path, args, kwargs = field.deconstruct()
        # db_default: adding the column is a plain ADD COLUMN on every database (no
        # rewrite of a million-row table, no SQLite table rebuild).
        kwargs.update(blank=True, default="", db_default="", unique=False)
        kwargs.pop("help_text", None)
        kwargs["verbose_name"] = format_lazy("{} ({})", field.verbose_name, LANGUAGE_NAMES[code])
        copies.append(type(field)(*args, **kwargs))
    return copies


def translated_name(field: str, code: str) -> str:
    return f"{field}_{code}"


def translation_columns(field: str) -> list[str]:
    return [translated_name(field, code) for code in LANGUAGE_CODES]


class Text(str):
    """A record's text as shown in one language: the translation, or the original
    when there is none (then `is_fallback`, and `language` says which it is)."""

    language: str
    is_fallback: bool

    def __new__(cls, text: str, *, language: str, is_fallback: bool):
        shown = super().__new__(cls, text)
        shown.language, shown.is_fallback = language, is_fallback
        return shown

    @property
    def note(self) -> str:
        if self.language in IN_LANGUAGE:
            return str(IN_LANGUAGE[self.language])
        try:  # a document in a language the portal is not written in
            return get_language_info(self.language)["name_translated"]
        except KeyError:
            return self.language


def current_language() -> str:
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


class Translatable:
    """For models with `translated_fields` and an `original_language` (a field, or a
    property for records that follow their parent's)."""

    translated_fields: tuple[str, ...] = ()
    # Texts often kept as they are in every language (an acronym such as NITEC): an
    # empty translation of one is not reported missing.
    optional_translations: tuple[str, ...] = ()
    # The foreign key whose record's language this one is written in (a milestone's
    # agreement), for records without an `original_language` of their own.
    language_from: str | None = None

    @classmethod
    def translations_expected(cls) -> list[str]:
        return [f for f in cls.translated_fields if f not in cls.optional_translations]

    def text(self, field: str, language: str | None = None) -> Text:
        language = language or current_language()
        original = getattr(self, field)
        if not original:  # nothing to show in any language: no need to learn which
            return Text("", language=language, is_fallback=False)
        if language != self.original_language:
            translation = getattr(self, translated_name(field, language), "")
            if translation:
                return Text(translation, language=language, is_fallback=False)
        return Text(
            original,
            language=self.original_language,
            is_fallback=language != self.original_language,
        )

    def missing_translations(self) -> list[str]:
        """The languages some filled-in text of this record has no translation into."""
        return [
            code
            for code in LANGUAGE_CODES
            if code != self.original_language
            and any(
                getattr(self, field) and not getattr(self, translated_name(field, code))
                for field in self.translations_expected()
            )
        ]

    def clean_translations(self) -> dict:
        """Errors for a translation filled in for the original language itself (it
        would never be shown); one identical to the original is simply dropped. For
        records with an `original_language` field of their own."""
        errors = {}
        for field in self.translated_fields:
            column = translated_name(field, self.original_language)
            value = getattr(self, column, "")
            if value and value == getattr(self, field):
                setattr(self, column, "")
            elif value:
                errors["original_language"] = _(
                    "A translation into the original language is never shown: move its text "
                    "into the main fields, or clear it."
                )
        return errors


class TranslatableQuerySet(models.QuerySet):
    # Where a row's original language is read: milestones follow their agreement's.
    original_language_lookup = "original_language"

    def missing_translation(self, code: str) -> "TranslatableQuerySet":
        """Records with some filled-in text not yet translated into `code` (never
        those written in `code`)."""
        return self.exclude(**{self.original_language_lookup: code}).filter(
            self.untranslated_condition(code)
        )

    def untranslated_condition(self, code: str) -> Q:
        condition = Q()
        for field in self.model.translations_expected():
            condition |= ~Q(**{field: ""}) & Q(**{translated_name(field, code): ""})
        return condition


def text_in(field: str, language: str, *, original_language: str = "original_language"):
    """The SQL form of `Translatable.text`: the translation into `language`, else the
    original (for exports and ordering, so they match the pages)."""
    return Case(
        When(**{original_language: language}, then=F(field)),
        default=Coalesce(NullIf(F(translated_name(field, language)), Value("")), F(field)),
        output_field=models.TextField(),
    )
