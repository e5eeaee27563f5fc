"""Django admin: a back-office view of processes; voting data is read-only here.

Officers configure processes in the officers' workspace (/budgeting/<id>/manage/); the admin
adds the Pabulib upload and read-only lists for administrators.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError

from budgeting import services
from budgeting.models import Ballot, DistrictBudget, Participation, Process, Project, Result


class DistrictBudgetInline(admin.TabularInline):
    model = DistrictBudget
    extra = 0
    can_delete = False
    readonly_fields = ["district", "budget"]

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "budget", "currency", "voting_closes_at", "created_at"]
    list_filter = ["state", "ballot_rule", "result_rule"]
    search_fields = ["title"]
    readonly_fields = ["state", "lots_drawn_at", "created_at", "created_by"]
    inlines = [DistrictBudgetInline]

    def save_model(self, request, obj, form, change):
        try:
            services.process_save(actor=request.user, process=obj)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level="error")
            raise


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "process", "district", "cost", "state", "lot_position"]
    list_filter = ["state", "process"]
    search_fields = ["title", "code"]
    list_select_related = ["process"]
    readonly_fields = ["state", "reviewed_by", "reviewed_at", "lot_position", "proposer"]

    def save_model(self, request, obj, form, change):
        services.project_save(actor=request.user, project=obj)


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["id", "process", "channel", "district", "state", "created_at"]
    list_filter = ["channel", "state", "process"]
    list_select_related = ["process"]
    fields = ["process", "channel", "district", "session", "state", "created_at"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["id", "process", "channel", "district", "birth_year", "created_at"]
    list_filter = ["channel", "process"]
    list_select_related = ["process"]
    fields = ["process", "channel", "district", "birth_year", "session", "created_at"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["process", "district", "rule", "spent", "budget", "published_at"]
    list_select_related = ["process"]
    fields = [
        "process",
        "district",
        "rule",
        "options",
        "budget",
        "spent",
        "ballots_counted",
        "computed_at",
        "published_at",
    ]
