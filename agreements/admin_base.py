"""What every record type's admin shares: reverting needs the right to change, and a
form opened before a colleague's save cannot silently undo it.

A form carries the version of the record it was opened on: the id of the record's
latest audit-history entry. Saving checks it against the record's version now,
with the record's row locked, so of two editors who saved the same version only
the first succeeds; the second is told who changed what since, keeps everything
typed, and may save again knowingly.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

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
    """'Title, Summary: changed by marta on 2026-11-25 20:40 UTC; …', newest first."""
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
            model._default_manager.select_for_update().filter(pk=self.instance.pk).exists()
        now = current_versions(model, [self.instance.pk])[self.instance.pk]
        since = int(opened_on) if opened_on.isdigit() else 0
        if not changed_between(model, since, now):
            return
        self.add_error(
            None,
            _(
                "Someone else saved this %(record)s after you opened it: %(changes)s. "
                "Nothing was saved. Your changes are kept below; compare them with the "
                "current record (open it in a new tab) and save again to keep yours."
            )
            % {
                "record": model._meta.verbose_name,
                "changes": changes_since(model, self.instance.pk, since),
            },
        )
        # Saving again is a decision made knowing the newer version: let it through.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(now)


class VersionedInlineFormSet(BaseInlineFormSet):
    """Inline rows with versions, read in one query, and a clear word when a colleague
    deleted a row this editor still has on screen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deleted_elsewhere = []
        if self.is_bound:
            self.data = self.without_rows_deleted_elsewhere(self.data)

    def without_rows_deleted_elsewhere(self, data):
        """The posted rows less those whose record no longer exists, renumbered.

        Django would otherwise fail them with an error on a hidden field (so the
        editor sees "Please correct the error below" and no error), and render
        the remaining rows against the wrong records.
        """
        try:
            initial = int(data.get(f"{self.prefix}-INITIAL_FORMS", 0))
            total = int(data.get(f"{self.prefix}-TOTAL_FORMS", 0))
        except ValueError:
            return data  # the management form's own validation reports it
        total = min(total, self.absolute_max)
        pk_name = self.model._meta.pk.name
        posted = {i: data.get(f"{self.prefix}-{i}-{pk_name}") for i in range(min(initial, total))}
        if not any(posted.values()):
            return data
        existing = {str(row.pk) for row in self.get_queryset()}
        gone = {i for i, pk in posted.items() if pk and pk not in existing}
        if not gone:
            return data
        self.deleted_elsewhere = [
            posted[i] for i in sorted(gone) if not data.get(f"{self.prefix}-{i}-DELETE")
        ]
        renumbered = data.copy()
        for key in data:  # every row's fields go; the kept rows come back renumbered
            index, dash, _field = key.removeprefix(f"{self.prefix}-").partition("-")
            if key.startswith(f"{self.prefix}-") and dash and index.isdigit():
                del renumbered[key]
        new_index = 0
        for i in range(total):
            if i in gone:
                continue
            row = f"{self.prefix}-{i}-"
            for key in data:
                if key.startswith(row):
                    renumbered.setlist(
                        f"{self.prefix}-{new_index}-{key[len(row):]}", data.getlist(key)
                    )
            new_index += 1
        renumbered[f"{self.prefix}-TOTAL_FORMS"] = str(total - len(gone))
        renumbered[f"{self.prefix}-INITIAL_FORMS"] = str(initial - len(gone))
        return renumbered

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

    @property
    def versions(self) -> dict:
        if not hasattr(self, "_versions"):
            self._versions = current_versions(self.model, [o.pk for o in self.get_queryset()])
        return self._versions

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.only_if_changed = True
        return form

    def full_clean(self):
        super().full_clean()
        for pk in self.deleted_elsewhere:
            self._non_form_errors.append(self.deleted_message(pk))

    def deleted_message(self, pk) -> str:
        deletion = None
        if history_of(self.model):
            deletion = (
                history_of(self.model)
                .objects.filter(**{self.model._meta.pk.attname: pk}, history_type="-")
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


class RecordAdmin(VersionedFieldsets, SimpleHistoryAdmin):
    """The admin of a record type with an audit history."""

    form = VersionedForm

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves this form when its user may merely *view* history:
        # a revert is a change, so it takes the change permission on the record.
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        with transaction.atomic():  # the version check locks the record until saved
            return super().history_form_view(request, object_id, version_id, extra_context)


class RecordInline(VersionedFieldsets):
    """Mixed into inlines of records with an audit history."""

    form = VersionedForm
    formset = VersionedInlineFormSet

