"""Django admin: read-only lists for administrators. Sessions are planned and run in the
facilitator console (/budgeting/live/sessions/), which goes through the services and the
audit trail; hashes and nonces are never shown."""

from django.contrib import admin

from budgeting.live.models import BallotToken, Tablet, VotingSession
from core.admin import ReadOnlyAdminMixin


class TabletInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Tablet
    fields = ["label", "state", "paired_at", "last_seen", "revoked_at"]
    readonly_fields = fields
    extra = 0


@admin.register(VotingSession)
class VotingSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["place_name", "process", "starts_at", "ends_at", "state", "reconciled_at"]
    list_filter = ["state", "process"]
    search_fields = ["place_name", "address", "district"]
    list_select_related = ["process"]
    fields = [
        "process",
        "place_name",
        "address",
        "district",
        "starts_at",
        "ends_at",
        "facilitators",
        "state",
        "opened_at",
        "closed_at",
        "reconciled_at",
        "reconciled_by",
        "reconciliation",
        "reconciliation_note",
        "created_at",
        "created_by",
    ]
    inlines = [TabletInline]


@admin.register(Tablet)
class TabletAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["label", "session", "state", "last_seen", "revoked_at"]
    list_filter = ["state"]
    list_select_related = ["session"]
    fields = ["session", "label", "state", "connections", "paired_at", "last_seen", "revoked_at"]


@admin.register(BallotToken)
class BallotTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "session", "state", "void_reason", "tablet", "created_at", "expires_at"]
    list_filter = ["state", "void_reason"]
    list_select_related = ["session", "tablet"]
    fields = [
        "session",
        "district",
        "tablet",
        "replaces",
        "state",
        "void_reason",
        "issued_by",
        "created_at",
        "expires_at",
        "finished_at",
    ]
