from django.urls import path

from citizens import views

app_name = "citizens"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("verify/", views.residency_verify_view, name="residency-verify"),
    path("delete/", views.account_delete_view, name="account-delete"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("language/", views.language_set, name="language-set"),
    path("groups/", views.group_list, name="group-list"),
    path("groups/new/", views.group_create_view, name="group-create"),
    path("groups/<int:pk>/", views.group_detail, name="group-detail"),
    path("groups/<int:pk>/leave/", views.group_leave_view, name="group-leave"),
    path("invitations/<str:token>/", views.invitation_detail, name="invitation-detail"),
]
