from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("comments/on/<str:key>/<str:pk>/", views.comment_post, name="comment-post"),
    path("comments/<int:pk>/", views.comment_link, name="comment-link"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/agree/", views.comment_agree, name="comment-agree"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment-report"),
    path("comments/<int:pk>/hide/", views.comment_hide, name="comment-hide"),
    path("comments/<int:pk>/unhide/", views.comment_unhide, name="comment-unhide"),
    path("office/moderation/", views.moderation_queue, name="moderation-queue"),
    path(
        "office/moderation/reports/<int:pk>/dismiss/",
        views.report_dismiss,
        name="report-dismiss",
    ),
]
