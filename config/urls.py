from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Accords"
admin.site.site_title = "Accords admin"
admin.site.index_title = "Agreements, agencies and milestones"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]
