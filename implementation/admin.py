from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from implementation.models import Expense, Implementation, Milestone


class MilestoneInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Milestone
    fields = ["title", "due_date", "done_at"]


class ExpenseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Expense
    fields = ["amount", "spent_on", "note"]


@admin.register(Implementation)
class ImplementationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: implementations change through their services (audited)."""

    list_display = ["__str__", "state", "progress", "department", "spent"]
    list_filter = ["state"]
    inlines = [MilestoneInline, ExpenseInline]
