from django.urls import path

from contributions import views

app_name = "contributions"

urlpatterns = [
    # Commons in numbers and the open data
    path("", views.numbers, name="numbers"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.json", views.export_json, name="export-json"),
    path("valueflows.jsonld", views.export_valueflows, name="export-valueflows"),
    path("to-confirm/", views.to_confirm, name="to-confirm"),
    # An accord's log
    path("accords/<int:pk>/", views.accord_log, name="accord-log"),
    path("accords/<int:pk>/valueflows.jsonld", views.accord_valueflows, name="accord-valueflows"),
    path("accords/<int:pk>/log/hours/", views.log_hours, name="log-hours"),
    path("accords/<int:pk>/log/goods/", views.log_goods, name="log-goods"),
    path("accords/<int:pk>/log/support/", views.log_support, name="log-support"),
    path("accords/<int:pk>/entries/<int:entry_pk>/", views.entry_detail, name="entry-detail"),
    path(
        "accords/<int:pk>/entries/<int:entry_pk>/confirm/",
        views.entry_confirm,
        name="entry-confirm",
    ),
    path(
        "accords/<int:pk>/entries/<int:entry_pk>/reject/", views.entry_reject, name="entry-reject"
    ),
    path(
        "accords/<int:pk>/entries/<int:entry_pk>/correct/",
        views.entry_reverse,
        name="entry-reverse",
    ),
    # Volunteer shifts
    path("accords/<int:pk>/shifts/", views.accord_shifts, name="accord-shifts"),
    path("accords/<int:pk>/activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:activity_pk>/shifts/new/", views.shift_create, name="shift-create"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift-detail"),
    path("shifts/<int:pk>/calendar.ics", views.shift_ics, name="shift-ics"),
    path("shifts/<int:pk>/check-in/", views.shift_check_in, name="shift-check-in"),
    path("signups/<int:pk>/", views.signup_detail, name="signup-detail"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup-cancel"),
    path("signups/<int:pk>/check-in/", views.signup_check_in, name="signup-check-in"),
    path("signups/<int:pk>/check-out/", views.signup_check_out, name="signup-check-out"),
]
