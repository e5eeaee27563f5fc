"""Mounted at the site root (config/urls.py): the public page sits under its PB process."""

from django.urls import path

from implementation import views

app_name = "implementation"

urlpatterns = [
    path(
        "budgeting/<int:pk>/implementation/",
        views.process_implementation,
        name="process-implementation",
    ),
    path(
        "budgeting/<int:pk>/implementation.csv",
        views.process_implementation_csv,
        name="process-csv",
    ),
    path("implementation/photos/<int:pk>/", views.photo, name="photo"),
    path("implementation/", views.workspace_list, name="workspace"),
    path("implementation/<int:pk>/", views.manage, name="manage"),
    path("implementation/<int:pk>/status/<slug:name>/", views.transition, name="transition"),
    path("implementation/<int:pk>/cancel/", views.cancel, name="cancel"),
    path(
        "implementation/<int:pk>/milestones/<int:milestone_pk>/done/",
        views.milestone_done,
        name="milestone-done",
    ),
    path(
        "implementation/<int:pk>/milestones/<int:milestone_pk>/photo/",
        views.photo_add,
        name="photo-add",
    ),
    path("implementation/open/project/<int:project_pk>/", views.open_project, name="open-project"),
    path("implementation/open/accord/<int:accord_pk>/", views.open_accord, name="open-accord"),
    path(
        "implementation/subscriptions/<int:project_pk>/cancel/",
        views.subscription_cancel,
        name="subscription-cancel",
    ),
]
