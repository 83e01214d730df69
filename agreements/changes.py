"""An agreement's audit trail for the portal, read from django-simple-history's records.

One query per kind of record (the agreement, its parties, its milestones) and
one per kind of related name shown, however many edits there were.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.models import Document, DocumentVersion
from partners.models import Agency, Representative

from .models import Agreement, CooperationArea, Milestone, Party

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# Fields that change on every save or only mirror others: noise in a trail.
QUIET_FIELDS = {
    "updated_at", "created_at", "last_reviewed", "slug", "agreement",
    "created_by", "updated_by",  # the trail names who made each change already
    "search_title", "search_document",  # made from the other fields, not in the history
}  # fmt: skip
RELATED_NAMES = {"agency": Agency, "responsible_agency": Agency, "parent": Agency,
                 "signatory": Representative, "area": CooperationArea,
                 "milestone": Milestone, "current_version": DocumentVersion}  # fmt: skip


@dataclass
class Change:
    when: datetime.datetime
    who: str
    subject: str
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    created: bool = False

    @property
    def field_names(self) -> str:
        """What changed, in one line: "Title, Summary"."""
        return ", ".join(dict.fromkeys(label[:1].upper() + label[1:] for label, *_ in self.fields))


@dataclass
class StatusStep:
    status: str
    when: datetime.datetime
    who: str


def _series(history):
    """Historical rows grouped per object, oldest first."""
    grouped = defaultdict(list)
    for record in history.select_related("history_user").order_by("history_date", "history_id"):
        grouped[record.id].append(record)
    return grouped.values()


def _who(record) -> str:
    return record.history_user.get_username() if record.history_user else str(_("system"))


def language_source(model) -> list[str]:
    """The parent a record's language comes from (a signatory's agency), which naming
    the record in the page's language reads."""
    source = getattr(model, "language_from", None)
    return [source] if source else []


class _Formatter:
    """Shows stored values the way people read them: labels, names, ISO dates."""

    def __init__(self, all_series, area_ids=()):
        wanted = defaultdict(set)
        wanted[CooperationArea].update(area_ids)
        for series in all_series:
            for record in series:
                for name, model in RELATED_NAMES.items():
                    if (value := getattr(record, f"{name}_id", None)) is not None:
                        wanted[model].add(value)
        self.names = {
            model: {
                obj.pk: str(obj)
                for obj in model.objects.select_related(*language_source(model)).filter(pk__in=ids)
            }
            for model, ids in wanted.items()
        }

    def __call__(self, model_field, value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(model_field, models.ForeignKey):
            names = self.names.get(model_field.related_model, {})
            return names.get(value, f"#{value}")
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)


def _normalised(value):
    # Browsers send textarea line breaks as CRLF: a re-save is not a change.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _fields(model, record, previous, formatter):
    rows = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in QUIET_FIELDS or model_field.name == "id":
            continue
        attname = model_field.attname
        new = _normalised(getattr(record, attname))
        old = _normalised(getattr(previous, attname)) if previous else None
        if previous is None and new in (None, "", False):
            continue
        if previous is not None and new == old:
            continue
        rows.append(
            (
                str(model_field.verbose_name),
                formatter(model_field, old),
                formatter(model_field, new),
            )
        )
    return rows


def agreement_changes(
    agreement: Agreement, *, limit: int | None = None, with_documents: bool = False
):
    """The latest changes to an agreement, its parties and its milestones (and its
    uploaded documents, for those who may see them all), newest first, and each
    milestone's status trail (milestone id -> steps, oldest first)."""
    agreements = list(_series(Agreement.history.filter(id=agreement.pk)))
    parties = list(_series(Party.history.filter(agreement_id=agreement.pk)))
    milestones = list(_series(Milestone.history.filter(agreement_id=agreement.pk)))
    files = (
        list(_series(Document.history.filter(agreement_id=agreement.pk)))
        if with_documents
        else []
    )
    # The cooperation areas each recorded version of the agreement had.
    areas_at = defaultdict(set)
    HistoricalAreas = apps.get_model("agreements", "HistoricalAgreement_areas")
    for history_id, area_id in HistoricalAreas.objects.filter(history__id=agreement.pk).values_list(
        "history_id", "cooperationarea_id"
    ):
        areas_at[history_id].add(area_id)
    all_area_ids = set().union(*areas_at.values())
    formatter = _Formatter(agreements + parties + milestones + files, area_ids=all_area_ids)

    def area_change(record, previous):
        old = areas_at.get(previous.history_id, set()) if previous else set()
        new = areas_at.get(record.history_id, set())
        if old == new:
            return []
        names = formatter.names.get(CooperationArea, {})

        def shown(ids):
            return ", ".join(sorted(names.get(i, f"#{i}") for i in ids)) or "—"

        return [(str(_("cooperation areas")), shown(old), shown(new))]

    def subject(model, record):
        if model is Agreement:
            return str(_("Agreement"))
        if model is Party:
            agency = formatter.names[Agency].get(record.agency_id, "")
            return str(_("Party: %(agency)s") % {"agency": agency})
        if model is Document:
            return str(_("Document: %(title)s") % {"title": record.title})
        return str(_("Milestone: %(title)s") % {"title": record.title})

    changes = []
    every_kind = ((Agreement, agreements), (Party, parties), (Milestone, milestones),
                  (Document, files))  # fmt: skip
    for model, all_series in every_kind:
        for series in all_series:
            for previous, record in pairwise([None, *series]):
                if previous is None and record.history_type == "~":
                    continue  # history began after the record existed: no "before" to show
                fields = []
                if record.history_type != "-":
                    fields = _fields(model, record, previous, formatter)
                    if model is Agreement:
                        fields += area_change(record, previous)
                if record.history_type == "~" and not fields:
                    continue  # saved without a change worth showing
                changes.append(
                    Change(
                        when=record.history_date,
                        who=_who(record),
                        subject=subject(model, record),
                        action=str(ACTIONS.get(record.history_type, record.history_type)),
                        fields=fields,
                        created=record.history_type == "+",
                    )
                )
    changes.sort(key=lambda change: change.when, reverse=True)

    labels = dict(Milestone.Status.choices)
    trails = {}
    for series in milestones:
        steps, last = [], None
        for record in series:
            if record.history_type == "-" or record.status == last:
                continue
            last = record.status
            steps.append(
                StatusStep(str(labels.get(record.status, record.status)), record.history_date,
                           _who(record))
            )  # fmt: skip
        trails[series[0].id] = steps
    return changes[:limit], trails
