"""Django admin: a back-office view of processes; voting data is read-only here.

Officers configure processes in the officers' workspace (/budgeting/<id>/manage/); the admin
adds the Pabulib upload and read-only lists for administrators.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgeting import imports, permissions, services
from budgeting.forms import PabulibUploadForm
from budgeting.models import Ballot, DistrictBudget, Participation, Process, Project, Result
from budgeting.pabulib_io import PabulibImportError, process_import
from core import errors
from core.admin import ReadOnlyAdminMixin


class DistrictBudgetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DistrictBudget
    extra = 0
    readonly_fields = ["district", "budget"]


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "budget", "currency", "voting_closes_at", "created_at"]
    list_filter = ["state", "ballot_rule", "result_rule"]
    search_fields = ["title"]
    readonly_fields = ["state", "lots_drawn_at", "created_at", "created_by"]
    inlines = [DistrictBudgetInline]
    change_list_template = "admin/budgeting/process/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="budgeting_process_import"),
            path(
                "import/<str:job>/",
                view(self.import_status_view),
                name="budgeting_process_import_status",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def import_view(self, request):
        if not permissions.can(request.user, permissions.Action.MANAGE, None):
            raise PermissionDenied(_("Only city officers can import processes."))
        form = PabulibUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data, title = upload.read(), form.cleaned_data["title"]
            if len(data) > imports.INLINE_LIMIT:
                result = imports.import_start(data=data, title=title, actor=request.user)
                if not result.is_finished:
                    return redirect("admin:budgeting_process_import_status", job=result.id)
                # A backend that ran it at once (tests): show the outcome now.
                status = imports.status_of(result)
                context = self._context(request, status=status, title=_("Importing a Pabulib file"))
                return render(request, "admin/budgeting/process/import_status.html", context)
            try:
                report = process_import(data=data, title=title, actor=request.user)
            except PabulibImportError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("Imported %(projects)s and %(ballots)s.")
                    % {
                        "projects": ngettext("%(n)s project", "%(n)s projects", report.projects)
                        % {"n": report.projects},
                        "ballots": ngettext("%(n)s ballot", "%(n)s ballots", report.ballots)
                        % {"n": report.ballots},
                    },
                )
                for note in report.notes:
                    messages.info(request, note)
                return redirect("budgeting:process-manage", pk=report.process.pk)
        context = self._context(request, form=form, title=_("Import a Pabulib file"))
        return render(request, "admin/budgeting/process/import.html", context)

    def import_status_view(self, request, job):
        if not permissions.can(request.user, permissions.Action.MANAGE, None):
            raise PermissionDenied(_("Only city officers can import processes."))
        status = imports.status_get(job)
        if status is None:
            raise Http404
        context = self._context(request, status=status, title=_("Importing a Pabulib file"))
        return render(request, "admin/budgeting/process/import_status.html", context)

    def save_model(self, request, obj, form, change):
        try:
            services.process_save(actor=request.user, process=obj)
        except ValidationError as exc:
            self.message_user(request, errors.message(exc), level="error")
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
class BallotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "process", "channel", "district", "state", "created_at"]
    list_filter = ["channel", "state", "process"]
    list_select_related = ["process"]
    fields = ["process", "channel", "district", "session", "state", "created_at"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "process", "channel", "district", "birth_year", "created_at"]
    list_filter = ["channel", "process"]
    list_select_related = ["process"]
    fields = ["process", "channel", "district", "birth_year", "session", "created_at"]


@admin.register(Result)
class ResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
