from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from agreements.views import HomeView, LogoutView
from api import views as api_views
from notifications import views as notification_views

admin.site.site_header = _("Accords administration")
admin.site.site_title = _("Accords admin")
admin.site.index_title = _("Agreements, agencies and milestones")
# The breadcrumbs and the index lead everywhere; the side menu took a quarter of a
# 1,280 px window and pushed the lists' last columns off screen.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # The language menu posts here: it remembers the choice and returns to the same page.
    path("i18n/setlang/", notification_views.set_language, name="set_language"),
    # Calendar programs subscribe to these: addresses without a language, which
    # would otherwise redirect (the private feed is in its owner's language).
    path("calendar/milestones.ics", notification_views.milestone_feed, name="milestone_feed"),
    # A key has the letters of secrets.token_urlsafe only: anything else is a 404.
    path("calendar/<slug:token>.ics", notification_views.private_feed, name="calendar_feed"),
    # Files, in whatever language the page linking them was: no language in the address.
    path("documents/", include("documents.urls")),
    # The read API: JSON, no language in the address (texts come in every language).
    path("api/v1/", include("api.urls")),
    path("open-data/<str:name>", api_views.open_data_file, name="open_data_file"),
]
# Every page's address carries its language (/es/agreements/…), so a shared link
# opens in the language it was copied in; an address without one is redirected
# to the visitor's language (cookie, then the browser's Accept-Language).
urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    # Log in and out only: accounts are managed by administrators, and passwords
    # are changed in the admin (no password-reset e-mail to configure).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("agencies/", include("partners.urls")),
    path("open-data/", api_views.OpenDataView.as_view(), name="open_data"),
    path("my/api-keys/", api_views.ApiKeysView.as_view(), name="api_keys"),
    path(
        "my/api-keys/<int:pk>/revoke/", api_views.RevokeApiKeyView.as_view(), name="api_key_revoke"
    ),
    path("", include("notifications.urls")),
    path("", include("agreements.urls")),
)
