from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("my/agreements/", views.MyAgreementsView.as_view(), name="mine"),
    path("my/reminders/", views.NotificationSettingsView.as_view(), name="settings"),
    path("my/reminders/calendar/", views.CalendarKeyView.as_view(), name="calendar_key"),
    path("agreements/<slug:slug>/watch/", views.WatchView.as_view(), name="watch"),
    path("agreements/<slug:slug>/calendar.ics", views.agreement_ics, name="agreement_ics"),
    path("milestones/<int:pk>/calendar.ics", views.milestone_ics, name="milestone_ics"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
