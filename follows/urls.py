from django.urls import path

from follows import views

app_name = "follows"

urlpatterns = [
    path("me/activity/", views.activity, name="activity"),
    path("me/follows/", views.follow_list, name="list"),
    path("me/notifications/preferences/", views.preferences, name="preferences"),
    path("follow/<str:model_label>/<int:pk>/", views.follow_toggle, name="toggle"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
