from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core import signing
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View, i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView, UpdateView

from agreements import search
from agreements.filters import MilestoneReportFilter
from agreements.models import Agreement, Milestone, count_per_row
from notifications import calendars
from notifications.emails import absolute, user_from_unsubscribe_token
from notifications.forms import NotificationSettingsForm
from notifications.models import NotificationSettings, Watch, note_language
from notifications.reminders import followed_by


class StaffOnly(LoginRequiredMixin, UserPassesTestMixin):
    """Pages about a person's own follow-up work: staff only (others get a 403)."""

    def test_func(self):
        return self.request.user.is_staff


class MyAgreementsView(StaffOnly, TemplateView):
    """What I am responsible for or watch, with its open and overdue milestones."""

    template_name = "notifications/my_agreements.html"
    extra_context = {"nav": "mine"}

    def get_context_data(self, **kwargs):
        user = self.request.user
        followed_agreements, followed_milestones = followed_by(user)
        today = timezone.localdate()
        open_milestones = Milestone.objects.open()
        agreements = (
            search.without_documents(followed_agreements)
            .annotate(
                watching=Exists(Watch.objects.filter(user=user, agreement=OuterRef("pk"))),
                open_count=count_per_row(open_milestones, field="agreement"),
                overdue_count=count_per_row(
                    Milestone.objects.overdue(today=today), field="agreement"
                ),
                # A subquery, not a join and GROUP BY: that plan cost PostgreSQL
                # enough to compile it (JIT, 60 ms) for 100 rows.
                next_due=Subquery(
                    open_milestones.filter(agreement=OuterRef("pk"), due_date__gte=today)
                    .order_by("due_date")
                    .values("due_date")[:1]
                ),
            )
            .order_by("reference")
        )
        milestones = search.without_documents(
            Milestone.objects.visible_to(user)
            .filter(responsible_officer=user)
            .open()
            .with_overdue(today=today)
            .select_related("agreement")
            .by_due_date()
        )
        return super().get_context_data(
            agreements=agreements,
            my_milestones=milestones,
            followed_milestone_count=followed_milestones.open().count(),
            **kwargs,
        )


class NotificationSettingsView(StaffOnly, UpdateView):
    form_class = NotificationSettingsForm
    template_name = "notifications/settings.html"
    extra_context = {"nav": "mine"}

    def get_object(self, queryset=None):
        return NotificationSettings.objects.get_or_create(user=self.request.user)[0]

    def get_success_url(self):
        return reverse("notifications:settings")

    def form_valid(self, form):
        messages.success(self.request, _("Your reminder settings are saved."))
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        token = self.object.calendar_token
        feed = absolute(reverse("calendar_feed", args=[token])) if token else ""
        return super().get_context_data(calendar_url=feed, **kwargs)


class CalendarKeyView(StaffOnly, View):
    """Issue a new private calendar address, or stop the current one (POST only)."""

    def post(self, request):
        own = NotificationSettings.objects.get_or_create(user=request.user)[0]
        if request.POST.get("action") == "revoke":
            own.revoke_calendar_token()
            messages.success(request, _("Your private calendar address no longer works."))
        else:
            own.issue_calendar_token()
            messages.success(
                request,
                _("Your new private calendar address is ready; any earlier one no longer works."),
            )
        return redirect(reverse("notifications:settings") + "#calendar")


class WatchView(StaffOnly, View):
    """Start or stop watching an agreement the user may see (POST only)."""

    def post(self, request, slug):
        agreement = get_object_or_404(Agreement.objects.visible_to(request.user), slug=slug)
        if request.POST.get("watch") == "0":
            Watch.objects.filter(user=request.user, agreement=agreement).delete()
            messages.success(request, _("You no longer watch this agreement."))
        else:
            # get_or_create and the unique constraint: a double click watches once.
            Watch.objects.get_or_create(user=request.user, agreement=agreement)
            messages.success(
                request, _("You now watch this agreement: its reminders will come to you too.")
            )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = agreement.get_absolute_url()
        return redirect(back)


@method_decorator(csrf_exempt, name="dispatch")  # RFC 8058: mail programs post without a form
class UnsubscribeView(View):
    """Stop reminder e-mails from a link in one, without logging in. Opening the link
    asks for a click (mail scanners open links); a POST, from that page or from the
    mail program's own button, stops them."""

    template_name = "notifications/unsubscribe.html"

    def dispatch(self, request, token):
        try:
            self.person = user_from_unsubscribe_token(token)
        except (signing.BadSignature, ValueError, get_user_model().DoesNotExist):
            # Forged, expired, or for an account since deleted: no one to unsubscribe.
            return render(request, "notifications/unsubscribe_invalid.html", status=404)
        return super().dispatch(request, token)

    def get(self, request, token):
        return render(request, self.template_name, {"person": self.person, "done": False})

    def post(self, request, token):
        NotificationSettings.objects.update_or_create(
            user=self.person, defaults={"frequency": NotificationSettings.Frequency.OFF}
        )
        return render(request, self.template_name, {"person": self.person, "done": True})


def milestone_feed(request):
    """The milestone list's filters as a calendar: what the visitor may see."""
    # In the language asked for, else the request's; for this response only.
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    filters = MilestoneReportFilter(
        request.GET, queryset=Milestone.objects.visible_to(request.user), request=request
    )
    if not filters.is_valid():
        errors = "; ".join(f"{field}: {' '.join(e)}" for field, e in filters.errors.items())
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    milestones = filters.qs
    if not request.GET.get("due_from"):  # a year back by default: a feed is for what comes
        milestones = milestones.filter(due_date__gte=calendars.feed_start())
    with translation.override(language):
        cal = calendars.calendar(
            _("Accords milestones"),
            milestones=calendars.milestones_for_calendar(milestones)[: calendars.FEED_EVENTS],
        )
    response = calendars.ics_response(cal, filename="milestones.ics", download=False)
    if request.user.is_authenticated:  # internal records: for this session only
        patch_cache_control(response, private=True, no_store=True)
    return response


def private_feed(request, token):
    """A staff member's own feed: what they own and watch, internal records included,
    in their language. The secret address is the only credential."""
    owner = (
        NotificationSettings.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True, user__is_staff=True)
        .first()
    )
    if owner is None:
        raise Http404(_("This calendar address is not valid, or has been replaced."))
    agreements, milestones = followed_by(owner.user)
    with translation.override(owner.email_language):
        cal = calendars.calendar(
            _("My Accords agreements"),
            milestones=calendars.milestones_for_calendar(
                milestones.filter(due_date__gte=calendars.feed_start())
            )[: calendars.FEED_EVENTS],
            agreements=calendars.agreements_for_calendar(
                agreements.filter(expires_on__gte=calendars.feed_start())
            )[: calendars.FEED_EVENTS],
        )
    response = calendars.ics_response(cal, filename="accords.ics", download=False)
    patch_cache_control(response, private=True, no_store=True)
    return response


def milestone_ics(request, pk):
    milestones = Milestone.objects.visible_to(request.user).filter(pk=pk)
    milestone = get_object_or_404(calendars.milestones_for_calendar(milestones))
    cal = calendars.calendar(str(milestone), milestones=[milestone])
    return calendars.ics_response(cal, filename=f"milestone-{pk}.ics", download=True)


def agreement_ics(request, slug):
    """The agreement's dated milestones and its expiry, to add to a calendar at once."""
    agreement = get_object_or_404(
        search.without_documents(
            calendars.with_versions(Agreement.objects.visible_to(request.user))
        ),
        slug=slug,
    )
    milestones = calendars.milestones_for_calendar(agreement.milestones.all())
    cal = calendars.calendar(
        str(agreement),
        milestones=milestones,
        agreements=[agreement] if agreement.expires_on else [],
    )
    # The slug, not the reference: a reference is typed freely and may hold anything.
    return calendars.ics_response(cal, filename=f"{agreement.slug}.ics", download=True)


def set_language(request):
    """Django's language switch, noting the choice for the person's e-mails."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        note_language(request.user, request.POST.get("language", ""))
    return response
