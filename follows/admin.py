from django.contrib import admin

from follows.models import Digest, Follow, NotificationPreference


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "content_type", "object_id", "auto", "created_at"]
    list_filter = ["content_type", "auto"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "frequency"]
    list_filter = ["kind", "frequency"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "period", "created_at"]
    list_filter = ["frequency"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
