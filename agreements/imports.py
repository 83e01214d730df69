"""Spreadsheet import (and the admin's matching export) of agencies, representatives,
agreements and milestones, with django-import-export: upload, a preview of every
row (new, changed, unchanged, and every error with its row, column and message),
then confirm. A confirmed import is one transaction: one bad row and no row is
written.

What this module adds to the library:
- the file itself is checked before it is read (size, a ZIP bomb or a
  password-protected workbook dressed as .xlsx, a 10 MB line, too many rows);
- headers may be in any of the four languages;
- dates may be ISO (2025-10-03) or day first, as typed in Kazakhstan and Spain
  (03.10.2025, 03/10/2025);
- an unknown agency, a bad date or a repeated key is an error in the user's
  language, naming the value;
- exports never hand a spreadsheet a formula: CSV cells that could start one get
  an apostrophe (which the import takes off again), workbook cells are text.
"""

import csv
import datetime
import functools
import io
import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.instance_loaders import ModelInstanceLoader
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from partners.models import Agency, Representative

from .dashboard import counts_forgotten_once
from .exports import FORMULA_START
from .models import Agreement, CooperationArea, Milestone, Party
from .translated import LANGUAGE_CODES

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # what an .xlsx may expand to
MAX_LINE_BYTES = 64 * 1024
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


# --- Cells -------------------------------------------------------------------------------


def unguarded(value):
    """A cell as typed, less the apostrophe our CSV export puts before a formula sign."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_START:
        return value[1:]
    return value


class DateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__(format=None)
        self.formats = DATE_FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date) or value in (None, ""):
            return value or None
        text = str(value).strip()
        for date_format in self.formats:
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            _("“%(value)s” is not a date: write 2025-10-03, 03.10.2025 or 03/10/2025.")
            % {"value": text[:40]}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        value = unguarded(value)
        return "" if value is None else str(value).strip()


class ChoiceWidget(TextWidget):
    """A choice by its code (`signed`) or by its label in any language (`Firmado`)."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    @functools.cached_property
    def by_name(self) -> dict[str, str]:
        by_name = {}
        for code, label in self.choices:
            by_name[code.lower()] = code
            for language in LANGUAGE_CODES:
                with translation.override(language):
                    by_name[str(label).lower()] = code
        return by_name

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        by_name = self.by_name
        if text.lower() not in by_name:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text[:40], "choices": ", ".join(code for code, _l in self.choices)}
            )
        return by_name[text.lower()]


class BooleanWidget(widgets.BooleanWidget):
    TRUE = {"yes", "true", "1", "sí", "si", "да", "иә"}
    FALSE = {"no", "false", "0", "нет", "жоқ"}

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(unguarded(value)).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        if text in ("", "unknown"):
            return None
        raise ValueError(_("“%(value)s” is not yes, no or empty.") % {"value": text[:40]})


class RecordWidget(widgets.ForeignKeyWidget):
    """A related record by its key (an agency's slug, an agreement's reference); an
    unknown key is an error naming it.

    Each key is looked up once per import: a file of 10,000 milestones names a few
    hundred agreements. (The library copies a resource's fields, widgets included,
    for every import, so nothing found here outlives it.)"""

    def __init__(self, model, field, message, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.message = message
        self.found = {}

    def clean(self, value, row=None, **kwargs):
        value = unguarded(value)
        if value in (None, ""):
            return None
        key = str(value).strip()
        if key not in self.found:
            self.found[key] = (
                self.get_queryset(value, row, **kwargs).filter(**{self.field: key}).first()
            )
        if self.found[key] is None:
            raise ValueError(str(self.message) % {"value": key[:60]})
        return self.found[key]


NO_SUCH_AGENCY = gettext_lazy("No agency with the slug “%(value)s”.")


def agency_by_slug() -> RecordWidget:
    return RecordWidget(Agency, "slug", NO_SUCH_AGENCY)


class AreasWidget(widgets.ManyToManyWidget):
    def __init__(self):
        super().__init__(CooperationArea, separator=";", field="slug")

    @functools.cached_property
    def areas(self) -> dict:
        return {a.slug: a for a in CooperationArea.objects.all()}  # a few dozen at most

    def clean(self, value, row=None, **kwargs):
        slugs = [s.strip() for s in str(unguarded(value) or "").split(";") if s.strip()]
        found = self.areas
        if missing := [s for s in slugs if s not in found]:
            raise ValueError(
                _("No cooperation area “%(value)s”.") % {"value": ", ".join(missing)[:80]}
            )
        return [found[s] for s in slugs]


# --- Parties of an agreement, in one cell -------------------------------------------------


class PartiesField(fields.Field):
    """`nitec (Daulet Bekmanov); madrid-ministry-of-digitalization`: each party's agency
    slug and, in brackets, who signed for it. Parties are added or updated, never
    removed by an import (a party may be named by milestones)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_by_slug = agency_by_slug()
        self.signatories = {}  # for this import, as RecordWidget's

    def clean(self, row, **kwargs):
        text = str(unguarded(row.get(self.column_name)) or "").strip()
        parties = []
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            slug, _bracket, rest = part.partition("(")
            slug, signatory_name = slug.strip(), rest.rstrip(") ").strip()
            agency = self.agency_by_slug.clean(slug)  # an unknown slug is an error naming it
            if agency is None:  # a signatory in brackets with no slug before it
                raise ValueError(str(NO_SUCH_AGENCY) % {"value": ""})
            signatory = None
            if signatory_name:
                if (slug, signatory_name) not in self.signatories:
                    self.signatories[slug, signatory_name] = Representative.objects.filter(
                        agency=agency, full_name=signatory_name
                    ).first()
                signatory = self.signatories[slug, signatory_name]
                if signatory is None:
                    raise ValueError(
                        _("“%(name)s” is not a representative of %(agency)s.")
                        % {"name": signatory_name[:60], "agency": slug}
                    )
            if any(named is agency for named, _signatory in parties):
                message = _("%(agency)s is named twice among the parties.")
                raise ValueError(message % {"agency": slug})
            parties.append((agency, signatory))
        return parties

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance._imported_parties = self.clean(row)

    def export(self, instance, **kwargs):
        if not instance.pk:
            return ""
        return "; ".join(
            f"{p.agency.slug} ({p.signatory.full_name})" if p.signatory else p.agency.slug
            for p in instance.parties.select_related("agency", "signatory")
        )


# --- Headers in any language --------------------------------------------------------------


def header_aliases(resource) -> dict[str, str]:
    """Every way a column may be headed (its name, and its label in each language),
    lower-cased, mapped to the column's name."""
    aliases = {}
    model = resource._meta.model
    for field in resource.get_import_fields():
        name = field.column_name
        aliases[name.lower()] = name
        try:
            label = model._meta.get_field(field.attribute).verbose_name
        except Exception:  # noqa: BLE001 - a column of our own, not a model field
            label = COLUMN_LABELS.get(name, name)
        for language in LANGUAGE_CODES:
            with translation.override(language):
                aliases[str(label).strip().lower()] = name
    return aliases


COLUMN_LABELS = {"parties": gettext_lazy("parties"), "agency": gettext_lazy("agency")}


# --- Resources -----------------------------------------------------------------------------


class FileInstanceLoader(ModelInstanceLoader):
    """The records a file names, found a few hundred keys per query before the first
    row is read, instead of one query per row. Keys are compared as the database
    compares them (exactly), so a row finds what the library's own loader would."""

    BATCH = 500  # keys per query: well inside SQLite's limit on parameters

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        first = self.key_fields[0]
        wanted = set()
        for row in dataset.dict if dataset else ():
            if first.column_name not in row:
                break
            try:
                value = first.clean(row)
            except (ValueError, ValidationError):
                continue  # reported on its row
            if value not in (None, ""):
                wanted.add(value)
        wanted = list(wanted)
        self.found, self.ambiguous = {}, set()
        for start in range(0, len(wanted), self.BATCH):
            chunk = wanted[start : start + self.BATCH]
            for instance in self.get_queryset().filter(**{f"{first.attribute}__in": chunk}):
                key = self.key_of_record(instance)
                if key in self.found:  # nothing forbids two milestones of the same title
                    self.ambiguous.add(key)
                self.found[key] = instance

    def key_of_record(self, instance) -> tuple:
        model = type(instance)
        return tuple(
            getattr(instance, model._meta.get_field(field.attribute).attname)
            for field in self.key_fields
        )

    def get_instance(self, row):
        key = tuple(
            value.pk if isinstance(value, Model) else value
            for value in (field.clean(row) for field in self.key_fields)
        )
        if key in self.ambiguous:
            raise AmbiguousRow({
                self.key_fields[-1].column_name: _(
                    "More than one recorded %(record)s matches this row. Make them differ "
                    "in the admin first, so that the import knows which one to change."
                ) % {"record": self.resource._meta.model._meta.verbose_name}
            })  # fmt: skip
        return self.found.get(key)


class AmbiguousRow(ValidationError):
    """A row that names two or more records: an error on its row, never a guess."""


class CheckedResource(resources.ModelResource):
    """What every importable record shares: headers in any language, rows checked as
    the admin checks them (the model's clean), keys never repeated in one file, a
    limit on rows, and errors in the user's language."""

    key_columns: tuple[str, ...] = ()
    column_help: dict = {}  # what to write in a column, where it differs from COLUMN_HELP

    class Meta:
        instance_loader_class = FileInstanceLoader

    # Rows one upload may hold: what the preview, then the confirm, each check and save
    # in about 30 seconds on PostgreSQL (README, Benchmarks), well inside a proxy's
    # timeout. Larger files go through `manage.py import_records`, which has no limit.
    admin_max_rows = 5_000
    keep_row_diffs = True  # the preview's before-and-after of every row

    def __init__(self, *, max_rows: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_rows = self.admin_max_rows if max_rows is None else max_rows

    def import_data_inner(self, dataset, dry_run, raise_errors, *args, **kwargs):
        # The library reports a failed before_import() and then reads every row all the
        # same: a file refused as a whole is refused here, before any row is read.
        try:
            self.check_file(dataset)
        except ValidationError as error:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            self.handle_import_error(result, error, raise_errors)
            return result
        return super().import_data_inner(dataset, dry_run, raise_errors, *args, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if not self.keep_row_diffs and not (row_result.errors or row_result.validation_error):
            row_result.diff = None  # only the preview page shows it; a row's errors stay
        return row_result

    def check_file(self, dataset):
        """Headings in any language put in our words; too many rows, a missing key
        column or a key given twice refuse the whole file."""
        if self.max_rows and len(dataset) > self.max_rows:
            raise ValidationError(
                _(
                    "This file has %(rows)s rows; the admin imports at most %(max)s at a "
                    "time. Split it, or ask an administrator to import it whole with the "
                    "import_records command."
                )
                % {"rows": len(dataset), "max": self.max_rows}
            )
        aliases = header_aliases(self)
        dataset.headers = [
            aliases.get(str(h or "").replace("\ufeff", "").strip().lower(), str(h or "").strip())
            for h in dataset.headers or []
        ]
        missing = [c for c in self.key_columns if c not in dataset.headers]
        if missing:
            raise ValidationError(
                _("The file has no column %(columns)s. Download the template to see the columns.")
                % {"columns": ", ".join(missing)}
            )
        seen = {}
        # Numbered as the preview numbers rows: the first row under the headings is 1.
        for number, row in enumerate(dataset.dict, start=1):
            key = tuple(str(unguarded(row.get(c)) or "").strip().lower() for c in self.key_columns)
            if not any(key):
                continue
            if key in seen:
                raise ValidationError(
                    _("Rows %(first)s and %(second)s are the same record (%(key)s).")
                    % {"first": seen[key], "second": number, "key": " / ".join(key)}
                )
            seen[key] = number

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except AmbiguousRow:
            raise
        except (ValueError, ValidationError):
            # A key that names nothing (an unknown agreement): reported on its column
            # with the row's other errors, not as a failure that hides them.
            return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The library's checks less two the import has answered already, which would
        otherwise double its queries per row: that each related record exists (the
        widget has just read it) and the check constraints, whose rules the model's
        clean() states with a message on the field. The database enforces both."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        for field in instance._meta.concrete_fields:
            if field.is_relation and field.is_cached(instance) and getattr(instance, field.attname):
                exclude.add(field.name)
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name not in row:
            return  # a column the file does not have leaves the record's value alone
        # A formula sign guarded by our own export is taken off again.
        row[field.column_name] = unguarded(row[field.column_name])
        current = getattr(instance, field.attribute, None) if field.attribute else None
        if isinstance(current, str) and not is_m2m:
            try:
                new = field.clean(row)
            except (ValueError, ValidationError):
                new = None  # the field's own import reports it
            if isinstance(new, str) and new.replace("\r\n", "\n") == current.replace("\r\n", "\n"):
                return  # the same text with other line endings (a browser's CRLF): unchanged
        return super().import_field(field, instance, row, is_m2m, **kwargs)


class AgencyResource(CheckedResource):
    key_columns = ("slug",)
    name = fields.Field("name", "name", widget=TextWidget())
    slug = fields.Field("slug", "slug", widget=TextWidget())
    acronym = fields.Field("acronym", "acronym", widget=TextWidget())
    kind = fields.Field("kind", "kind", widget=ChoiceWidget(Agency.Kind.choices))
    country = fields.Field("country", "country", widget=TextWidget())
    jurisdiction = fields.Field("jurisdiction", "jurisdiction", widget=TextWidget())
    parent = fields.Field(
        "parent", "parent",
        widget=agency_by_slug(),
    )  # fmt: skip
    website = fields.Field("website", "website", widget=TextWidget())
    description = fields.Field("description", "description", widget=TextWidget())
    original_language = fields.Field("original_language", "original_language", widget=TextWidget())

    class Meta:
        model = Agency
        import_id_fields = ["slug"]
        fields = [
            "slug", "name", "acronym", "kind", "country", "jurisdiction", "parent", "website",
            "description", "original_language",
        ]  # fmt: skip
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_instance(self, instance_loader, row):
        """By slug; a row without one by name and country, so a list typed by hand
        matches the agencies already recorded."""
        if row.get("slug"):
            return super().get_instance(instance_loader, row)
        return Agency.objects.filter(
            name__iexact=str(row.get("name") or "").strip(),
            country=str(row.get("country") or "").strip().upper(),
        ).first()

    def before_save_instance(self, instance, row, **kwargs):
        if not instance.slug:
            from .models import unique_slug

            instance.slug = unique_slug(Agency, instance.name, exclude_pk=instance.pk)


class RepresentativeResource(CheckedResource):
    key_columns = ("agency", "full_name")
    agency = fields.Field(
        "agency", "agency",
        widget=agency_by_slug(),
    )  # fmt: skip
    full_name = fields.Field("full_name", "full_name", widget=TextWidget())
    position = fields.Field("position", "position", widget=TextWidget())
    email = fields.Field("email", "email", widget=TextWidget())
    phone = fields.Field("phone", "phone", widget=TextWidget())

    class Meta:
        model = Representative
        import_id_fields = ["agency", "full_name"]
        fields = ["agency", "full_name", "position", "email", "phone"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class AgreementResource(CheckedResource):
    key_columns = ("reference",)
    admin_max_rows = 1_000  # each brings its parties, areas and their history: 35 rows/s
    reference = fields.Field("reference", "reference", widget=TextWidget())
    title = fields.Field("title", "title", widget=TextWidget())
    kind = fields.Field("kind", "kind", widget=ChoiceWidget(Agreement.Kind.choices))
    status = fields.Field("status", "status", widget=ChoiceWidget(Agreement.Status.choices))
    visibility = fields.Field(
        "visibility", "visibility", widget=ChoiceWidget(Agreement.Visibility.choices)
    )
    signed_on = fields.Field("signed_on", "signed_on", widget=DateWidget())
    place_of_signing = fields.Field("place_of_signing", "place_of_signing", widget=TextWidget())
    event = fields.Field("event", "event", widget=TextWidget())
    entry_into_force = fields.Field("entry_into_force", "entry_into_force", widget=DateWidget())
    expires_on = fields.Field("expires_on", "expires_on", widget=DateWidget())
    legally_binding = fields.Field("legally_binding", "legally_binding", widget=BooleanWidget())
    summary = fields.Field("summary", "summary", widget=TextWidget())
    original_language = fields.Field("original_language", "original_language", widget=TextWidget())
    areas = fields.Field("areas", "areas", widget=AreasWidget(), m2m_add=False)
    parties = PartiesField(attribute="parties", column_name="parties", readonly=False)

    class Meta:
        model = Agreement
        import_id_fields = ["reference"]
        fields = [
            "reference", "title", "kind", "status", "visibility", "signed_on",
            "place_of_signing", "event", "entry_into_force", "expires_on", "legally_binding",
            "summary", "original_language", "areas", "parties",
        ]  # fmt: skip
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_instance(self, instance_loader, row):
        if not str(row.get("reference") or "").strip():
            return None  # a new agreement: its reference is assigned when it is saved
        return super().get_instance(instance_loader, row)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        wanted = getattr(instance, "_imported_parties", [])
        if original.pk and wanted:
            have = {(p.agency_id, p.signatory_id) for p in original.parties.all()}
            if any((a.pk, s.pk if s else None) not in have for a, s in wanted):
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._imported_new = is_create
        super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        for agency, signatory in getattr(instance, "_imported_parties", []):
            if instance._imported_new:  # no parties yet: nothing to look up
                Party.objects.create(
                    agreement=instance, agency=agency, signatory=signatory,
                    signed_on=instance.signed_on,
                )  # fmt: skip
                continue
            party, created = Party.objects.get_or_create(
                agreement=instance,
                agency=agency,
                defaults={"signatory": signatory, "signed_on": instance.signed_on},
            )
            if not created and signatory and party.signatory_id != signatory.pk:
                party.signatory = signatory
                party.save()

    def dehydrate_parties(self, agreement):
        return self.fields["parties"].export(agreement)


class MilestoneResource(CheckedResource):
    key_columns = ("agreement", "title")
    column_help = {"title": gettext_lazy("With the agreement, how milestones are matched.")}
    agreement = fields.Field(
        "agreement", "agreement",
        widget=RecordWidget(
            Agreement, "reference", gettext_lazy("No agreement with the reference “%(value)s”.")
        ),
    )  # fmt: skip
    title = fields.Field("title", "title", widget=TextWidget())
    description = fields.Field("description", "description", widget=TextWidget())
    area = fields.Field(
        "area", "area",
        widget=RecordWidget(
            CooperationArea, "slug", gettext_lazy("No cooperation area “%(value)s”.")
        ),
    )  # fmt: skip
    responsible_agency = fields.Field(
        "responsible_agency", "responsible_agency",
        widget=agency_by_slug(),
    )  # fmt: skip
    due_date = fields.Field("due_date", "due_date", widget=DateWidget())
    status = fields.Field("status", "status", widget=ChoiceWidget(Milestone.Status.choices))
    date_met = fields.Field("date_met", "date_met", widget=DateWidget())

    class Meta:
        model = Milestone
        import_id_fields = ["agreement", "title"]
        fields = [
            "agreement", "title", "description", "area", "responsible_agency", "due_date",
            "status", "date_met",
        ]  # fmt: skip
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


# --- Files in and out --------------------------------------------------------------------


def refuse_hostile(upload, *, max_bytes: int | None = MAX_FILE_BYTES) -> None:
    """Checks a file before any library reads it: size, what an .xlsx expands to, and
    lines of a CSV. Raises ValidationError with the reason, in the user's language."""
    if max_bytes is not None and upload.size > max_bytes:
        raise ValidationError(
            _("This file is larger than %(limit)s: split it, or import it in parts.")
            % {"limit": filesizeformat(MAX_FILE_BYTES)}
        )
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 container: encrypted or old .xls
        raise ValidationError(
            _(
                "This workbook is password-protected or in the old .xls format. Save it "
                "without a password as .xlsx (or as CSV) and import that."
            )
        )
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(upload) as archive:
                unzipped = sum(info.file_size for info in archive.infolist())
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise ValidationError(_("This .xlsx file is damaged and cannot be read.")) from None
        finally:
            upload.seek(0)
        if unzipped > MAX_UNZIPPED_BYTES:
            raise ValidationError(
                _("This workbook expands to more than %(limit)s: it cannot be imported.")
                % {"limit": filesizeformat(MAX_UNZIPPED_BYTES)}
            )
        if "xl/workbook.xml" not in names:
            raise ValidationError(_("This is a ZIP file, not an Excel workbook (.xlsx)."))
        return
    for line in upload:
        if len(line) > MAX_LINE_BYTES:
            upload.seek(0)
            raise ValidationError(
                _("A line of this file is longer than %(limit)s: it is not a table.")
                % {"limit": filesizeformat(MAX_LINE_BYTES)}
            )
    upload.seek(0)


class CheckedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        refuse_hostile(upload)
        return upload


class GuardedCSV(base_formats.CSV):
    """Exports with an apostrophe before a cell that could start a formula; reads UTF-8
    with or without a byte-order mark."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValueError(
                    _("This file is not UTF-8 text. Save it as “CSV UTF-8” and import that.")
                ) from None
        return super().create_dataset(in_stream.lstrip("\ufeff"), **kwargs)

    def export_data(self, dataset, **kwargs):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(dataset.headers)
        for row in dataset:
            writer.writerow(
                [f"'{v}" if isinstance(v, str) and v[:1] in FORMULA_START else v for v in row]
            )
        return out.getvalue()


class GuardedXLSX(base_formats.XLSX):
    """Exports every text as a text cell, never through the formula path."""

    def export_data(self, dataset, **kwargs):
        from .spreadsheets import text_cell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(dataset.title or "Sheet1")[:31])
        sheet.freeze_panes = "A2"
        header = []
        for title in dataset.headers:
            cell = WriteOnlyCell(sheet, value=str(title))
            cell.data_type = "s"
            header.append(cell)
        sheet.append(header)
        for row in dataset:
            sheet.append([text_cell(sheet, v) for v in row])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


FORMAT_BY_EXTENSION = {"csv": GuardedCSV, "xlsx": GuardedXLSX}
FORMATS = list(FORMAT_BY_EXTENSION.values())


def unreadable_file_message(error: Exception) -> str:
    """What to tell someone whose file the format's reader gave up on."""
    from tablib import InvalidDimensions

    if isinstance(error, InvalidDimensions):
        return _(
            "Not every row has as many cells as the headings: a text with a comma "
            "in it needs quotation marks."
        )
    if type(error) is ValueError and error.args and isinstance(error.args[0], str):
        return error.args[0]  # our own reader's message (GuardedCSV)
    return _("This file cannot be read as the format chosen. Check the format.")


class SpreadsheetImport:
    """Mixed into a record type's admin: Import and Export buttons, the checked form,
    the safe formats, and all or nothing on confirm."""

    import_form_class = CheckedImportForm
    formats = FORMATS
    import_template_name = "agreements/import.html"

    def add_data_read_fail_error_to_form(self, form, error):
        form.add_error("import_file", unreadable_file_message(error))

    def import_action(self, request, **kwargs):
        with counts_forgotten_once():
            return super().import_action(request, **kwargs)

    def process_import(self, request, **kwargs):
        with counts_forgotten_once():
            return super().process_import(request, **kwargs)

    def get_import_data_kwargs(self, **kwargs):
        # On confirm, a row that fails (the data changed since the preview) rolls back all.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            from django.contrib import messages

            messages.error(
                request, _("Nothing was imported: a row failed when it was saved. Try again.")
            )
            from django.shortcuts import redirect

            return redirect(request.path.replace("process_import/", "import/"))
        return super().process_result(result, request)

    def get_import_context_data(self, **kwargs):
        resource = self.get_import_resource_classes(None)[0]()
        columns = [
            (field.column_name, {**COLUMN_HELP, **resource.column_help}.get(field.column_name, ""))
            for field in resource.get_import_fields()
        ]
        return {
            **super().get_import_context_data(**kwargs),
            "template_columns": columns,
            "max_rows": resource.admin_max_rows,
            "max_size": MAX_FILE_BYTES,
        }

    def get_urls(self):
        from django.urls import path

        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/template.<str:extension>",
                self.admin_site.admin_view(self.import_template),
                name=f"{info[0]}_{info[1]}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template(self, request, extension):
        """An empty file with the columns, to fill in and import."""
        from django.core.exceptions import PermissionDenied
        from django.http import Http404, HttpResponse
        from tablib import Dataset

        if not self.has_import_permission(request):
            raise PermissionDenied
        chosen = FORMAT_BY_EXTENSION.get(extension)
        if chosen is None:
            raise Http404
        resource = self.get_import_resource_classes(request)[0]()
        dataset = Dataset(headers=[f.column_name for f in resource.get_import_fields()])
        dataset.title = self.model._meta.model_name
        file_format = chosen()
        response = HttpResponse(
            file_format.export_data(dataset), content_type=file_format.get_content_type()
        )
        name = f"{self.model._meta.model_name}-template.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


COLUMN_HELP = {
    "reference": gettext_lazy(
        "Agreements are matched by it: a reference already recorded updates that agreement. "
        "Empty: a new agreement, numbered when saved."
    ),
    "slug": gettext_lazy("Agencies are matched by it (or, when empty, by name and country)."),
    "kind": gettext_lazy("Its code or its name in any of the four languages."),
    "status": gettext_lazy("Its code or its name in any of the four languages."),
    "visibility": gettext_lazy("public or internal."),
    "signed_on": gettext_lazy("A date: 2025-10-03, 03.10.2025 or 03/10/2025."),
    "entry_into_force": gettext_lazy("A date: 2025-10-03, 03.10.2025 or 03/10/2025."),
    "expires_on": gettext_lazy("A date, not before entry into force."),
    "due_date": gettext_lazy("A date: 2025-10-03, 03.10.2025 or 03/10/2025."),
    "date_met": gettext_lazy("Required when the status is met."),
    "legally_binding": gettext_lazy("yes, no, or empty when the text does not say."),
    "areas": gettext_lazy("Cooperation area slugs, separated by “;”: ict; govtech."),
    "parties": gettext_lazy(
        "Agency slugs separated by “;”, each with its signatory in brackets: "
        "nitec (Daulet Bekmanov); madrid-ministry-of-digitalization."
    ),
    "agreement": gettext_lazy("The agreement's reference, e.g. AGR-2025-0001."),
    "responsible_agency": gettext_lazy(
        "An agency slug; it must be one of the agreement's parties."
    ),
    "area": gettext_lazy("A cooperation area slug."),
    "country": gettext_lazy("Two letters, ISO 3166-1: KZ, ES."),
    "parent": gettext_lazy("The parent agency's slug."),
    "original_language": gettext_lazy("en, es, ru or kk: the language the texts are in."),
    "agency": gettext_lazy("The agency's slug."),
}


@transaction.atomic
def import_file(resource_class, data: bytes, file_format, *, user=None, dry_run=False):
    """Import a whole file outside the admin (the benchmark, scripts): all or nothing,
    with no limit on rows."""
    try:
        dataset = file_format().create_dataset(data)
    except Exception as error:  # noqa: BLE001 - any reader's failure: a bad file, told as such
        raise ValueError(unreadable_file_message(error)) from error
    with counts_forgotten_once():
        resource = resource_class(max_rows=0)
        resource.keep_row_diffs = False  # bounded memory: 2.5 KB a row otherwise
        return resource.import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
            rollback_on_validation_errors=True, user=user,
        )  # fmt: skip
