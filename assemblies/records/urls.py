from django.urls import path

from assemblies.records import views

app_name = "assembly_records"

urlpatterns = [
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/minutes/edit/", views.minutes_edit, name="minutes-edit"),
    path("meetings/<int:pk>/minutes/publish/", views.minutes_publish, name="minutes-publish"),
    path(
        "meetings/<int:pk>/minutes/v<int:number>/",
        views.minutes_version,
        name="minutes-version",
    ),
    path("meetings/<int:pk>/decisions/new/", views.decision_form, name="decision-new"),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/edit/",
        views.decision_form,
        name="decision-edit",
    ),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/delete/",
        views.decision_delete,
        name="decision-delete",
    ),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion-detail"),
    path("opinions/<int:pk>/edit/", views.opinion_edit, name="opinion-edit"),
    path("opinions/<int:pk>/withdraw/", views.opinion_withdraw, name="opinion-withdraw"),
    path("<slug:slug>/", views.assembly_records, name="assembly-records"),
    path("<slug:slug>/decisions.csv", views.decisions_csv, name="decisions-csv"),
    path("<slug:slug>/opinions/new/", views.opinion_new, name="opinion-new"),
]
