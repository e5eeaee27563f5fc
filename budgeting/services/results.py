"""Computing and publishing results (both audited)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting import permissions, results
from budgeting.models import Process, Project, Result
from budgeting.signals import process_state_changed
from citizens.models import User
from core.notify import notify


def result_compute(*, actor: User, process: Process) -> list[Result]:
    """Count the ballots with the process's rule; the outcome stays private until published."""
    if not permissions.can(actor, permissions.Action.COMPUTE, process):
        raise PermissionDenied(_("Officers compute results once voting has closed."))
    with transaction.atomic():
        Process.objects.select_for_update().get(pk=process.pk)
        stored = results.results_store(process=process, actor=actor)
        audit_log(
            actor=actor,
            action="budgeting.results.compute",
            obj=process,
            after={
                "options": results.options_of(process),
                "results": [
                    {"district": r.district, "spent": r.spent, "ballots": r.ballots_counted}
                    for r in stored
                ],
            },
        )
    return stored


def result_publish(*, actor: User, process: Process) -> list[Result]:
    """Publish the computed results and move the process to its results phase."""
    if not permissions.can(actor, permissions.Action.PUBLISH, process):
        raise PermissionDenied(_("Officers publish results once voting has closed."))
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        if locked.state != Process.State.COUNTING:
            raise ValidationError(_("Results are already published."), code="illegal")
        pending = list(locked.results.filter(published_at__isnull=True))
        if not pending:
            raise ValidationError(_("Compute the results before publishing them."), code="none")
        last_change = locked.ballots.aggregate(
            created=Max("created_at"), changed=Max("state_changed_at")
        )
        latest = max(filter(None, last_change.values()), default=None)
        if latest and any(r.computed_at < latest for r in pending):
            raise ValidationError(
                _("Ballots changed after the results were computed: compute them again."),
                code="stale",
            )
        now = timezone.now()
        Result.objects.filter(pk__in=[r.pk for r in pending]).update(
            published_at=now, published_by=actor
        )
        locked.state = Process.State.RESULTS
        fields = ["state"]
        # Published before the date announced: the phase shows when they really came out.
        if locked.results_planned_at is None or locked.results_planned_at > now:
            locked.results_planned_at = now
            fields.append("results_planned_at")
        locked.save(update_fields=fields)
        audit_log(
            actor=actor,
            action="budgeting.results.publish",
            obj=locked,
            before={"state": Process.State.COUNTING},
            after={
                "state": Process.State.RESULTS,
                "selected": sorted(
                    line.project.public_id
                    for r in pending
                    for line in r.lines.filter(selected=True).select_related("project")
                ),
            },
        )
        _notify_proposers(locked)
        transaction.on_commit(
            lambda: process_state_changed.send(
                sender=Process,
                process=locked,
                old_state=Process.State.COUNTING,
                new_state=Process.State.RESULTS,
            )
        )
    process.state = Process.State.RESULTS
    return pending


def _notify_proposers(process: Process) -> None:
    url = f"/budgeting/{process.pk}/results/"
    projects = (
        Project.objects.filter(process=process, proposer__isnull=False)
        .select_related("proposer")
        .prefetch_related("result_lines")
    )
    for project in projects:
        line = next((ln for ln in project.result_lines.all()), None)
        if line is None:
            continue
        title, won = project.title, line.selected
        notify(
            users=[project.proposer],
            verb="budgeting.results",
            message=(
                (lambda t=title: _("Your project “%(title)s” was selected!") % {"title": t})
                if won
                else (
                    lambda t=title: (
                        _("Your project “%(title)s” was not selected this time.") % {"title": t}
                    )
                )
            ),
            url=url,
        )
