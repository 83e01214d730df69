from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/view/", views.view, name="view"),
    path("<int:pk>/versions/<int:number>/", views.version_download, name="version_download"),
]
