"""Django admin: the procedure configuration (administrators), the resource registry, and a
read-only view of claims (their state only changes through the services)."""

from django.contrib import admin
from django.shortcuts import redirect

from core.admin import ReadOnlyAdminMixin
from proposals.models import (
    ChecklistItem,
    Claim,
    ProcedureConfig,
    ReviewRequest,
    TrackProcedure,
    UrbanResource,
)
from proposals.rules import PERM_MANAGE_PROCEDURE


class ManageProcedureMixin:
    """The configuration is guarded by one permission, held by the administrator role."""

    def _may_manage(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(PERM_MANAGE_PROCEDURE)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request)


class TrackProcedureInline(ManageProcedureMixin, admin.StackedInline):
    model = TrackProcedure
    extra = 0
    max_num = len(Claim.Track)
    can_delete = False
    fields = [
        "track",
        ("screening_days", "documents_days"),
        ("consultation_days", "review_days"),
        ("decision_days", "executive_days"),
        "max_accord_months",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["track"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChecklistItemInline(ManageProcedureMixin, admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["position", "key", "label", "is_active"]

    def has_add_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request)


@admin.register(ProcedureConfig)
class ProcedureConfigAdmin(ManageProcedureMixin, admin.ModelAdmin):
    """One configuration per installation: no adding a second one, no deleting it."""

    inlines = [TrackProcedureInline, ChecklistItemInline]
    list_display = ["__str__", "screening_department", "updated_at"]
    fields = ["city_name", "screening_department"]

    def has_module_permission(self, request):
        return self._may_manage(request)

    def has_add_permission(self, request):
        return self._may_manage(request) and not ProcedureConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        config = ProcedureConfig.get_solo()
        return redirect("admin:proposals_procedureconfig_change", config.pk)


@admin.register(UrbanResource)
class UrbanResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district", "owner", "address"]
    list_filter = ["kind", "district", "owner"]
    search_fields = ["name", "address", "description"]
    raw_id_fields = ["source_claim", "created_by"]


class ReviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReviewRequest
    extra = 0
    fields = ["department", "state", "due_at", "opinion", "answered_at"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every change goes through the workflow services (audited, notified)."""

    list_display = ["title", "state", "track", "district", "submitted_at", "due_at"]
    list_filter = ["state", "track", "district", "field", "intensity"]
    search_fields = ["title", "summary"]
    list_select_related = ["resource"]
    inlines = [ReviewInline]
    date_hierarchy = "submitted_at"
