from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"
router = SimpleRouter(trailing_slash=True)
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("areas", views.AreaViewSet, basename="area")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The interactive documentation: Swagger UI from our own static files (the
    # sidecar), its start-up script a file of its own, so it runs under our CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
