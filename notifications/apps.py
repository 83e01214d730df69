from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Reminders and calendars")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from notifications.models import note_language

        def on_login(sender, request, user, **kwargs):
            note_language(user, getattr(request, "LANGUAGE_CODE", ""))

        user_logged_in.connect(on_login, dispatch_uid="notifications-language-at-login", weak=False)
