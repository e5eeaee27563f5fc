"""The claim lifecycle: every legal state change, in one table.

Services call `transition_check(claim, name)` before changing `claim.state`; nothing else
writes the state. Who may fire a transition is decided in `proposals.rules`.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from proposals.models.claims import ClaimState as S
from proposals.models.procedure import Track

OPEN_STATES = frozenset(
    {
        S.SUBMITTED,
        S.SCREENING,
        S.AWAITING_DOCUMENTS,
        S.CONSULTATION,
        S.TECHNICAL_REVIEW,
        S.EXECUTIVE_DELIBERATION,
    }
)
FINAL_STATES = frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN})
PUBLIC_STATES = frozenset(set(S) - {S.DRAFT})
EDITABLE_STATES = frozenset({S.DRAFT, S.AWAITING_DOCUMENTS})
# Departments may be asked for an opinion while residents are still being consulted.
REVIEWABLE_STATES = frozenset({S.CONSULTATION, S.TECHNICAL_REVIEW})
# A resource is "claimed" while a claim on it is open or approved (waiting for its accord).
CLAIMING_STATES = OPEN_STATES | {S.APPROVED}


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset
    target: str
    tracks: frozenset = field(default=frozenset(Track.values))
    wrong_track_message: Promise | None = None


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", _("submit"), frozenset({S.DRAFT}), S.SUBMITTED),
        Transition(
            "screening_start",
            _("start the admissibility check"),
            frozenset({S.SUBMITTED}),
            S.SCREENING,
        ),
        Transition(
            "request_documents",
            _("ask for documents"),
            frozenset({S.SCREENING}),
            S.AWAITING_DOCUMENTS,
        ),
        Transition(
            "provide_documents",
            _("provide documents"),
            frozenset({S.AWAITING_DOCUMENTS}),
            S.SCREENING,
        ),
        Transition("admit", _("declare admissible"), frozenset({S.SCREENING}), S.CONSULTATION),
        Transition(
            "declare_inadmissible", _("declare inadmissible"), frozenset({S.SCREENING}), S.REJECTED
        ),
        Transition(
            "close_consultation",
            _("close the consultation"),
            frozenset({S.CONSULTATION}),
            S.TECHNICAL_REVIEW,
        ),
        Transition(
            "refer_to_executive",
            _("refer to the executive"),
            frozenset({S.TECHNICAL_REVIEW}),
            S.EXECUTIVE_DELIBERATION,
            tracks=frozenset({Track.COMPLEX}),
            wrong_track_message=_("Only complex claims go to an executive deliberation."),
        ),
        Transition(
            "approve",
            _("approve"),
            frozenset({S.TECHNICAL_REVIEW}),
            S.APPROVED,
            tracks=frozenset({Track.ORDINARY}),
            wrong_track_message=_(
                "A complex claim is approved only after the executive deliberation."
            ),
        ),
        Transition(
            "approve_after_deliberation",
            _("approve"),
            frozenset({S.EXECUTIVE_DELIBERATION}),
            S.APPROVED,
        ),
        Transition(
            "reject",
            _("reject"),
            frozenset({S.TECHNICAL_REVIEW, S.EXECUTIVE_DELIBERATION}),
            S.REJECTED,
        ),
        Transition("withdraw", _("withdraw"), OPEN_STATES, S.WITHDRAWN),
    ]
}


def transition_error(claim, name: str) -> str:
    """Why `name` cannot fire on this claim now, or "" when it can."""
    t = TRANSITIONS[name]
    if claim.state not in t.sources:
        return gettext("You cannot %(action)s this claim while it is in the state “%(state)s”.") % {
            "action": t.label,
            "state": S(claim.state).label,
        }
    if claim.track not in t.tracks:
        return str(t.wrong_track_message)
    return ""


def transition_check(claim, name: str) -> Transition:
    """Return the transition, or refuse with a clear, translated ValidationError."""
    error = transition_error(claim, name)
    if error:
        raise ValidationError(error, code="illegal_transition")
    return TRANSITIONS[name]


def approve_transition_name(claim) -> str:
    return "approve_after_deliberation" if claim.state == S.EXECUTIVE_DELIBERATION else "approve"
