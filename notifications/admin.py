from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agreements.admin_base import PlainRecordAdmin
from notifications.models import NotificationSettings, Reminder, Watch


@admin.register(Reminder)
class ReminderAdmin(PlainRecordAdmin):
    """What was sent, to whom, when: a record, never edited by hand (deleting one
    lets that reminder go out again)."""

    list_display = ["sent_at", "user", "kind", "about", "threshold", "subject_date", "message_id"]
    list_filter = ["kind", "sent_on"]
    list_select_related = ["user", "milestone__agreement", "agreement"]
    search_fields = ["user__username", "user__email", "message_id"]
    date_hierarchy = None
    show_full_result_count = False

    @admin.display(description=_("record"))
    def about(self, obj):
        if obj.milestone_id:
            return f"{obj.milestone.agreement.reference} · {obj.milestone.text('title')}"
        return str(obj.agreement)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer(
                "milestone__search_title",
                "milestone__search_document",
                "milestone__agreement__search_title",
                "milestone__agreement__search_document",
                "agreement__search_title",
                "agreement__search_document",
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(PlainRecordAdmin):
    list_display = ["user", "frequency", "scope", "language", "last_language", "has_calendar"]
    list_filter = ["frequency", "scope", "language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "frequency", "scope", "language", "last_language"]
    readonly_fields = ["last_language"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # The user is the row's key: changing it would copy the settings to someone else.
        return [*super().get_readonly_fields(request, obj), *(["user"] if obj else [])]

    @admin.display(description=_("private calendar"), boolean=True)
    def has_calendar(self, obj):
        return bool(obj.calendar_token)


@admin.register(Watch)
class WatchAdmin(PlainRecordAdmin):
    list_display = ["user", "agreement", "created_at"]
    list_select_related = ["user", "agreement"]
    search_fields = ["user__username", "agreement__reference"]
    autocomplete_fields = ["agreement"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("agreement__search_title", "agreement__search_document")
        )
