from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.AgencyListView.as_view(), name="agency_list"),
    path("<slug:slug>/", views.AgencyDetailView.as_view(), name="agency_detail"),
]
