"""Writes of implementation tracking: one function per use case, each audited.

Entry points run in `transaction.atomic(durable=True)` and lock the implementation row, so two
officers updating it at once are serialised. Notifications (`core.notify`) go to the subject's
followers and to the voters who opted in with their ballot (`ImplementationSubscription`).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting.models import Process, Project
from budgeting.results import funded_project_ids
from citizens.models import User
from citizens.rules import is_administrator, is_officer
from core.fsm import fire
from core.notify import notify
from implementation.models import (
    Expense,
    Implementation,
    ImplementationSubscription,
    Milestone,
    MilestonePhoto,
)
from implementation.rules import Action, policy

IN_FORCE_ACCORD_STATES = ("active", "suspended")


# Who hears about it ---------------------------------------------------------------------------


def _followers(obj) -> list:
    """The users following `obj` (the `follows` app, when installed; otherwise nobody)."""
    if not apps.is_installed("follows"):
        return []
    from follows.services import followers_of

    return list(followers_of(obj))


def subscribers_of(implementation: Implementation) -> list[User]:
    """Voters who opted in, at voting time, to hear about this project (never from ballots)."""
    if not implementation.project_id:
        return []
    return list(
        User.objects.filter(
            implementation_subs__project_id=implementation.project_id, is_active=True
        )
    )


def audience(implementation: Implementation) -> list[User]:
    people = {u.pk: u for u in _followers(implementation.subject)}
    for user in subscribers_of(implementation):
        people.setdefault(user.pk, user)
    return list(people.values())


def _tell(implementation: Implementation, message) -> None:
    notify(
        users=audience(implementation),
        verb="implementation.progress",
        message=message,
        url=implementation.get_absolute_url(),
    )


# Opening ------------------------------------------------------------------------------------


def is_funded(project: Project) -> bool:
    return project.pk in funded_project_ids(project.process)


def _open(*, actor, project=None, accord=None) -> tuple[Implementation, bool]:
    subject_field = {"project": project} if project is not None else {"accord": accord}
    existing = Implementation.objects.filter(**subject_field).first()
    if existing is not None:
        return existing, False
    if project is not None:
        impl = Implementation.objects.create(
            project=project,
            budgeted_cost=project.cost,
            latitude=project.resource.latitude if project.resource_id else None,
            longitude=project.resource.longitude if project.resource_id else None,
        )
    else:
        impl = Implementation.objects.create(
            accord=accord,
            department=accord.department,
            latitude=accord.latitude,
            longitude=accord.longitude,
        )
    audit_log(actor=actor, action="implementation.open", obj=impl, after={"state": impl.state})
    return impl, True


def implementation_open_project(*, actor: User | None, project: Project) -> Implementation:
    """Start tracking a funded project (idempotent). Refused for a project that did not win."""
    if actor is not None and not (is_officer(actor) or is_administrator(actor)):
        raise PermissionDenied(_("Only city officers can do this."))
    if not is_funded(project):
        raise ValidationError(
            _("Only projects funded in the published results are implemented."), code="unfunded"
        )
    with transaction.atomic(durable=actor is not None):
        impl, _created = _open(actor=actor, project=project)
    return impl


def implementations_open_for_process(*, process: Process, actor=None) -> int:
    """Open the tracking of every funded project of a process (after its results are out)."""
    funded = funded_project_ids(process)
    opened = 0
    for project in Project.objects.filter(pk__in=funded).select_related("resource", "process"):
        with transaction.atomic():
            opened += _open(actor=actor, project=project)[1]
    return opened


def implementation_open_accord(*, actor: User, accord) -> Implementation:
    """Start following an accord's monitoring plan (officers of its department)."""
    from accords.rules import is_city_officer

    if not is_city_officer(actor, accord):
        raise PermissionDenied(_("Only officers of the accord's department can do this."))
    if accord.state not in IN_FORCE_ACCORD_STATES:
        raise ValidationError(_("An accord is followed once it is in force."), code="state")
    with transaction.atomic(durable=True):
        impl, _created = _open(actor=actor, accord=accord)
    return impl


# Updates ------------------------------------------------------------------------------------


def _locked(implementation: Implementation) -> Implementation:
    return (
        Implementation.objects.select_for_update(of=("self",))
        .select_related("project__process", "accord")
        .get(pk=implementation.pk)
    )


def _check_funded(impl: Implementation) -> None:
    if impl.project_id and not is_funded(impl.project):
        raise ValidationError(
            _("This project was not funded: it has no implementation to track."), code="unfunded"
        )


def implementation_update(
    *,
    actor: User,
    implementation: Implementation,
    progress: int,
    notes: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Implementation:
    """Set the progress percentage, the notes and the place on the map."""
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a percentage between 0 and 100."), code="range")
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both the latitude and the longitude."), code="place")
    with transaction.atomic(durable=True):
        impl = _locked(implementation)
        policy.allows(actor, Action.UPDATE, impl).enforce()
        before = {"progress": impl.progress, "notes": impl.notes}
        impl.progress, impl.notes = progress, notes
        impl.latitude, impl.longitude = latitude, longitude
        impl.updated_at = timezone.now()
        impl.save(update_fields=["progress", "notes", "latitude", "longitude", "updated_at"])
        audit_log(
            actor=actor,
            action="implementation.update",
            obj=impl,
            before=before,
            after={"progress": progress, "notes": notes},
        )
    return impl


def implementation_assign(*, actor: User, implementation: Implementation, department):
    """Name the responsible department."""
    with transaction.atomic(durable=True):
        impl = _locked(implementation)
        policy.allows(actor, Action.ASSIGN, impl).enforce()
        before = impl.department_id
        impl.department = department
        impl.updated_at = timezone.now()
        impl.save(update_fields=["department", "updated_at"])
        audit_log(
            actor=actor,
            action="implementation.update",
            obj=impl,
            before={"department": before},
            after={"department": department.pk if department else None},
        )
    return impl


TRANSITION_MESSAGES = {
    "start": lambda t: _("Works have started on “%(title)s”.") % {"title": t},
    "complete": lambda t: _("“%(title)s” is done.") % {"title": t},
    "reopen": lambda t: _("Works on “%(title)s” have resumed.") % {"title": t},
    "cancel": lambda t: _("“%(title)s” was cancelled.") % {"title": t},
}


def implementation_transition(
    *, actor: User, implementation: Implementation, name: str, reason: str = ""
) -> Implementation:
    """Move the status (start, complete, reopen, cancel). Cancelling needs reasons."""
    if name not in Implementation.machine:
        raise ValidationError(_("Unknown status change."), code="unknown")
    reason = (reason or "").strip()
    if name == "cancel" and not reason:
        raise ValidationError(_("Give the reasons for the cancellation."), code="reason")
    with transaction.atomic(durable=True):
        impl = _locked(implementation)
        changes = {"updated_at": timezone.now()}
        if name == "cancel":
            changes["state_reason"] = reason
        if name == "complete":
            changes["progress"] = 100
        if name == "start":
            _check_funded(impl)
        fire(impl, name, actor=actor, reason=reason, **changes)
        title = str(impl.subject)
        _tell(impl, lambda: TRANSITION_MESSAGES[name](title))
    return impl


def milestone_add(
    *,
    actor: User,
    implementation: Implementation,
    title: str,
    due_date: dt.date,
    note: str = "",
    done: bool = False,
    photos: Iterable[tuple] = (),
) -> Milestone:
    """Add a milestone (optionally already reached, with photos: (upload, alt text) pairs)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the milestone a title."), code="required")
    if due_date is None:
        raise ValidationError(_("Give the milestone a due date."), code="required")
    with transaction.atomic(durable=True):
        impl = _locked(implementation)
        _check_funded(impl)
        policy.allows(actor, Action.UPDATE, impl).enforce()
        milestone = Milestone.objects.create(
            implementation=impl,
            title=title,
            due_date=due_date,
            note=note,
            done_at=timezone.now() if done else None,
            created_by=actor,
        )
        for upload, alt in photos:
            _photo_add(milestone=milestone, upload=upload, alt_text=alt)
        _touch(impl)
        audit_log(
            actor=actor,
            action="implementation.milestone_add",
            obj=impl,
            after={"milestone": milestone.pk, "title": title, "due": due_date.isoformat()},
        )
        subject = str(impl.subject)
        if done:
            _tell(
                impl,
                lambda: (
                    _("“%(title)s”: milestone reached: %(milestone)s")
                    % {"title": subject, "milestone": title}
                ),
            )
        else:
            _tell(
                impl,
                lambda: (
                    _("“%(title)s”: new milestone: %(milestone)s")
                    % {"title": subject, "milestone": title}
                ),
            )
    return milestone


def milestone_complete(*, actor: User, milestone: Milestone) -> Milestone:
    """Mark a milestone as reached (once)."""
    with transaction.atomic(durable=True):
        impl = _locked(milestone.implementation)
        policy.allows(actor, Action.UPDATE, impl).enforce()
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.is_done:
            raise ValidationError(_("This milestone was already reached."), code="conflict")
        milestone.done_at = timezone.now()
        milestone.save(update_fields=["done_at"])
        _touch(impl)
        audit_log(
            actor=actor,
            action="implementation.milestone_done",
            obj=impl,
            after={"milestone": milestone.pk, "title": milestone.title},
        )
        subject, name = str(impl.subject), milestone.title
        _tell(
            impl,
            lambda: (
                _("“%(title)s”: milestone reached: %(milestone)s")
                % {"title": subject, "milestone": name}
            ),
        )
    return milestone


def _photo_add(*, milestone: Milestone, upload, alt_text: str) -> MilestonePhoto:
    from accords.uploads import check_photo

    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ValidationError(_("Describe what the photo shows."), code="alt")
    checked = check_photo(upload)
    photo = MilestonePhoto(milestone=milestone, alt_text=alt_text[:300])
    photo.image.save(f"milestone-{milestone.pk}.{checked.extension}", checked.content, save=False)
    photo.save()
    return photo


def photo_add(*, actor: User, milestone: Milestone, upload, alt_text: str) -> MilestonePhoto:
    """Add a photo (checked and re-encoded, alt text required) to a milestone."""
    with transaction.atomic(durable=True):
        impl = _locked(milestone.implementation)
        policy.allows(actor, Action.UPDATE, impl).enforce()
        photo = _photo_add(milestone=milestone, upload=upload, alt_text=alt_text)
        _touch(impl)
        audit_log(
            actor=actor,
            action="implementation.photo_add",
            obj=impl,
            after={"milestone": milestone.pk, "photo": photo.pk},
        )
    return photo


def expense_add(
    *, actor: User, implementation: Implementation, amount: Decimal, spent_on: dt.date, note=""
) -> Expense:
    """Record money spent; the implementation's total follows."""
    if not isinstance(amount, Decimal) or amount <= 0:
        raise ValidationError(_("An expense is a positive amount."), code="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Amounts have at most two decimals."), code="amount")
    if spent_on is None or spent_on > timezone.localdate():
        raise ValidationError(_("An expense cannot be dated in the future."), code="date")
    with transaction.atomic(durable=True):
        impl = _locked(implementation)
        policy.allows(actor, Action.EXPENSE, impl).enforce()
        expense = Expense.objects.create(
            implementation=impl, amount=amount, spent_on=spent_on, note=note, created_by=actor
        )
        Implementation.objects.filter(pk=impl.pk).update(
            spent=F("spent") + amount, updated_at=timezone.now()
        )
        impl.refresh_from_db(fields=["spent", "updated_at"])
        audit_log(
            actor=actor,
            action="implementation.expense_add",
            obj=impl,
            after={"amount": str(amount), "date": spent_on.isoformat(), "spent": str(impl.spent)},
        )
    return expense


def _touch(impl: Implementation) -> None:
    Implementation.objects.filter(pk=impl.pk).update(updated_at=timezone.now())


# Voters' opt-in -------------------------------------------------------------------------------


def subscriptions_record(
    *, user: User, process: Process, project_ids: Iterable[int], opted_in: bool
) -> int:
    """At voting time: remember (or forget) the voter's wish to hear about the projects they
    chose. `project_ids` are the choices submitted with the ballot form, not a stored ballot.
    The voter's subscriptions in this process become exactly these projects (none without the
    opt-in). Returns how many the voter follows now."""
    chosen = set(
        Project.objects.filter(process=process, pk__in=list(project_ids)).values_list(
            "pk", flat=True
        )
    )
    if not opted_in:
        chosen = set()
    with transaction.atomic():
        ImplementationSubscription.objects.filter(user=user, project__process=process).exclude(
            project_id__in=chosen
        ).delete()
        ImplementationSubscription.objects.bulk_create(
            [ImplementationSubscription(user=user, project_id=pk) for pk in sorted(chosen)],
            ignore_conflicts=True,
        )
    return len(chosen)


def subscription_exists(*, user, process: Process) -> bool:
    if not user.is_authenticated:
        return False
    return ImplementationSubscription.objects.filter(user=user, project__process=process).exists()


def subscription_cancel(*, user: User, project: Project) -> None:
    ImplementationSubscription.objects.filter(user=user, project=project).delete()


# Deadlines ----------------------------------------------------------------------------------


def milestone_flag_overdue(*, milestone: Milestone, today: dt.date) -> int:
    """Flag an overdue milestone once and remind the responsible department's officers."""
    with transaction.atomic():
        locked = (
            Milestone.objects.select_for_update(of=("self",))
            .select_related("implementation__project", "implementation__accord")
            .filter(pk=milestone.pk, overdue_notified_at__isnull=True, done_at__isnull=True)
            .first()
        )
        if locked is None:
            return 0
        locked.overdue_notified_at = timezone.now()
        locked.save(update_fields=["overdue_notified_at"])
        impl = locked.implementation
        audit_log(
            actor=None,
            action="implementation.milestone_overdue",
            obj=impl,
            after={"milestone": locked.pk, "due": locked.due_date.isoformat()},
        )
        officers = User.objects.filter(is_active=True, department_id=impl.department_id)
        officers = [u for u in officers if impl.department_id and is_officer(u)]
        subject, name, due = str(impl.subject), locked.title, locked.due_date
        from django.urls import reverse
        from django.utils.formats import date_format

        notify(
            users=officers,
            verb="implementation.overdue",
            message=lambda: (
                _("Milestone overdue since %(due)s: %(milestone)s (%(title)s)")
                % {"due": date_format(due), "milestone": name, "title": subject}
            ),
            url=reverse("implementation:manage", args=[impl.pk]),
        )
    return 1
