"""Creating, configuring and moving a process through its phases."""

import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_log
from budgeting import permissions
from budgeting.models import DistrictBudget, Process, Project
from citizens.models import User
from core.fsm import fire

S = Process.State

# Fields that decide who votes and how: frozen once voting has opened.
VOTING_FIELDS = (
    "budget",
    "currency",
    "min_age",
    "residency",
    "eligible_district",
    "ballot_rule",
    "approval_max",
    "knapsack_min_percent",
    "min_projects",
    "max_projects",
    "cross_channel",
)
# Fields that decide how votes are counted: frozen once results are published.
COUNTING_FIELDS = (
    "result_rule",
    "mes_add1_variant",
    "mes_completion",
    "mes_comparison",
    "tie_breaking",
)
AFTER_VOTING = (S.VOTING, S.COUNTING, S.RESULTS, S.IMPLEMENTATION)


def _require_manager(actor: User) -> None:
    if not permissions.can(actor, permissions.Action.MANAGE, None):
        raise PermissionDenied(_("Only city officers can manage budgeting processes."))


def _snapshot(process: Process) -> dict:
    fields = ("title", "state", *VOTING_FIELDS, *COUNTING_FIELDS)
    return {f: getattr(process, f) for f in fields}


def process_save(
    *, actor: User | None, process: Process, envelopes: list[tuple[str, int]] | None = None
) -> Process:
    """Create or update a process (fields already set on the instance, e.g. by a form).

    ``envelopes`` (district, budget) replace the current ones when given; their sum must be
    the total budget. Voting rules are frozen once voting opens, counting rules once results
    are out.
    """
    if actor is not None:
        _require_manager(actor)
    creating = process.pk is None
    with transaction.atomic():
        before = None
        if not creating:
            stored = Process.objects.select_for_update().get(pk=process.pk)
            before = _snapshot(stored)
            process.state = stored.state  # states move only through process_transition
            frozen = VOTING_FIELDS if stored.state in AFTER_VOTING else ()
            if stored.state in (S.RESULTS, S.IMPLEMENTATION):
                frozen += COUNTING_FIELDS
            changed = [f for f in frozen if getattr(stored, f) != getattr(process, f)]
            if changed or (envelopes is not None and stored.state in AFTER_VOTING):
                current = sorted((e.district, e.budget) for e in stored.envelopes.all())
                if changed or sorted(envelopes) != current:
                    raise ValidationError(
                        _("Voting rules cannot change once voting has opened (%(fields)s).")
                        % {"fields": ", ".join(changed) or _("district envelopes")},
                        code="frozen",
                    )
        if envelopes:
            names = [d for d, _b in envelopes]
            if len(set(names)) != len(names):
                raise ValidationError(_("Each district can have only one envelope."))
            if sum(b for _d, b in envelopes) != process.budget:
                raise ValidationError(
                    _("The district envelopes must add up to the total budget."),
                    code="envelopes_sum",
                )
        if creating and actor is not None:
            process.created_by = actor
        process.full_clean(exclude=["created_by"])
        process.save()
        if envelopes is not None:
            process.envelopes.all().delete()
            DistrictBudget.objects.bulk_create(
                [DistrictBudget(process=process, district=d, budget=b) for d, b in envelopes]
            )
        audit_log(
            actor=actor,
            action="budgeting.process." + ("create" if creating else "update"),
            obj=process,
            before=before,
            after={**_snapshot(process), "envelopes": envelopes},
        )
    return process


def _check_can_open_voting(process: Process) -> None:
    projects = process.projects.all()
    waiting = projects.filter(state=Project.State.SUBMITTED).count()
    if waiting:
        raise ValidationError(
            ngettext(
                "%(n)s project still awaits review: review it before voting opens.",
                "%(n)s projects still await review: review them before voting opens.",
                waiting,
            )
            % {"n": waiting},
            code="unreviewed",
        )
    feasible = set(projects.filter(state=Project.State.FEASIBLE).values_list("district", flat=True))
    if not feasible:
        raise ValidationError(_("No project is on the ballot yet."), code="empty_ballot")
    missing = [e.district for e in process.envelopes.all() if e.district not in feasible]
    if missing:
        raise ValidationError(
            _("These districts have no project on the ballot: %(districts)s.")
            % {"districts": ", ".join(missing)},
            code="empty_envelope",
        )
    if process.voting_closes_at and process.voting_closes_at <= timezone.now():
        raise ValidationError(
            _("The closing date of voting has passed: set a later one first."), code="dates"
        )


def process_transition(
    *, actor: User | None, process: Process, to: str, reason: str = ""
) -> Process:
    """Move a process to its next phase. ``actor=None`` is the scheduler (pb_advance)."""
    if actor is not None:
        _require_manager(actor)
    if to == S.RESULTS:
        raise ValidationError(_("Results are published from the results page."), code="illegal")
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        transition = next(
            (t for t in Process.machine if locked.state in t.sources and t.target == to), None
        )
        if transition is None:
            raise ValidationError(
                _("A process cannot go from “%(old)s” to “%(new)s”.")
                % {"old": locked.get_state_display(), "new": S(to).label},
                code="illegal",
            )
        if to == S.VOTING:
            _check_can_open_voting(locked)
            if (
                locked.tie_breaking == Process.TieBreaking.EQUALSHARES
                and locked.lots_drawn_at is None
            ):
                _draw(actor=actor, process=locked)
        if (
            locked.state == S.COUNTING
            and locked.results.filter(published_at__isnull=False).exists()
        ):
            raise ValidationError(_("Results are already published."), code="illegal")
        # A phase ended before its planned date (or had none): the page shows when it really
        # ended, not the plan. Schedule-driven moves after the date keep the planned date.
        now = timezone.now()
        changes = {}
        boundary = PHASE_BOUNDARY.get(to)
        if boundary and (getattr(locked, boundary) is None or getattr(locked, boundary) > now):
            changes[boundary] = now
        fire(
            locked,
            transition.name,
            actor=actor,
            reason=reason,
            audit_action="budgeting.process.transition",
            **changes,
        )
    process.state = to
    for field, value in changes.items():
        setattr(process, field, value)
    return process


# Entering this state ends the previous phase: the date field that marks that moment.
PHASE_BOUNDARY = {
    S.REVIEW: "ideas_closes_at",
    S.VOTING: "voting_opens_at",
    S.COUNTING: "voting_closes_at",
}


def process_advance_by_schedule(*, now=None) -> list[tuple[Process, str]]:
    """Move processes whose phase dates have passed (run by `manage.py pb_advance`)."""
    now = now or timezone.now()
    moves = []
    due = [
        (Process.objects.filter(state=S.IDEAS, ideas_closes_at__lte=now), S.REVIEW),
        (Process.objects.filter(state=S.REVIEW, voting_opens_at__lte=now), S.VOTING),
        (Process.objects.filter(state=S.VOTING, voting_closes_at__lte=now), S.COUNTING),
    ]
    for queryset, to in due:
        for process in queryset:
            try:
                process_transition(actor=None, process=process, to=to, reason="schedule")
            except ValidationError as exc:
                moves.append((process, " ".join(exc.messages)))
            else:
                moves.append((process, to))
    return moves


def _draw(*, actor: User | None, process: Process) -> list[int]:
    projects = list(process.projects.filter(state=Project.State.FEASIBLE).order_by("pk"))
    seed = secrets.token_hex(16)
    order = list(range(1, len(projects) + 1))
    random.Random(seed).shuffle(order)  # noqa: S311 - the seed is secret-random and published
    process.projects.update(lot_position=None)
    for project, position in zip(projects, order, strict=True):
        project.lot_position = position
    Project.objects.bulk_update(projects, ["lot_position"])
    process.lots_drawn_at = timezone.now()
    process.save(update_fields=["lots_drawn_at"])
    audit_log(
        actor=actor,
        action="budgeting.process.lots",
        obj=process,
        after={"seed": seed, "order": {p.public_id: p.lot_position for p in projects}},
    )
    return order


def lots_draw(*, actor: User, process: Process) -> Process:
    """Draw the lot order that breaks the last ties (equal shares), before voting opens."""
    _require_manager(actor)
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        if locked.state not in (S.DRAFT, S.IDEAS, S.REVIEW):
            raise ValidationError(
                _("The lot order is drawn before voting opens and cannot change afterwards."),
                code="illegal",
            )
        _draw(actor=actor, process=locked)
    process.refresh_from_db()
    return process
