from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path(
        "agreements/<slug:slug>/milestones.csv",
        views.agreement_milestones_csv,
        name="agreement_milestones_csv",
    ),
    path(
        "agreements/<slug:slug>/milestones.xlsx",
        views.agreement_milestones_csv,
        {"file_format": "xlsx"},
        name="agreement_milestones_xlsx",
    ),
    path("milestones/", views.MilestoneListView.as_view(), name="milestone_list"),
    path("milestones/export.csv", views.MilestoneExportView.as_view(), name="milestone_export"),
    path(
        "milestones/export.xlsx",
        views.MilestoneExportView.as_view(file_format="xlsx"),
        name="milestone_export_xlsx",
    ),
    path("search/", views.SiteSearchView.as_view(), name="search"),
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/<slug:slug>/", views.AreaDetailView.as_view(), name="area_detail"),
]
