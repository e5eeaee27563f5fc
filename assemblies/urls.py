from django.urls import path

from assemblies import views

app_name = "assemblies"

urlpatterns = [
    path("", views.assembly_list, name="assembly-list"),
    path("new/", views.assembly_create, name="assembly-create"),
    path("chamber/", views.chamber, name="chamber"),
    path("chamber/adhere/", views.adhere, name="adhere"),
    path(
        "chamber/adherences/<int:pk>/withdraw/", views.adherence_withdraw, name="adherence-withdraw"
    ),
    path("mine/", views.my_meetings, name="my-meetings"),
    path("calendar/<str:token>.ics", views.my_ics, name="my-ics"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings.csv", views.meeting_csv, name="meeting-csv"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/open/", views.meeting_open, name="meeting-open"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting-register"),
    path("meetings/<int:pk>/door/", views.meeting_door, name="meeting-door"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="meeting-ics"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration-cancel"),
    path(
        "registrations/<int:pk>/check-in/",
        views.registration_check_in,
        name="registration-check-in",
    ),
    path("registrations/<int:pk>/online/", views.attend_online, name="attend-online"),
    path("members/<int:pk>/accept/", views.membership_accept, name="membership-accept"),
    path("members/<int:pk>/refuse/", views.membership_refuse, name="membership-refuse"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("members/<int:pk>/role/", views.membership_role, name="membership-role"),
    path("<slug:slug>/", views.assembly_detail, name="assembly-detail"),
    path("<slug:slug>/edit/", views.assembly_edit, name="assembly-edit"),
    path("<slug:slug>/charter/", views.charter, name="charter"),
    path("<slug:slug>/charter/edit/", views.charter_edit, name="charter-edit"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/request/", views.request_membership, name="request"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/documents/new/", views.document_upload, name="document-upload"),
    path("<slug:slug>/documents/<int:pk>/", views.document, name="document"),
    path("<slug:slug>/documents/<int:pk>/delete/", views.document_delete, name="document-delete"),
    path("<slug:slug>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("<slug:slug>/calendar.ics", views.assembly_ics, name="assembly-ics"),
]
