from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from agreements.views import HomeView

admin.site.site_header = _("Accords administration")
admin.site.site_title = _("Accords admin")
admin.site.index_title = _("Agreements, agencies and milestones")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("agencies/", include("partners.urls")),
    path("", include("agreements.urls")),
]
