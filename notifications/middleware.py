from notifications.models import NotificationSettings

SESSION_KEY = "accords_language_noted"


class RememberLanguage:
    """Note the language a staff member uses, for their e-mails and feeds: one write
    when it changes, none on every other page (the session remembers it was noted)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = getattr(request, "LANGUAGE_CODE", "")
        user = request.user
        if (
            language
            and user.is_authenticated
            and user.is_staff
            and request.session.get(SESSION_KEY) != language
        ):
            NotificationSettings.objects.update_or_create(
                user=user, defaults={"last_language": language}
            )
            request.session[SESSION_KEY] = language
        return self.get_response(request)
