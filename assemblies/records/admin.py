"""Read-only views of the records: they change only through their services (checked,
audited, notified)."""

from django.contrib import admin

from assemblies.records.models import Decision, MinutesVersion, Opinion
from core.admin import ReadOnlyAdminMixin


@admin.register(MinutesVersion)
class MinutesVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["meeting", "number", "author", "created_at"]
    list_select_related = ["meeting", "author"]
    search_fields = ["meeting__title", "text"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "meeting", "outcome", "motion_id", "created_at"]
    list_filter = ["outcome"]
    list_select_related = ["meeting"]
    search_fields = ["text", "meeting__title"]


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "assembly", "claim", "state", "adopted_at", "motion"]
    list_filter = ["state"]
    list_select_related = ["assembly", "claim", "motion"]
    search_fields = ["text", "claim__title", "assembly__name"]
