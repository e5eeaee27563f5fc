"""Who may do what with an implementation: one table, read by `core.policy`.

Actors:
- *anyone* reads every implementation (it exists only for a funded project or an accord, both
  public);
- the *responsible* officers: officers of the implementation's department (any officer while
  no department is set) and administrators; they update it and move its status;
- *officers*: any city officer; they assign the responsible department.

A cancelled implementation is final: nothing moves it or changes it any more.
"""

from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizens.rules import is_administrator, is_officer
from core.policy import ANYONE, EVERY, NONE, Policy, Rule, Who, register
from implementation.models import Implementation
from implementation.models import ImplementationState as S


class Action(StrEnum):
    VIEW = "view"
    UPDATE = "update"  # progress, notes, place, milestones and their photos
    EXPENSE = "expense"
    ASSIGN = "assign"
    START = "start"
    COMPLETE = "complete"
    REOPEN = "reopen"
    CANCEL = "cancel"


OPEN_STATES = frozenset({S.PLANNED, S.IN_PROGRESS})
NOT_CANCELLED = frozenset({S.PLANNED, S.IN_PROGRESS, S.DONE})


def is_responsible(user, impl: Implementation) -> bool:
    if is_administrator(user):
        return True
    return is_officer(user) and (
        impl.department_id is None or impl.department_id == user.department_id
    )


def _responsible_q(user) -> Q:
    if is_administrator(user):
        return EVERY
    if is_officer(user):
        return Q(department__isnull=True) | Q(department_id=user.department_id)
    return NONE


RESPONSIBLE = Who(
    "responsible",
    is_responsible,
    _responsible_q,
    _("Only officers of the responsible department can do this."),
)
OFFICER = Who(
    "officer",
    lambda user, obj: is_officer(user) or is_administrator(user),
    lambda user: EVERY if (is_officer(user) or is_administrator(user)) else NONE,
    _("Only city officers can do this."),
)


class ImplementationPolicy(Policy):
    model = Implementation
    rules = {
        Action.VIEW: Rule(ANYONE),
        Action.UPDATE: Rule(RESPONSIBLE, OPEN_STATES, _("while it is planned or in progress")),
        Action.EXPENSE: Rule(RESPONSIBLE, NOT_CANCELLED, _("unless it was cancelled")),
        Action.ASSIGN: Rule(OFFICER, NOT_CANCELLED, _("unless it was cancelled")),
        Action.START: Rule(RESPONSIBLE, moves=("start",)),
        Action.COMPLETE: Rule(RESPONSIBLE, moves=("complete",)),
        Action.REOPEN: Rule(RESPONSIBLE, moves=("reopen",)),
        Action.CANCEL: Rule(RESPONSIBLE, moves=("cancel",)),
    }


policy = register(ImplementationPolicy())
