import hashlib

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from rest_framework import viewsets

from agreements import search
from agreements.models import Agreement, CooperationArea, Milestone, Party, can_see_internal
from documents.models import Document
from notifications.views import StaffOnly
from partners.models import Agency

from . import serializers
from .filters import ApiAgreementFilter, ApiMilestoneFilter
from .models import ApiToken
from .open_data import FILES, INDEX, SCHEMA, open_data_dir, published_index
from .pagination import AgreementCursor, Cursor, SlugCursor


class Conditional:
    """ETag (a hash of the body) and, for records that know when they changed,
    Last-Modified: a client that has the answer already gets 304 Not Modified."""

    modified_field = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie", "Accept-Language"])
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
        response["ETag"] = etag
        patch_cache_control(response, max_age=0, must_revalidate=True)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        modified = getattr(self, "_last_modified", None)
        if modified:
            response["Last-Modified"] = modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return get_conditional_response(
            request,
            etag=etag,
            last_modified=int(modified.timestamp()) if modified else None,
            response=response,
        )

    def note_modified(self, records):
        if self.modified_field:
            moments = [getattr(record, self.modified_field) for record in records]
            self._last_modified = max(moments, default=None)
        return records

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self.note_modified(page) if page is not None else page

    def get_object(self):
        record = super().get_object()
        self.note_modified([record])
        return record


def whole_agreement(user) -> list:
    """What one agreement's full record adds to its list entry (the API's detail and the
    open-data file): milestones, document links, and the files `user` may download."""
    milestones = Milestone.objects.with_overdue().select_related(
        "area", "responsible_agency", "agreement"
    )
    return [
        Prefetch("milestones", queryset=search.without_documents(milestones).by_due_date()),
        "documents",
        Prefetch("files", queryset=Document.objects.visible_to(user).with_file()),
    ]


def agreements_with_parties(user):
    parties = Party.objects.select_related("agency", "signatory__agency").order_by("pk")
    return Agreement.objects.visible_to(user).prefetch_related(
        Prefetch("parties", queryset=search.without_documents(parties)), "areas"
    )


class AgreementViewSet(Conditional, viewsets.ReadOnlyModelViewSet):
    """Agreements the caller may see: public ones for anyone, internal ones too for
    staff with permission. A list gives each agreement with its parties and areas;
    one agreement adds its milestones, document links and downloadable files."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    filterset_class = ApiAgreementFilter
    pagination_class = AgreementCursor
    modified_field = "updated_at"

    def get_queryset(self):
        user = self.request.user
        agreements = agreements_with_parties(user)
        if self.action == "retrieve":
            agreements = agreements.prefetch_related(*whole_agreement(user))
        return search.without_documents(agreements)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.AgreementSerializer
        return serializers.AgreementListSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": can_see_internal(self.request.user)}


class MilestoneViewSet(Conditional, viewsets.ReadOnlyModelViewSet):
    """Milestones of the agreements the caller may see, in id order, a cursor page at a time."""

    serializer_class = serializers.MilestoneSerializer
    filterset_class = ApiMilestoneFilter
    pagination_class = Cursor
    modified_field = "last_reviewed"

    def get_queryset(self):
        return search.without_documents(
            Milestone.objects.for_report(user=self.request.user).select_related(
                "agreement", "area", "responsible_agency"
            )
        )


class AgencyViewSet(Conditional, viewsets.ReadOnlyModelViewSet):
    """Agencies: a public directory (no trace of the internal agreements they are party to)."""

    serializer_class = serializers.AgencySerializer
    lookup_field = "slug"
    pagination_class = SlugCursor
    queryset = search.without_documents(Agency.objects.select_related("parent"))


class AreaViewSet(Conditional, viewsets.ReadOnlyModelViewSet):
    """Cooperation areas."""

    serializer_class = serializers.AreaSerializer
    lookup_field = "slug"
    pagination_class = SlugCursor
    queryset = CooperationArea.objects.all()


# --- A person's API keys (HTML pages) ---------------------------------------------------


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]


class ApiKeysView(StaffOnly, FormView):
    """Make, see and revoke one's own API keys; a new key is shown once."""

    template_name = "api/keys.html"
    form_class = ApiKeyForm
    extra_context = {"nav": "mine"}

    def form_valid(self, form):
        token, key = ApiToken.issue(self.request.user, form.cleaned_data["name"])
        # Shown on the next page only: a reload or the back button cannot show it again.
        self.request.session["new_api_key"] = {"id": token.pk, "key": key}
        return redirect("api_keys")

    def get_context_data(self, **kwargs):
        new = self.request.session.pop("new_api_key", None)
        return super().get_context_data(
            tokens=ApiToken.objects.filter(user=self.request.user),
            new_key=new,
            **kwargs,
        )


class RevokeApiKeyView(StaffOnly, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        token.revoke()
        messages.success(
            request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": token.name}
        )
        return redirect("api_keys")


# --- Open data -------------------------------------------------------------------------

OPEN_DATA_TYPES = {".jsonl": "application/x-ndjson", ".json": "application/json"}


class OpenDataView(TemplateView):
    """What the open-data files hold, when they were made, and where to get them."""

    template_name = "api/open_data.html"

    def get_context_data(self, **kwargs):
        index = published_index()
        files = []
        if index:
            for name, facts in index["files"].items():
                files.append({"name": name, **facts})
        return super().get_context_data(index=index, files=files, **kwargs)


def open_data_file(request, name):
    """One of the files export_open_data wrote; nothing else in that folder."""
    if name not in (*FILES, SCHEMA, INDEX):
        raise Http404
    path = open_data_dir() / name
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=name.endswith(".jsonl"),
        filename=name,
        content_type=f"{OPEN_DATA_TYPES[path.suffix]}; charset=utf-8",
    )
    patch_cache_control(response, public=True, max_age=3600)
    response["Access-Control-Allow-Origin"] = "*"  # public data, for any portal's scripts
    return response
