"""The one ballot validator. Online, in-person, paper and imported ballots all pass through it."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgeting.models import Process, Project


@dataclass(frozen=True)
class BallotLimits:
    """What a valid ballot looks like for one process and district envelope."""

    budget: int
    min_total: int  # knapsack: at least p% of the budget; 0 otherwise
    min_count: int
    max_count: int | None
    knapsack: bool

    def as_dict(self) -> dict:
        return {
            "budget": self.budget,
            "min_total": self.min_total,
            "min_count": self.min_count,
            "max_count": self.max_count,
            "knapsack": self.knapsack,
        }


@dataclass(frozen=True)
class ValidBallot:
    projects: tuple[Project, ...]
    district: str
    total: int
    limits: BallotLimits

    @property
    def project_ids(self) -> list[int]:
        return sorted(p.pk for p in self.projects)


class BallotInvalid(ValidationError):
    """A ballot breaks one or more rules; ``.error_list`` holds one message per broken rule."""


def envelope_budget(process: Process, district: str) -> int:
    """The budget a ballot is measured against: the district's envelope, or the whole budget."""
    envelopes = {e.district: e.budget for e in process.envelopes.all()}
    if not envelopes:
        return process.budget
    if district not in envelopes:
        raise BallotInvalid(
            _("This process has no budget for the district “%(district)s”.")
            % {"district": district or "—"},
            code="no_envelope",
        )
    return envelopes[district]


def ballot_limits(process: Process, district: str = "") -> BallotLimits:
    budget = envelope_budget(process, district)
    knapsack = process.ballot_rule == Process.BallotRule.KNAPSACK
    max_count = process.max_projects
    if not knapsack and process.approval_max is not None:
        max_count = min(filter(None, [max_count, process.approval_max]), default=None)
    min_total = math.ceil(budget * process.knapsack_min_percent / 100) if knapsack else 0
    return BallotLimits(
        budget=budget,
        min_total=min_total,
        min_count=process.min_projects,
        max_count=max_count,
        knapsack=knapsack,
    )


def ballot_validate(
    *,
    process: Process,
    project_ids: Iterable,
    district: str = "",
    projects: dict[int, Project] | None = None,
    limits: BallotLimits | None = None,
) -> ValidBallot:
    """Check a ballot against the process's rules; raise BallotInvalid listing every problem.

    ``district`` is the voter's envelope (empty when the budget is not split). ``projects``
    (the process's projects by id) and ``limits`` (``ballot_limits(process, district)``) save
    queries when validating many ballots.
    """
    try:
        wanted = {int(i) for i in project_ids}
    except (TypeError, ValueError):
        raise BallotInvalid(
            _("The ballot names a project that does not exist."), code="unknown"
        ) from None
    limits = limits or ballot_limits(process, district)
    if projects is None:
        projects = {p.pk: p for p in process.projects.filter(pk__in=wanted)}
    errors: list[ValidationError] = []
    chosen = []
    for pk in sorted(wanted):
        project = projects.get(pk)
        if project is None or project.process_id != process.pk:
            errors.append(
                ValidationError(
                    _("The ballot names a project that does not exist in this process."),
                    code="unknown",
                )
            )
            continue
        if not project.on_ballot:
            errors.append(
                ValidationError(
                    _("“%(title)s” is not on the ballot: it was not found feasible.")
                    % {"title": project.title},
                    code="not_feasible",
                )
            )
        elif district and project.district != district:
            errors.append(
                ValidationError(
                    _(
                        "“%(title)s” belongs to %(other)s: you can vote only for projects "
                        "of %(district)s."
                    )
                    % {
                        "title": project.title,
                        "other": project.district or _("the whole city"),
                        "district": district,
                    },
                    code="other_district",
                )
            )
        chosen.append(project)
    count = len(chosen)
    total = sum(p.cost or 0 for p in chosen)
    if count < limits.min_count:
        errors.append(
            ValidationError(
                ngettext(
                    "Choose at least %(n)s project.",
                    "Choose at least %(n)s projects.",
                    limits.min_count,
                )
                % {"n": limits.min_count},
                code="too_few",
            )
        )
    if limits.max_count is not None and count > limits.max_count:
        errors.append(
            ValidationError(
                ngettext(
                    "Choose at most %(n)s project (you chose %(count)s).",
                    "Choose at most %(n)s projects (you chose %(count)s).",
                    limits.max_count,
                )
                % {"n": limits.max_count, "count": count},
                code="too_many",
            )
        )
    if limits.knapsack and total > limits.budget:
        errors.append(
            ValidationError(
                _(
                    "Your projects cost %(total)s, which is %(over)s over the budget of "
                    "%(budget)s. Remove a project or choose cheaper ones."
                )
                % {
                    "total": _money(total, process),
                    "over": _money(total - limits.budget, process),
                    "budget": _money(limits.budget, process),
                },
                code="over_budget",
            )
        )
    if limits.knapsack and count and total < limits.min_total:
        errors.append(
            ValidationError(
                _(
                    "Your projects cost %(total)s: choose projects worth at least %(min)s "
                    "(%(percent)s%% of the budget)."
                )
                % {
                    "total": _money(total, process),
                    "min": _money(limits.min_total, process),
                    "percent": process.knapsack_min_percent,
                },
                code="under_minimum",
            )
        )
    if errors:
        raise BallotInvalid(errors)
    return ValidBallot(projects=tuple(chosen), district=district, total=total, limits=limits)


def _money(amount: int, process: Process) -> str:
    from budgeting.templatetags.budgeting_tags import money

    return money(amount, process.currency)
