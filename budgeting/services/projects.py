"""Ideas from residents, projects added by officers, feasibility reviews."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting import permissions
from budgeting.models import Process, Project
from citizens.models import User
from core.fsm import fire
from core.notify import notify

S = Process.State


def _clean_district(process: Process, district: str) -> str:
    district = (district or "").strip()
    envelopes = {e.district for e in process.envelopes.all()}
    if envelopes and district not in envelopes:
        raise ValidationError(
            _("Choose one of the process's districts: %(districts)s.")
            % {"districts": ", ".join(sorted(envelopes))},
            code="district",
        )
    return district


def _check_links(project: Project) -> None:
    from django.contrib.auth.models import AnonymousUser

    from proposals.rules import claim_policy

    if project.claim_id and not claim_policy.can(AnonymousUser(), "list", project.claim):
        raise ValidationError(_("Only a public claim can be linked to a project."), code="claim")


def project_submit(
    *,
    user: User,
    process: Process,
    title: str,
    description: str,
    district: str = "",
    estimated_cost: int | None = None,
    resource=None,
    image=None,
    image_alt: str = "",
) -> Project:
    """A resident proposes an idea during the idea phase."""
    if not permissions.can(user, permissions.Action.SUBMIT_IDEA, process):
        raise PermissionDenied(
            _("Verified residents can submit ideas while idea collection is open.")
        )
    project = Project(
        process=process,
        title=title.strip(),
        description=description,
        district=_clean_district(process, district),
        estimated_cost=estimated_cost,
        resource=resource,
        image_alt=image_alt,
        proposer=user,
    )
    if image:
        project.image = image
    with transaction.atomic():
        project.full_clean()
        project.save()
        audit_log(actor=user, action="budgeting.project.submit", obj=project)
        notify(
            users=[user],
            verb="budgeting.project.submitted",
            message=lambda: (
                _("Your idea “%(title)s” was received. The city will review its feasibility.")
                % {"title": project.title}
            ),
            url=project.get_absolute_url(),
            email=False,
        )
    return project


def project_save(*, actor: User, project: Project) -> Project:
    """An officer adds or edits a project (fields already set, e.g. by a form)."""
    process = project.process
    if not permissions.can(actor, permissions.Action.REVIEW, process):
        raise PermissionDenied(_("Projects can be edited by officers until voting opens."))
    creating = project.pk is None
    project.district = _clean_district(process, project.district)
    _check_links(project)
    if creating and project.cost and project.state == Project.State.SUBMITTED:
        project.state = Project.State.FEASIBLE
        project.reviewed_by, project.reviewed_at = actor, timezone.now()
    with transaction.atomic():
        project.full_clean()
        project.save()
        audit_log(
            actor=actor,
            action="budgeting.project." + ("create" if creating else "update"),
            obj=project,
            after={"cost": project.cost, "district": project.district, "state": project.state},
        )
    return project


def project_review(
    *, actor: User, project: Project, feasible: bool, cost: int | None, reason: str
) -> Project:
    """Decide whether a project is feasible; a feasible one gets its final cost.

    The proposer is told by email, since they wait on this decision.
    """
    if not permissions.can(actor, permissions.Action.REVIEW, project.process):
        raise PermissionDenied(_("Projects can be reviewed by officers until voting opens."))
    reason = (reason or "").strip()
    new_state = Project.State.FEASIBLE if feasible else Project.State.NOT_FEASIBLE
    if feasible and not (cost and cost > 0):
        raise ValidationError(_("A feasible project needs its final cost."), code="cost")
    if not feasible and not reason:
        raise ValidationError(
            _("Explain why the project is not feasible: the proposer and the public see it."),
            code="reason",
        )
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        before = {"state": locked.state, "cost": locked.cost, "reason": locked.feasibility_reason}
        locked.cost = cost if feasible else locked.cost
        locked.feasibility_reason = reason
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        moves = locked.state != new_state
        locked.state = new_state  # validate the row as it will be; fire() re-reads the state
        locked.full_clean()
        after = {"state": new_state, "cost": locked.cost, "reason": reason}
        if not moves:  # a revised review: the state stays, the audit says why
            locked.save()
            audit_log(
                actor=actor,
                action="budgeting.project.review",
                obj=locked,
                before=before,
                after=after,
                reason=reason,
            )
        else:
            fire(
                locked,
                "mark_feasible" if feasible else "mark_not_feasible",
                actor=actor,
                reason=reason,
                audit_action="budgeting.project.review",
                audit_after=after,
                update_fields=["cost", "feasibility_reason", "reviewed_by", "reviewed_at"],
            )
        if locked.proposer_id:
            title = locked.title
            notify(
                users=[locked.proposer],
                verb="budgeting.project.reviewed",
                message=(
                    (
                        lambda: (
                            _("Your idea “%(title)s” is feasible and will be on the ballot.")
                            % {"title": title}
                        )
                    )
                    if feasible
                    else (
                        lambda: (
                            _("Your idea “%(title)s” was found not feasible: %(reason)s")
                            % {"title": title, "reason": reason}
                        )
                    )
                ),
                url=locked.get_absolute_url(),
            )
    project.refresh_from_db()
    return project


def project_withdraw(*, user: User, project: Project) -> Project:
    """The proposer withdraws their idea before voting opens."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("process").get(pk=project.pk)
        permissions.PROJECT.allows(user, permissions.ProjectAction.WITHDRAW, locked).enforce()
        fire(locked, "withdraw", actor=user)
    project.refresh_from_db()
    return project
