"""Who may do what with a meeting's motions: one table per model (``core.policy``).

Actors:

- the *chair*: the meeting's chair, the assembly's coordinators, administrators. They draft,
  open and close motions (or discard a draft: ``Action.DISCARD``), check members in, pair
  room tablets and hand them tokens (``Action.CHAIR`` asks "may this user run the motions of
  this motion's meeting?"; for a meeting without motions yet, ask it on
  ``Motion(meeting=meeting)``);
- a *voter*: an active coordinator or member of the assembly (observers do not vote) who is
  checked in at the meeting or, for an online or hybrid meeting, registered for it
  (``voting_refusal``). Refusals name the reason: not a member, an observer, not checked in,
  already voted;
- the *author* of an objection (withdraws it).

Anyone may follow the live tally of a meeting's motions and read the decided ones (assemblies
are public); drafts are the chair's, and so are discarded drafts (shown on no list).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assemblies.models import Membership, MembershipState, Registration, RegistrationState, Role
from assemblies.motions.models import Motion, MotionState, Objection, Participation
from assemblies.rules import is_chair, role_in
from citizens.rules import is_administrator
from core.policy import (
    ALLOW,
    ANYONE,
    AUTHENTICATED,
    EVERY,
    NONE,
    Policy,
    Rule,
    Verdict,
    Who,
    deny,
    deny_state,
    register,
)


class Action(StrEnum):
    VIEW = "view"
    CHAIR = "chair"
    EDIT = "edit"
    OPEN = "open"
    CLOSE = "close"
    VOTE = "vote"
    WITHDRAW = "withdraw"
    OVERRULE = "overrule"
    DISCARD = "discard"


def chairs_meeting(user, meeting) -> bool:
    """The meeting's chair or a coordinator of its assembly (``assemblies.rules.is_chair``),
    or an administrator."""
    if not user.is_authenticated or meeting is None:
        return False
    return is_chair(user, meeting) or is_administrator(user)


def _chair_q(user) -> Q:
    if is_administrator(user):
        return EVERY
    coordinated = Membership.objects.filter(
        user=user, state=MembershipState.ACTIVE, role=Role.COORDINATOR
    ).values("assembly_id")
    return Q(meeting__chair=user) | Q(meeting__assembly__in=coordinated)


CHAIR = Who(
    "chair",
    lambda u, m: chairs_meeting(u, m.meeting),
    _chair_q,
    _("Only the meeting's chair and the assembly's coordinators can do this."),
)
OBJECTION_CHAIR = Who(
    "chair",
    lambda u, o: chairs_meeting(u, o.motion.meeting),
    lambda u: Q(motion__in=Motion.objects.filter(_chair_q(u)).values("pk")),
    _("Only the meeting's chair and the assembly's coordinators can do this."),
)
AUTHOR = Who(
    "author",
    lambda u, o: o.user_id == u.pk,
    lambda u: Q(user=u),
    _("Only the member who objected can withdraw the objection."),
)
VOTER = AUTHENTICATED


@dataclass(frozen=True)
class VoterFacts:
    """What the voting rule reads about one person and one motion: their role in the
    meeting's assembly ("" unless an active member), their registration for the meeting
    (``registered``: one in the registered state; ``checked_in``: at the door, or joined
    online) and whether they have voted on it.

    The vote path reads them in the same query as the motion's lock
    (``services._lock_for_vote``) and keeps them on the motion (``FACTS_ATTR``); elsewhere
    ``voting_refusal`` reads them itself."""

    user_id: int | None
    role: str
    registered: bool
    checked_in: bool
    voted: bool


FACTS_ATTR = "_voter_facts"


def voter_facts(user, motion) -> VoterFacts:
    """The facts kept on the motion for this user, or read now: the role is the request's
    cached one (``role_in``), the registration and the participation one query each, each
    read only when the rule gets that far (what it does not read is left False)."""
    kept = getattr(motion, FACTS_ATTR, None)
    if kept is not None and kept.user_id == user.pk:
        return kept
    role = role_in(user, motion.meeting.assembly_id)
    registration = None
    if role and role != Role.OBSERVER:
        registration = (
            Registration.objects.filter(
                meeting_id=motion.meeting_id, user=user, state=RegistrationState.REGISTERED
            )
            .values_list("checked_in_at", "attended_online")
            .first()
        )
    voted = (
        registration is not None
        and motion.pk is not None
        and Participation.objects.filter(motion=motion, user=user).exists()
    )
    return VoterFacts(
        user_id=user.pk,
        role=role,
        registered=registration is not None,
        checked_in=registration is not None and (registration[0] is not None or registration[1]),
        voted=voted,
    )


def voting_refusal(user, motion, *, in_room: bool = False) -> Verdict:
    """May this user vote on this motion now (besides its state)? ``in_room``: on a room
    tablet, which needs a check-in at the door whatever the meeting's kind."""
    meeting = motion.meeting
    facts = voter_facts(user, motion)
    if not facts.role:
        return deny(_("Only the assembly's members can vote."))
    if facts.role == Role.OBSERVER:
        return deny(_("Observers take part in the meeting but do not vote."))
    online = facts.registered and meeting.is_online and not in_room
    if not (facts.checked_in or online):
        if meeting.is_online and not in_room:
            return deny_state(_("Register for the meeting to vote online."))
        return deny_state(_("Check in at the door first: only members present may vote."))
    if facts.voted:
        return deny_state(_("You have already voted on this motion."))
    return ALLOW


def _may_vote(user, motion) -> Verdict:
    return voting_refusal(user, motion)


def _voted_q(user) -> Q:
    return ~Q(pk__in=Participation.objects.filter(user=user).values("motion_id"))


class MotionPolicy(Policy):
    model = Motion
    rules = {
        Action.VIEW: (
            Rule(ANYONE, {MotionState.OPEN, MotionState.CLOSED}),
            Rule(CHAIR),
        ),
        Action.CHAIR: Rule(CHAIR),
        Action.EDIT: Rule(CHAIR, {MotionState.DRAFT}, _("while it is a draft")),
        Action.OPEN: Rule(CHAIR, moves=("open",)),
        Action.CLOSE: Rule(CHAIR, moves=("close",)),
        # A draft drafted by mistake: it leaves the console and releases its opinion.
        Action.DISCARD: Rule(CHAIR, moves=("discard",)),
        Action.VOTE: Rule(
            VOTER,
            {MotionState.OPEN},
            _("while the vote is open"),
            check=_may_vote,
            check_q=_voted_q,
        ),
    }


class ObjectionPolicy(Policy):
    model = Objection
    rules = {
        Action.WITHDRAW: Rule(AUTHOR, moves=("withdraw",)),
        Action.OVERRULE: Rule(OBJECTION_CHAIR, moves=("overrule",)),
    }


MOTIONS = register(MotionPolicy())
OBJECTIONS = register(ObjectionPolicy())


def chair_verdict(user, meeting) -> Verdict:
    """May the user run the motions of this meeting (console, check-in, tablets)?"""
    return MOTIONS.allows(user, Action.CHAIR, Motion(meeting=meeting))


__all__ = [
    "Action",
    "CHAIR",
    "FACTS_ATTR",
    "MOTIONS",
    "NONE",
    "OBJECTIONS",
    "VoterFacts",
    "chair_verdict",
    "voter_facts",
    "voting_refusal",
]
