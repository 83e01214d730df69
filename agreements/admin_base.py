"""What every record type's admin shares: reverting needs the right to change, and a
form opened before a colleague's save cannot silently undo it.

A form carries the version of the record it was opened on: the id of the record's
latest audit-history entry. Saving checks it against the record's version now,
with the record's row locked, so of two editors who saved the same version only
the first succeeds; the second is told who changed what since, keeps everything
typed, and may save again knowingly.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, connection, transaction
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import search
from .pagination import BothEndsPaginator
from .translated import IN_LANGUAGE, LANGUAGE_CODES, LANGUAGE_NAMES, translated_name

MAX_CHANGES_LISTED = 5


def history_of(model):
    """The audit-history model of `model`, or None for records without one."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute).model if attribute else None


def current_versions(model, pks) -> dict:
    """Each record's version: the id of its latest audit-history entry (0 if none)."""
    history = history_of(model)
    rows = (
        history.objects.filter(**{f"{model._meta.pk.attname}__in": pks})
        .order_by()
        .values_list(model._meta.pk.attname)
        .annotate(latest=Max("history_id"))
    )
    versions = dict.fromkeys(pks, 0)
    versions.update(rows)
    return versions


def could_be_key(field, value) -> bool:
    """Whether `value` could be a value of `field` (a key): not `abc`, not past 64 bits."""
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    return not isinstance(key, int) or -(2**63) <= key < 2**63


def when(moment) -> str:
    return format_date(timezone.localtime(moment), "Y-m-d H:i T")


def who(entry) -> str:
    user = entry.history_user
    return (user.get_full_name() or user.get_username()) if user else _("someone")


def changed_between(model, old: int, new: int) -> bool:
    """Whether the record differs between two versions (re-saves without a change don't count)."""
    if old == new:
        return False
    entries = {e.history_id: e for e in history_of(model).objects.filter(history_id__in=[old, new])}
    if old not in entries or new not in entries:
        return True
    return bool(entries[new].diff_against(entries[old]).changes)


def changes_since(model, pk, version: int) -> str:
    """'Title, Summary changed by Marta Ruiz on 2026-11-25 20:40 UTC; …', newest first."""
    history = history_of(model)
    entries = list(
        history.objects.filter(**{model._meta.pk.attname: pk}, history_id__gt=version)
        .select_related("history_user")
        .order_by("-history_id")[:MAX_CHANGES_LISTED]
    )
    lines = []
    for entry in entries:
        previous = entry.prev_record
        if previous is None:
            continue
        changed = {change.field for change in entry.diff_against(previous).changes}
        fields = [  # in the form's order, not the order the diff found them
            str(capfirst(field.verbose_name))
            for field in [*model._meta.fields, *model._meta.many_to_many]
            if field.name in changed
        ]
        if fields:  # a re-save without changes overwrote nothing
            lines.append(
                _("%(fields)s changed by %(who)s on %(when)s")
                % {"fields": ", ".join(fields), "who": who(entry), "when": when(entry.history_date)}
            )
    return "; ".join(lines)


class VersionField(forms.CharField):
    """The hidden version a form was opened on; never counts as a change of the user's."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


class VersionedForm(forms.ModelForm):
    """A record's admin form that refuses to overwrite a colleague's newer save."""

    version = VersionField()

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk and history_of(type(self.instance)):
            if version is None:
                version = current_versions(type(self.instance), [self.instance.pk])[
                    self.instance.pk
                ]
            self.initial["version"] = version

    def clean(self):
        cleaned_data = super().clean()
        self.check_version(cleaned_data.get("version"))
        return cleaned_data

    def check_version(self, opened_on: str | None) -> None:
        model = type(self.instance)
        if not (opened_on and self.instance.pk and history_of(model)):
            return  # a new record, or a form that never carried a version
        if getattr(self, "only_if_changed", False) and not self.has_changed():
            return  # an inline row this editor left alone is not saved, so not overwritten
        if connection.in_atomic_block:
            # Wait for a colleague's save of this record to finish before comparing.
            list(
                model._default_manager.select_for_update().filter(pk=self.instance.pk).values("pk")
            )
        now = current_versions(model, [self.instance.pk])[self.instance.pk]
        history_pk = history_of(model)._meta.pk
        since = history_pk.to_python(opened_on) if could_be_key(history_pk, opened_on) else 0
        changes = (
            [changes_since(model, self.instance.pk, since)]
            if changed_between(model, since, now)
            else []
        )
        changes += self.untracked_changes()
        if not changes:
            return
        self.stale_message = _(
            "Someone else saved this %(record)s (“%(title)s”) after you opened it: "
            "%(changes)s. Nothing was saved. Your changes are kept below; compare them with "
            "the current record (open it in a new tab) and save again to keep yours."
        ) % {
            "record": model._meta.verbose_name,
            "title": str(self.instance),
            "changes": "; ".join(changes),
        }
        self.add_error(None, self.stale_message)
        # Saving again is a decision made knowing the newer version: let it through.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(now)
        for name in self.untracked_fields():
            self.data.setlist(self.add_initial_prefix(name), self.current_keys(name))

    def untracked_fields(self) -> list[str]:
        """Links the audit history does not keep (related agreements, made from either
        side): the form carries what they were when it was opened instead."""
        return [name for name, field in self.fields.items() if field.show_hidden_initial]

    def current_keys(self, name: str) -> list[str]:
        return [str(pk) for pk in getattr(self.instance, name).values_list("pk", flat=True)]

    def untracked_changes(self) -> list[str]:
        changes = []
        for name in self.untracked_fields():
            field = self.fields[name]
            opened = field.hidden_widget().value_from_datadict(
                self.data, self.files, self.add_initial_prefix(name)
            )
            if set(map(str, opened or [])) != set(self.current_keys(name)):
                changes.append(_("%(field)s changed") % {"field": capfirst(field.label)})
        return changes


class VersionedInlineFormSet(BaseInlineFormSet):
    """Inline rows with versions, read in one query, and a clear word when a colleague
    deleted a row this editor still has on screen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deleted_elsewhere = []
        if self.is_bound:
            self.data, self.files = self.without_rows_deleted_elsewhere(self.data, self.files)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A table of inline rows labels its inputs only with column headings, which a
        # screen reader does not announce per input: each input names itself.
        for field in form.fields.values():
            # The admin wraps related fields; the wrapper's copy renders the inner widget.
            widget = getattr(field.widget, "widget", field.widget)
            if field.label and not widget.is_hidden:
                widget.attrs.setdefault("aria-label", field.label)

    def without_rows_deleted_elsewhere(self, data, files):
        """The posted rows (and their uploaded files) less those whose record no longer
        exists, renumbered.

        Django would otherwise fail them with an error on a hidden field (so the
        editor sees "Please correct the error below" and no error), and render
        the remaining rows against the wrong records.
        """
        try:
            initial = int(data.get(f"{self.prefix}-INITIAL_FORMS", 0))
            total = int(data.get(f"{self.prefix}-TOTAL_FORMS", 0))
        except ValueError:
            return data, files  # the management form's own validation reports it
        total = min(total, self.absolute_max)
        pk = self.model._meta.pk
        posted = {
            i: value
            for i in range(min(initial, total))
            if (value := data.get(f"{self.prefix}-{i}-{pk.name}")) and could_be_key(pk, value)
        }
        if not posted:
            return data, files  # nothing that could name a record: the forms' validation speaks
        existing = {row.pk for row in self.get_queryset()}
        gone = {i for i, value in posted.items() if pk.to_python(value) not in existing}
        if not gone:
            return data, files
        self.deleted_elsewhere = [
            pk.to_python(posted[i])
            for i in sorted(gone)
            if not data.get(f"{self.prefix}-{i}-DELETE")
        ]
        kept = [i for i in range(total) if i not in gone]
        new_index = {old: new for new, old in enumerate(kept)}
        total_left, initial_left = str(total - len(gone)), str(initial - len(gone))
        renumbered = self.renumbered(data, new_index, QueryDict(mutable=True))
        renumbered[f"{self.prefix}-TOTAL_FORMS"] = total_left
        renumbered[f"{self.prefix}-INITIAL_FORMS"] = initial_left
        # A file chosen for a row moves with its row: left under the old number, it
        # would be saved to the record that took that number.
        return renumbered, self.renumbered(files, new_index, MultiValueDict())

    def renumbered(self, posted, new_index: dict, into):
        for key in posted:
            index, dash, field = key.removeprefix(f"{self.prefix}-").partition("-")
            if not (key.startswith(f"{self.prefix}-") and dash and index.isdigit()):
                into.setlist(key, posted.getlist(key))  # not a row's field
            elif int(index) in new_index:  # a kept row's field, under its new number
                into.setlist(f"{self.prefix}-{new_index[int(index)]}-{field}", posted.getlist(key))
        return into

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if (
            not self.is_bound
            and index is not None
            and index < self.initial_form_count()
            and history_of(self.model)
        ):
            kwargs["version"] = self.versions[self.get_queryset()[index].pk]
        return kwargs

    @cached_property
    def versions(self) -> dict:
        return current_versions(self.model, [row.pk for row in self.get_queryset()])

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.only_if_changed = True
        # The parent itself, not just its id: naming a row in the page's language reads
        # the parent's language, which would otherwise be one query per row.
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        return form

    def full_clean(self):
        super().full_clean()
        for pk in self.deleted_elsewhere:
            self._non_form_errors.append(self.deleted_message(pk))

    def deleted_message(self, pk) -> str:
        history, deletion = history_of(self.model), None
        if history:
            deletion = (
                history.objects.filter(**{self.model._meta.pk.attname: pk}, history_type="-")
                .select_related("history_user")
                .order_by("-history_id")
                .first()
            )
        if deletion is None:
            return _(
                "A %(record)s on this page was deleted after you opened it, so it is no "
                "longer shown. Nothing was saved: save again to keep your other changes."
            ) % {"record": self.model._meta.verbose_name}
        return _(
            "“%(title)s” was deleted by %(who)s on %(when)s, after you opened this page, "
            "so it is no longer shown. Nothing was saved: save again to keep your other changes."
        ) % {"title": str(deletion.instance), "who": who(deletion),
             "when": when(deletion.history_date)}  # fmt: skip


class SafeAutocomplete:
    """An autocomplete box that treats a posted value which cannot be a key as nothing
    chosen; the field then says what is wrong."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        return super().optgroups(name, [v for v in value if could_be_key(target, v)], attr)


class KeyCheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses a value that cannot be a key with the field's own message, before the
    database sees it (a number past 64 bits would make the query itself fail)."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        target = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for pk in value:
            if not could_be_key(target, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class SafeAutocompleteSelect(SafeAutocomplete, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocomplete, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteFields:
    """Uses the safe autocomplete boxes for a model admin's or inline's autocomplete_fields."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeyCheckedMultipleChoiceField)
        if db_field.name in getattr(self, "unversioned_fields", ()):
            kwargs["show_hidden_initial"] = True  # see VersionedForm.untracked_fields
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                SafeAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class VersionedFieldsets:
    """Puts the hidden version field in the form for users who may save it."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "version"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and history_of(self.model) and self.has_change_permission(request, obj):
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "version"]})
        return fieldsets


class TranslatedFieldsAdmin:
    """The admin of a record kept in several languages: the texts in the original
    language where they always were, then one group per other language with that
    language's translations side by side, and a note on the groups still missing."""

    def get_fieldsets(self, request, obj=None):
        columns = self.translation_columns

        def without_columns(fields):
            kept = []
            for field in fields:
                if isinstance(field, (list, tuple)):
                    field = tuple(f for f in field if f not in columns) or None
                elif field in columns:
                    field = None
                if field:
                    kept.append(field)
            return kept

        fieldsets = [
            (name, {**options, "fields": without_columns(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        # A new record shows every language: its original is only chosen on this form.
        original = obj.original_language if obj is not None else None
        missing = obj.missing_translations() if obj is not None else []
        for code in LANGUAGE_CODES:
            if code == original:
                continue
            options = {"fields": [translated_name(f, code) for f in self.model.translated_fields]}
            if code in missing:
                options["description"] = _("Not translated into this language yet.")
            fieldsets.append((capfirst(IN_LANGUAGE[code]), options))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:  # say which language the main fields are written in
            note = _("Written in the original language: %(language)s.") % {
                "language": LANGUAGE_NAMES.get(obj.original_language, obj.original_language)
            }
            for name in self.model.translated_fields:
                if field := form.base_fields.get(name):
                    field.help_text = f"{field.help_text} {note}".strip()
        return form

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = db_field.name.rpartition("_")[2]
        if formfield and language in LANGUAGE_CODES and db_field.name in self.translation_columns:
            # Spell-checkers and screen readers then use the translation's language.
            formfield.widget.attrs["lang"] = language
        return formfield

    @cached_property
    def translation_columns(self) -> set[str]:
        return {
            translated_name(field, code)
            for field in self.model.translated_fields
            for code in LANGUAGE_CODES
        }

    @admin.display(description=gettext_lazy("missing translations"))
    def missing_translations(self, obj):
        return ", ".join(str(LANGUAGE_NAMES[code]) for code in obj.missing_translations()) or "—"


def in_page_language(field: str, description):
    """A list column showing `field` in the admin's language (translation, else original)."""

    @admin.display(description=description, ordering=field)
    def shown(obj):
        return obj.text(field)

    shown.__name__ = f"{field}_in_page_language"
    return shown


class MissingTranslationFilter(admin.SimpleListFilter):
    """Records (an agreement: or one of its milestones) not yet translated into a language."""

    title = gettext_lazy("missing a translation into")
    parameter_name = "missing_translation"

    def lookups(self, request, model_admin):
        return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGE_CODES]

    def queryset(self, request, queryset):
        if self.value() in LANGUAGE_CODES:  # anything else: the whole list, as for any filter
            return queryset.missing_translation(self.value())
        return queryset


class SafeChangeList(ChangeList):
    """Django's date drill-down (`?signed_on__year=99999`, `…=9999`) fails with a 500
    on years a date cannot have; such a filter gets the admin's usual "?e=1" instead."""

    def get_queryset(self, request, exclude_parameters=None):
        return search.without_documents(super().get_queryset(request, exclude_parameters))

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        # A lookup on a date part (`?signed_on__year=99999`) only fails when its SQL is made.
        try:
            return super().get_results(request)
        except (OverflowError, ValueError, DataError) as error:
            raise IncorrectLookupParameters(error) from error


class RelatedChoicesFilter(admin.RelatedFieldListFilter):
    """A filter by a related record (a milestone's responsible agency) that lists the
    choices without loading their search documents (500 agencies' every word)."""

    def field_choices(self, field, request, model_admin):
        choices = field.related_model._default_manager.complex_filter(field.get_limit_choices_to())
        if ordering := self.field_admin_ordering(field, request, model_admin):
            choices = choices.order_by(*ordering)
        return [(choice.pk, str(choice)) for choice in search.without_documents(choices)]


class SafeChangeListAdmin:
    """Mixed into every registered admin, the libraries' included (see admin.py)."""

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses a NUL in a query: the search box and the autocomplete
        # pickers would answer a typed (or sent) "%00" with a 500.
        search_term = search_term.replace("\x00", "")
        if hasattr(queryset, "search"):
            # Records with a search document (agreements, milestones, agencies): the
            # portal's search, every word in any language, no duplicates; the
            # documents themselves are never loaded (the pickers use this too).
            return search.without_documents(queryset.search(search_term)), False
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return search.without_documents(queryset), duplicates

    def get_changelist(self, request, **kwargs):
        return SafeChangeList


class PlainRecordAdmin(SafeChangeListAdmin, SafeAutocompleteFields, admin.ModelAdmin):
    """The admin of a record type without an audit history."""

    # The portal's paginator: totals cached until the next edit, far pages read backwards.
    paginator = BothEndsPaginator


class RecordAdmin(
    SafeChangeListAdmin, SafeAutocompleteFields, VersionedFieldsets, SimpleHistoryAdmin
):
    """The admin of a record type with an audit history."""

    form = VersionedForm
    paginator = BothEndsPaginator

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if getattr(request, "history_view_only", False):
            opts = self.model._meta
            fields += [f.name for f in [*opts.fields, *opts.many_to_many] if f.editable]
        return fields

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # What happened to rows of an inline (often folded away) is said at the top too,
        # where "Please correct the errors below" points the editor.
        form = context["adminform"].form
        for inline in context.get("inline_admin_formsets", []):
            formset = inline.formset
            if formset.is_bound and getattr(formset, "deleted_elsewhere", None):
                for message in formset.non_form_errors():
                    form.add_error(None, message)
            for row in formset.forms if formset.is_bound else []:
                if getattr(row, "stale_message", None):
                    form.add_error(None, row.stale_message)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        self.check_keys(object_id)
        return super().history_view(request, object_id, extra_context)

    def check_keys(self, object_id, version_id=None) -> None:
        """django-simple-history fails with a 500 on `…/abc/history/`: a 404 instead."""
        if not could_be_key(self.model._meta.pk, unquote(object_id)):
            raise Http404
        if version_id is not None and not could_be_key(history_of(self.model)._meta.pk, version_id):
            raise Http404

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.check_keys(object_id, version_id)
        # django-simple-history saves this form when its user may merely *view* history:
        # a revert is a change, so it takes the change permission on the record.
        obj = self.get_object(request, unquote(object_id))
        may_revert = obj is not None and self.has_change_permission(request, obj)
        if request.method != "POST":
            # Shown to those who may only look as text, not as inputs they cannot save.
            request.history_view_only = not may_revert
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not may_revert:
            raise PermissionDenied
        with transaction.atomic():  # the version check locks the record until saved
            return super().history_form_view(request, object_id, version_id, extra_context)


class RecordInline(SafeAutocompleteFields, VersionedFieldsets):
    """Mixed into inlines of records with an audit history."""

    form = VersionedForm
    formset = VersionedInlineFormSet


def guard_library_admins(site) -> None:
    """Give the admins that libraries register (users, groups, log-in attempts) the
    same changelist guard as ours."""
    for model, model_admin in list(site._registry.items()):
        if not isinstance(model_admin, SafeChangeListAdmin):
            guarded = type(type(model_admin).__name__, (SafeChangeListAdmin, type(model_admin)), {})
            site.unregister(model)
            site.register(model, guarded)
