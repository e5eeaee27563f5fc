"""Every legal state change of accords, versions and disputes, in one place.

Services call `advance(obj, table, name)` to move a state; nothing else writes `state` or
`status`. Who may fire a transition is decided in `accords.rules`.

Amendments (including extensions and renewals) do not change the accord's state: an active
accord stays in force under its signed version while the next version is drafted, agreed
(locked) and signed; then the new version replaces it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accords.models import AccordState as A
from accords.models import DisputeState as D
from accords.models import ReportState as R
from accords.models import VersionStatus as V


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset
    target: str


def _table(*transitions: Transition) -> dict[str, Transition]:
    return {t.name: t for t in transitions}


ACCORD_TRANSITIONS = _table(
    Transition(
        "agree", _("agree on the final text"), frozenset({A.DRAFTING}), A.AWAITING_SIGNATURES
    ),
    Transition("reopen", _("reopen the co-design"), frozenset({A.AWAITING_SIGNATURES}), A.DRAFTING),
    Transition("activate", _("bring into force"), frozenset({A.AWAITING_SIGNATURES}), A.ACTIVE),
    Transition("suspend", _("suspend"), frozenset({A.ACTIVE}), A.SUSPENDED),
    Transition("resume", _("resume"), frozenset({A.SUSPENDED}), A.ACTIVE),
    Transition("terminate", _("terminate"), frozenset({A.ACTIVE, A.SUSPENDED}), A.TERMINATED),
    Transition("expire", _("expire"), frozenset({A.ACTIVE, A.SUSPENDED}), A.EXPIRED),
    Transition("archive", _("archive"), frozenset({A.TERMINATED, A.EXPIRED}), A.ARCHIVED),
    Transition("cancel", _("cancel"), frozenset({A.DRAFTING, A.AWAITING_SIGNATURES}), A.CANCELLED),
)

VERSION_TRANSITIONS = _table(
    Transition("lock", _("lock as agreed"), frozenset({V.DRAFT}), V.AGREED),
    Transition("withdraw", _("withdraw the agreement"), frozenset({V.AGREED}), V.WITHDRAWN),
    Transition("sign", _("sign"), frozenset({V.AGREED}), V.SIGNED),
    Transition("replace", _("replace"), frozenset({V.SIGNED}), V.REPLACED),
)

DISPUTE_TRANSITIONS = _table(
    Transition("form_committee", _("form the committee"), frozenset({D.OPEN}), D.COMMITTEE_FORMED),
    Transition(
        "propose_settlement",
        _("record the proposed settlement"),
        frozenset({D.COMMITTEE_FORMED}),
        D.SETTLEMENT_PROPOSED,
    ),
    Transition(
        "close",
        _("close"),
        frozenset({D.OPEN, D.COMMITTEE_FORMED, D.SETTLEMENT_PROPOSED}),
        D.CLOSED,
    ),
)

REPORT_TRANSITIONS = _table(
    Transition("acknowledge", _("acknowledge"), frozenset({R.SUBMITTED}), R.ACKNOWLEDGED),
)

# States in which the accord binds the parties (its signed version is in force).
IN_FORCE_STATES = frozenset({A.ACTIVE, A.SUSPENDED})
# States in which the text may change: the co-design, or an amendment of an active accord.
EDITABLE_STATES = frozenset({A.DRAFTING, A.ACTIVE})
# Open to the public registry (a cancelled draft never bound anyone).
PUBLIC_STATES = frozenset(set(A) - {A.CANCELLED})
CLOSED_STATES = frozenset({A.TERMINATED, A.EXPIRED, A.ARCHIVED, A.CANCELLED})


def _state_attr(obj) -> str:
    return "status" if hasattr(obj, "status") and not hasattr(obj, "state") else "state"


def transition_error(obj, table: dict[str, Transition], name: str) -> str:
    """Why `name` cannot happen now, or "" when it can."""
    transition = table[name]
    current = getattr(obj, _state_attr(obj))
    if current in transition.sources:
        return ""
    label = obj._meta.get_field(_state_attr(obj)).choices
    shown = dict(label).get(current, current)
    return gettext("You cannot %(action)s while it is “%(state)s”.") % {
        "action": transition.label,
        "state": shown,
    }


def advance(obj, table: dict[str, Transition], name: str) -> list[str]:
    """Move `obj` along transition `name` (in memory); return the fields to save."""
    error = transition_error(obj, table, name)
    if error:
        raise ValidationError(error, code="state")
    setattr(obj, _state_attr(obj), table[name].target)
    return [_state_attr(obj)]
