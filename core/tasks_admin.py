"""The background tasks in the Django admin (Tasks › Task results): what each task is doing,
how many tries it took, the last error, and a way to try a failed one again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class OutcomeFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("failed after every try")),
            ("retrying", _("failed, will be tried again")),
            ("waiting", _("waiting or running")),
            ("done", _("done")),
        ]

    def queryset(self, request, queryset):
        ready = queryset.filter(status=TaskResultStatus.READY)
        return {
            "failed": queryset.filter(status=TaskResultStatus.FAILED),
            "retrying": ready.exclude(traceback=""),
            "waiting": ready.filter(traceback="")
            | queryset.filter(status=TaskResultStatus.RUNNING),
            "done": queryset.filter(status=TaskResultStatus.SUCCESSFUL),
        }.get(self.value(), queryset)


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = [
        "task_name",
        "outcome",
        "attempts",
        "last_error",
        "enqueued_at",
        "finished_at",
        "display_run_after",
        "queue_name",
    ]
    list_filter = [OutcomeFilter, "status", "queue_name"]
    actions = ["try_again"]

    @admin.display(description=_("outcome"))
    def outcome(self, obj: DBTaskResult) -> str:
        if obj.status == TaskResultStatus.READY and obj.traceback:
            return str(_("failed, will be tried again"))
        if obj.status == TaskResultStatus.FAILED:
            return str(_("failed after every try"))
        return str(TaskResultStatus(obj.status).label)

    @admin.display(description=_("tries"))
    def attempts(self, obj: DBTaskResult) -> int:
        return len(obj.worker_ids)

    @admin.display(description=_("last error"))
    def last_error(self, obj: DBTaskResult) -> str:
        lines = [line for line in obj.traceback.strip().splitlines() if line.strip()]
        return lines[-1][:160] if lines else ""

    @admin.action(description=_("Try the selected failed tasks again now"), permissions=["view"])
    def try_again(self, request, queryset):
        # One more try each: the worker marks it failed again if it still fails.
        count = queryset.filter(status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=_date_max(), finished_at=None
        )
        self.message_user(
            request,
            ngettext("%(count)d task queued again.", "%(count)d tasks queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


def _date_max():
    from django_tasks_db.models import get_date_max

    return get_date_max()


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
