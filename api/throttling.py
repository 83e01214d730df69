"""Calls per key and per anonymous address (rates in settings.REST_FRAMEWORK), counted
in the shared cache so every server process counts the same calls. Past the rate:
429 with Retry-After."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class CurrentRates:
    def get_rate(self):
        # DRF reads the rates once, at import; these follow the settings as they are now.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonymousThrottle(CurrentRates, AnonRateThrottle):
    scope = "anonymous"


class KeyThrottle(CurrentRates, SimpleRateThrottle):
    """Per API key (a person's keys are counted apart), or per signed-in user."""

    scope = "key"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # AnonymousThrottle's
        token = getattr(request, "api_token", None)
        ident = f"key-{token.pk}" if token else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
