"""Django admin: the accords configuration, and read-only views of the records.

Accords change only through their services (see accords.services), so every change is
checked, audited and notified; the admin does not edit them.
"""

from django.contrib import admin

from accords.models import (
    Accord,
    AccordConfig,
    AccordParty,
    AccordVersion,
    ActivityReport,
    Dispute,
    Signature,
)
from core.admin import ReadOnlyAdminMixin


@admin.register(AccordConfig)
class AccordConfigAdmin(admin.ModelAdmin):
    list_display = ["__str__", "settlement_days", "expiry_notice_days", "updated_at"]

    def has_add_permission(self, request):
        return not AccordConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccordParty
    fields = ["side", "kind", "department", "group", "user"]
    readonly_fields = fields
    extra = 0


class VersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccordVersion
    fields = ["number", "kind", "status", "created_side", "created_at", "fingerprint"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(Accord)
class AccordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "state",
        "district",
        "department",
        "start_date",
        "end_date",
    ]
    list_filter = ["state", "district", "kind", "department"]
    search_fields = ["reference", "title", "place_name", "civic_label"]
    list_select_related = ["department"]
    inlines = [PartyInline, VersionInline]


@admin.register(AccordVersion)
class AccordVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "created_at", "fingerprint"]
    list_filter = ["status", "kind"]
    list_select_related = ["accord"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["version", "party", "signer_name", "signed_at", "method"]
    list_select_related = ["version__accord", "party__department", "party__group", "party__user"]


@admin.register(ActivityReport)
class ActivityReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["accord", "period_start", "period_end", "state", "submitted_at"]
    list_filter = ["state"]
    list_select_related = ["accord"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["accord", "state", "opened_at", "settlement_due", "outcome"]
    list_filter = ["state", "outcome"]
    list_select_related = ["accord"]
