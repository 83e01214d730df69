"""django-axes' database handler with a second, higher failure limit per address.

Axes counts failures per username-and-address pair (AXES_LOCKOUT_PARAMETERS) and
locks at AXES_FAILURE_LIMIT. It can also count per address, but only against the
same limit, which would lock a whole office out over one person's typos. Axes 8
has no setting for a second limit, so this adds one: ACCORDS_ADDRESS_FAILURE_LIMIT
failures from one address, whatever the user names, lock that address too
(password spraying). A successful log-in still clears only its own pair's failures.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)  # this user from this address
        from_address = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(total=Sum("failures_since_start"))["total"]
        if (from_address or 0) >= settings.ACCORDS_ADDRESS_FAILURE_LIMIT:
            # Axes locks out at AXES_FAILURE_LIMIT: report at least that many.
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures
