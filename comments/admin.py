from django.contrib import admin

from comments.models import Comment, Report
from core.admin import ReadOnlyAdminMixin


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: comments change through the thread and the moderation queue (audited)."""

    list_display = ("pk", "content_type", "object_id", "author", "state", "created_at")
    list_filter = ("state", "content_type")
    search_fields = ("body",)
    raw_id_fields = ("author", "parent", "hidden_by")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "comment", "reporter", "created_at", "resolved_at")
